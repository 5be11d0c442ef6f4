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
	push	%rsi			/* 8(%rsp): gpr */
	push	%rdx			/* 0(%rsp): host save area */

	mov	%rdx, %rax
	vmsave	%rax

	mov	%rdi, %rax		/* the VMCB, until the exit's VMSAVE */
	LOAD_GUEST_GPRS %rsi

	vmload	%rax
	vmrun	%rax
	/* RAX is the host's again (VMRUN saved it): still the VMCB. */
	vmsave	%rax

	mov	8(%rsp), %rax
	SAVE_GUEST_GPRS %rax

	mov	(%rsp), %rax
	vmload	%rax

	CLEAR_CALLER_SAVED

	add	$16, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	RET
SYM_FUNC_END(minivm_svm_vmrun)
