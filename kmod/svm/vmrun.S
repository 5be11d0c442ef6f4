/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm SVM: one trip into the guest.
 *
 * VMRUN switches only RAX, RSP, RIP, RFLAGS and the control registers; the
 * other general registers are the guest's on the way in and out, and
 * VMLOAD/VMSAVE move the rest (FS, GS, TR, LDTR with their hidden parts,
 * KernelGSBase and the SYSCALL/SYSENTER MSRs) between the CPU and a VMCB-
 * format page. So: save the host's share, load the guest's, run, and the
 * reverse. Called with GIF clear, so nothing can interrupt the host half
 * way (an NMI waits until STGI).
 */
#include <linux/linkage.h>
#include <asm/asm.h>

/* Offsets in the u64 gpr[] array: the hardware's register numbering. */
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
 * void minivm_svm_vmrun(u64 vmcb_pa, u64 *gpr, u64 host_save_pa)
 * RAX and RSP of the guest live in the VMCB.
 */
SYM_FUNC_START(minivm_svm_vmrun)
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	push	%rsi			/* 16(%rsp): gpr */
	push	%rdx			/*  8(%rsp): host save area */
	push	%rdi			/*  0(%rsp): VMCB */

	mov	%rdx, %rax
	vmsave	%rax

	mov	G_RCX(%rsi), %rcx
	mov	G_RDX(%rsi), %rdx
	mov	G_RBX(%rsi), %rbx
	mov	G_RBP(%rsi), %rbp
	mov	G_RDI(%rsi), %rdi
	mov	G_R8(%rsi), %r8
	mov	G_R9(%rsi), %r9
	mov	G_R10(%rsi), %r10
	mov	G_R11(%rsi), %r11
	mov	G_R12(%rsi), %r12
	mov	G_R13(%rsi), %r13
	mov	G_R14(%rsi), %r14
	mov	G_R15(%rsi), %r15
	mov	G_RSI(%rsi), %rsi

	mov	(%rsp), %rax
	vmload	%rax
	vmrun	%rax
	vmsave	%rax

	mov	16(%rsp), %rax
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

	mov	8(%rsp), %rax
	vmload	%rax

	/* Leave no guest value in a register the caller may look at. */
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d

	add	$24, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	RET
SYM_FUNC_END(minivm_svm_vmrun)
