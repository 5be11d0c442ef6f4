/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The differential test guest's assembly: its multiboot header and entry,
 * the switch to 64-bit long mode and back, and a stub that drops to real
 * mode and returns. The stub runs at RM_BASE, where main.c copies it.
 */
#define MB_MAGIC	0x1badb002
#define MB_FLAGS	0x00000003	/* page-aligned modules, memory info */
#define RM_BASE		0x8000
#define RM(x)		((x) - rm_stub_start + RM_BASE)

	.section .multiboot, "a"
	.align 4
	.long MB_MAGIC, MB_FLAGS, -(MB_MAGIC + MB_FLAGS)

	.text
	.code32
	.globl _start
_start:
	mov	$stack_top, %esp
	push	%ebx
	push	%eax
	call	main32
1:	hlt
	jmp	1b

/* void load_gdt(void): the guest's own flat segments. */
	.globl load_gdt
load_gdt:
	lgdt	gdtr
	ljmp	$0x08, $1f
1:	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %fs
	mov	%ax, %gs
	mov	%ax, %ss
	ret

/*
 * uint64_t long_mode_roundtrip(uint32_t pml4, uint32_t hi, uint32_t lo):
 * enter long mode, compute rol64((hi:lo) * 3, 13) with 64-bit registers,
 * and come back to 32-bit protected mode without paging.
 */
	.globl long_mode_roundtrip
long_mode_roundtrip:
	push	%ebp
	mov	%esp, %ebp
	push	%ebx
	push	%esi
	push	%edi
	mov	8(%ebp), %eax
	mov	%eax, %cr3
	mov	%cr4, %eax
	or	$0x20, %eax		/* PAE */
	mov	%eax, %cr4
	mov	$0xc0000080, %ecx
	rdmsr
	or	$0x100, %eax		/* EFER.LME */
	wrmsr
	mov	%cr0, %eax
	or	$0x80000000, %eax	/* paging on: long mode, compatibility */
	mov	%eax, %cr0
	mov	12(%ebp), %esi
	mov	16(%ebp), %edi
	ljmp	$0x18, $lm64
	.code64
lm64:
	mov	%esi, %esi
	mov	%edi, %edi
	shl	$32, %rsi
	or	%rdi, %rsi
	imul	$3, %rsi, %rax
	rol	$13, %rax
	mov	%rax, %rdx
	shr	$32, %rdx
	push	$0x08
	lea	back32(%rip), %rcx
	push	%rcx
	lretq
	.code32
back32:
	mov	%eax, %esi
	mov	%edx, %edi
	mov	%cr0, %eax
	and	$0x7fffffff, %eax	/* paging off: long mode ends */
	mov	%eax, %cr0
	mov	$0xc0000080, %ecx
	rdmsr
	and	$~0x100, %eax
	wrmsr
	mov	%cr4, %eax
	and	$~0x20, %eax
	mov	%eax, %cr4
	mov	%esi, %eax
	mov	%edi, %edx
	pop	%edi
	pop	%esi
	pop	%ebx
	pop	%ebp
	ret

/* The real-mode round trip, copied to RM_BASE and called there. */
	.globl rm_stub_start, rm_stub_end
rm_stub_start:
	push	%ebp
	push	%ebx
	push	%esi
	push	%edi
	mov	%esp, RM(saved_esp)
	ljmp	$0x20, $RM(pm16)
	.code16
pm16:
	mov	$0x28, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	%cr0, %eax
	and	$0xfffffffe, %eax	/* PE off: real mode */
	mov	%eax, %cr0
	ljmp	$0, $RM(real)
real:
	xor	%ax, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	mov	$0x7000, %sp
	mov	$RM(msg), %si
	mov	$0x3f8, %dx
1:	lodsb
	test	%al, %al
	jz	2f
	out	%al, %dx
	jmp	1b
2:	mov	%cr0, %eax
	or	$1, %eax
	mov	%eax, %cr0
	ljmpl	$0x08, $RM(pm32)
	.code32
pm32:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %fs
	mov	%ax, %gs
	mov	%ax, %ss
	mov	RM(saved_esp), %esp
	pop	%edi
	pop	%esi
	pop	%ebx
	pop	%ebp
	ret
saved_esp:
	.long	0
msg:
	.asciz	"minivm-guest: real mode: ok\n"
rm_stub_end:

/*
 * Interrupt handlers: count, then EOI to the local APIC. Legacy PIC vectors
 * (masked, but one may already be on its way) are only returned from.
 */
#define APIC_EOI	0xfee000b0
	.globl	timer_isr, ipi_isr, bcast_isr, ignore_isr
