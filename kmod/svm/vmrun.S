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
#include "../guest_gprs.inc"

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

	LOAD_GUEST_GPRS %rsi

	mov	(%rsp), %rax
	vmload	%rax
	vmrun	%rax
	vmsave	%rax

	mov	16(%rsp), %rax
	SAVE_GUEST_GPRS %rax

	mov	8(%rsp), %rax
	vmload	%rax

	CLEAR_CALLER_SAVED

	add	$24, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	RET
SYM_FUNC_END(minivm_svm_vmrun)
