/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Multiboot v1 entry of the lab's boot shim. SYSLINUX's mboot.c32 starts us
 * in flat 32-bit protected mode with paging off; shim_main() never returns.
 */
#define MB_MAGIC	0x1BADB002
#define MB_FLAGS	0x00000003	/* page-align modules, want memory map */

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.text
	.code32
	.globl _start
_start:
	cli
	cld
	movl %eax, %ebp
	movl $__bss_start, %edi		/* the loader need not clear .bss */
	movl $_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl %ebp, %eax
	movl $stack_top, %esp
	pushl %ebx		/* multiboot info */
	pushl %eax		/* multiboot magic */
	call shim_main
1:	hlt
	jmp 1b

/*
 * void enter_linux64(u32 entry, u32 boot_params, u32 pml4): switch to long
 * mode on identity-mapped page tables and jump to the kernel's startup_64
 * as the x86-64 boot protocol asks (Documentation/x86/boot.rst): CS is
 * __BOOT_CS (0x10), DS/ES/SS are __BOOT_DS (0x18), RSI holds boot_params.
 */
	.globl enter_linux64
enter_linux64:
	movl 4(%esp), %edi	/* entry */
	movl 8(%esp), %esi	/* boot_params */
	movl 12(%esp), %eax	/* PML4 */
	movl %eax, %cr3
	movl %cr4, %eax
	orl $0x20, %eax		/* PAE */
	movl %eax, %cr4
	movl $0xc0000080, %ecx	/* EFER */
	rdmsr
	orl $0x100, %eax	/* LME */
	wrmsr
	lgdt gdt_desc
	movl %cr0, %eax
	orl $0x80000001, %eax	/* PG | PE */
	movl %eax, %cr0
	ljmp $0x10, $1f
	.code64
1:	movl $0x18, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %edi, %edi		/* zero-extend entry and boot_params */
	movl %esi, %esi
	jmp *%rdi

	.section .rodata
	.align 16
gdt:
	.quad 0
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x10: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x18: flat data */
gdt_end:
gdt_desc:
	.word gdt_end - gdt - 1
	.long gdt

	.bss
	.align 16
	.space 16384
stack_top:

	.section .note.GNU-stack, "", @progbits