timer_isr:				/* counted per CPU, by APIC ID */
	push	%eax
	mov	0xfee00020, %eax
	shr	$24, %eax
	and	$7, %eax
	lock incl timer_ticks(, %eax, 4)
	pop	%eax
	movl	$0, APIC_EOI
	iret
ipi_isr:
	lock incl ipi_count
	movl	$0, APIC_EOI
	iret
bcast_isr:
	lock incl bcast_count
	movl	$0, APIC_EOI
	iret
ignore_isr:
	iret

/* pc-testdev's lines (main.c): an edge pin's interrupt is counted; a level
 * pin's too, and its line is lowered once level_limit is reached, before the
 * EOI (as a driver quiets its device), else the EOI brings it back. */
	.globl	edge_isr, level_isr
edge_isr:
	lock incl edge_count
	movl	$0, APIC_EOI
	iret
level_isr:
	push	%eax
	push	%edx
	lock incl level_count
	mov	level_count, %eax
	cmp	level_limit, %eax
	jb	1f
	mov	$0x2009, %dx
	xor	%eax, %eax
	outb	%al, %dx
1:	pop	%edx
	pop	%eax
	movl	$0, APIC_EOI
	iret

/* The 8259s' IRQ 10 (main.c): counted, then EOI to the slave and the master. */
/* The RTC's IRQ 8: reading register C lowers the line; EOI to both 8259s. */
	.globl	rtc_isr
rtc_isr:
	push	%eax
	mov	$0x0c, %al
	outb	%al, $0x70
	inb	$0x71, %al
	lock incl rtc_count
	mov	$0x20, %al
	outb	%al, $0xa0
	outb	%al, $0x20
	pop	%eax
	iret

	.globl	pic_isr
pic_isr:
	push	%eax
	lock incl pic_count
	mov	$0x20, %al
	outb	%al, $0xa0
	outb	%al, $0x20
	pop	%eax
	iret

/*
 * An application processor's start, copied to AP_BASE (the start-up IPI's
 * vector << 12): real mode to flat protected mode on a stack of its own,
 * the bootstrap CPU's IDT; count itself in and note its APIC ID; take one
 * interrupt from its own APIC timer; send the bootstrap CPU an IPI; then
 * wait in HLT with interrupts on (for the bootstrap CPU's broadcast).
 */
#define AP_BASE		0x9000
#define AP(x)		((x) - ap_start + AP_BASE)
	.globl	ap_start, ap_end
	.code16
ap_start:
	cli
	xor	%ax, %ax
	mov	%ax, %ds
	lgdtl	AP(ap_gdtr)
	mov	%cr0, %eax
	or	$1, %eax
	mov	%eax, %cr0
	ljmpl	$0x08, $ap32
ap_gdtr:
	.word	gdt_end - gdt - 1
	.long	gdt
ap_end:
	.code32
ap32:
	mov	$0x10, %ax
	mov	%ax, %ds
	mov	%ax, %es
	mov	%ax, %ss
	lidt	idt_desc
	mov	0xfee00020, %eax	/* APIC ID in bits 31:24 */
	shr	$24, %eax
	and	$7, %eax
	mov	%eax, %esp
	shl	$8, %esp
	add	$AP_BASE + 0x200, %esp	/* 256 bytes each, above the code */
	lock incl ap_seen(, %eax, 4)
	lock incl ap_count
	movl	$0x1ff, 0xfee000f0	/* software-enabled */
	movl	$0xb, 0xfee003e0	/* timer: divide by 1, one-shot, 0x40 */
	movl	$0x40, 0xfee00320
	mov	%eax, %ebx
	movl	$100000, 0xfee00380
1:	sti
	hlt
	cli
	cmpl	$0, timer_ticks(, %ebx, 4)	/* its own tick, not another wake-up */
	je	1b
	movl	$0, 0xfee00310		/* ICR: to APIC 0 */
	movl	$0x4041, 0xfee00300	/* fixed, vector 0x41 */
	lock incl ap_done
2:	sti
	hlt
	jmp	2b

	.data
	.align 16
gdt:
	.quad	0
	.quad	0x00cf9a000000ffff	/* 0x08 code, 32-bit, flat */
	.quad	0x00cf92000000ffff	/* 0x10 data, flat */
	.quad	0x00af9a000000ffff	/* 0x18 code, 64-bit */
	.quad	0x00009a000000ffff	/* 0x20 code, 16-bit, base 0 */
	.quad	0x000092000000ffff	/* 0x28 data, 16-bit, base 0 */
gdt_end:
gdtr:
	.word	gdt_end - gdt - 1
	.long	gdt

	.bss
	.align 16
	.space	16384
stack_top:
