/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm VMX: one trip into the guest, and the host's NMI handler.
 *
 * VM entry loads RSP, RIP and RFLAGS from the VMCS and nothing else of the
 * general registers: the guest's are loaded from gpr[] just before
 * VMLAUNCH/VMRESUME and stored back right after the exit, which lands on
 * minivm_vmx_return (HOST_RIP) with the stack pointer saved in HOST_RSP.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/segment.h>

#define HOST_RSP_FIELD	0x6c14

/* Offsets in the u64 gpr[] array: the hardware's register numbering. */
#define G_RAX	(0 * 8)
#define G_RCX	(1 * 8)
#define G_RDX	(2 * 8)
#define G_RBX	(3 * 8)
#define G_RBP	(5 * 8)
#define G_RSI	(6 * 8)
#define G_RDI	(7 * 8)
#define G_R8	(8 * 8)
#define G_R9	(9 * 8)
#define G_R10	(10 * 8)
#define G_R11	(11 * 8)
#define G_R12	(12 * 8)
#define G_R13	(13 * 8)
#define G_R14	(14 * 8)
#define G_R15	(15 * 8)

	.text
/*
 * int minivm_vmx_enter(u64 *gpr, bool launched): 0 after a VM exit (or a
 * failed entry reported as an exit), 1 when VMLAUNCH/VMRESUME itself
 * failed (VMfail: read VM_INSTRUCTION_ERROR).
 */
SYM_FUNC_START(minivm_vmx_enter)
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	push	%rdi			/* gpr, found again after the exit */

	mov	$HOST_RSP_FIELD, %eax
	vmwrite	%rsp, %rax

	cmpb	$0, %sil		/* the flags survive the loads below */
	mov	G_RAX(%rdi), %rax
	mov	G_RCX(%rdi), %rcx
	mov	G_RDX(%rdi), %rdx
	mov	G_RBX(%rdi), %rbx
	mov	G_RBP(%rdi), %rbp
	mov	G_RSI(%rdi), %rsi
	mov	G_R8(%rdi), %r8
	mov	G_R9(%rdi), %r9
	mov	G_R10(%rdi), %r10
	mov	G_R11(%rdi), %r11
	mov	G_R12(%rdi), %r12
	mov	G_R13(%rdi), %r13
	mov	G_R14(%rdi), %r14
	mov	G_R15(%rdi), %r15
	mov	G_RDI(%rdi), %rdi
	jne	1f
	vmlaunch
	jmp	minivm_vmx_return
1:	vmresume
	/*
	 * A VM exit lands here with RFLAGS cleared; a failed VMLAUNCH or
	 * VMRESUME falls through with CF or ZF set. Nothing below changes the
	 * flags before SETBE reads them.
	 */
SYM_INNER_LABEL(minivm_vmx_return, SYM_L_GLOBAL)
	push	%rax
	mov	8(%rsp), %rax
	pop	G_RAX(%rax)
	mov	%rcx, G_RCX(%rax)
	mov	%rdx, G_RDX(%rax)
	mov	%rbx, G_RBX(%rax)
	mov	%rbp, G_RBP(%rax)
	mov	%rsi, G_RSI(%rax)
	mov	%rdi, G_RDI(%rax)
	mov	%r8, G_R8(%rax)
	mov	%r9, G_R9(%rax)
	mov	%r10, G_R10(%rax)
	mov	%r11, G_R11(%rax)
	mov	%r12, G_R12(%rax)
	mov	%r13, G_R13(%rax)
	mov	%r14, G_R14(%rax)
	mov	%r15, G_R15(%rax)
	setbe	%al
	movzbl	%al, %eax

	/* Leave no guest value in a register the caller may look at. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	add	$8, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	RET
SYM_FUNC_END(minivm_vmx_enter)

/*
 * void minivm_vmx_do_nmi(void): an NMI made the guest exit and is consumed;
 * run the kernel's NMI handler as if the NMI had hit here, with the
 * interrupt frame it returns through by IRET.
 */
SYM_FUNC_START(minivm_vmx_do_nmi)
	push	%rbp
	mov	%rsp, %rbp
	and	$-16, %rsp
	push	$__KERNEL_DS
	push	%rbp
	pushf
	push	$__KERNEL_CS
	call	asm_exc_nmi_noist
	/* IRET restored RSP already; say so for objtool. */
	mov	%rbp, %rsp
	pop	%rbp
	RET
SYM_FUNC_END(minivm_vmx_do_nmi)
