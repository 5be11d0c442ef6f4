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
#include "../guest_gprs.inc"

#define HOST_RSP_FIELD	0x6c14

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
	LOAD_GUEST_GPRS %rdi
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
	SAVE_GUEST_GPRS %rax
	setbe	%al
	movzbl	%al, %eax

	CLEAR_CALLER_SAVED
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
