// SPDX-License-Identifier: GPL-2.0
/*
 * minivm SVM backend: entering the guest and decoding its exits for the
 * core (../exit.c), resolving only what is SVM's own: host interrupts and
 * NMIs, #DB and #AC reflected into the guest, and events whose delivery an
 * exit interrupted.
 */
#include <linux/percpu.h>
#include <asm/debugreg.h>
#include <asm/trapnr.h>
#include <asm/svm.h>
#include "../arch_state.h"
#include "svm.h"
#include "vcpu.h"

/* EXITINFO1 of a nested page fault: the page-fault error code. */
#define NPF_WRITE	BIT(1)
#define NPF_RSVD	BIT(3)
#define NPF_FETCH	BIT(4)

/* The event the next entry delivers (the core chose it: ../events.c). */
void svm_inject_event(struct minivm_vcpu *vcpu, const struct minivm_event *ev)
{
	static const u32 types[] = {
		[MINIVM_EVENT_INTERRUPT] = SVM_EVTINJ_TYPE_INTR,
		[MINIVM_EVENT_NMI] = SVM_EVTINJ_TYPE_NMI,
		[MINIVM_EVENT_EXCEPTION] = SVM_EVTINJ_TYPE_EXEPT,
	};
	struct svm_vcpu *svm = vcpu->be;
	struct vmcb_control_area *c = &svm->vmcb->control;

	c->event_inj = ev->vector | types[ev->type] | SVM_EVTINJ_VALID |
		       (ev->has_error_code ? SVM_EVTINJ_VALID_ERR : 0);
	c->event_inj_err = ev->error_code;
	/*
	 * SVM keeps no NMI blocking for the guest: minivm does, from the
	 * delivery to the guest's next IRET, which exits.
	 */
	if (ev->type == MINIVM_EVENT_NMI)
		svm_set_nmi_masked(svm, true);
}

/* The core's window exits (MINIVM_WINDOW_*); applied at each entry. */
void svm_set_windows(struct minivm_vcpu *vcpu, unsigned int windows)
{
	((struct svm_vcpu *)vcpu->be)->windows = windows;
}

/*
 * In an interrupt shadow the window opens after the one instruction the
 * shadow covers. VMRUN takes the shadow from int_state, and the CPU takes
 * V_IRQ after that instruction; QEMU's SVM does not load int_state and
 * takes V_IRQ before it: a guest that exited between STI and HLT got its
 * interrupt before the HLT, and then halted for good. So while a shadow
 * holds there is no V_IRQ: the guest is stepped over the instruction
 * (RFLAGS.TF; #DB is always intercepted), as KVM steps over an IRET for its
 * NMI window, and the window comes at the exit after it. Not when an event
 * is injected: its delivery ends the shadow. The corners are KVM's too: a
 * PUSHF in the shadow saves TF set, a POPF there has its TF undone.
 */
static void svm_step_shadow(struct svm_vcpu *svm)
{
	struct vmcb_save_area *s = &svm->vmcb->save;

	svm->stepping = true;
	svm->step_rip = s->rip;
	svm->step_dr6 = s->dr6;
	svm->step_tf = s->rflags & X86_EFLAGS_TF;
	s->rflags |= X86_EFLAGS_TF;
}

/*
 * The exit after a step: the guest's TF back, and a shadow whose
 * instruction did not run (an interrupt or a nested page fault exited
 * first, and QEMU then reports no shadow) still holds. Return: true when
 * the exit is the step's own #DB, which the guest must not see; a
 * breakpoint the instruction hit too is the guest's #DB, reflected.
 */
static bool svm_step_done(struct svm_vcpu *svm, u32 code)
{
	struct vmcb *vmcb = svm->vmcb;
	struct vmcb_save_area *s = &vmcb->save;
	u64 hit;

	svm->stepping = false;
	if (!svm->step_tf)
		s->rflags &= ~X86_EFLAGS_TF;
	if (s->rip == svm->step_rip && (code == SVM_EXIT_INTR || code == SVM_EXIT_NMI ||
					code == SVM_EXIT_SMI || code == SVM_EXIT_NPF))
		vmcb->control.int_state |= SVM_INTERRUPT_SHADOW_MASK;
	if (code != SVM_EXIT_EXCP_BASE + X86_TRAP_DB || svm->step_tf)
		return false;
	hit = s->dr6 & ~svm->step_dr6 & (DR_TRAP_BITS | MINIVM_DR6_BD);
	s->dr6 = (svm->step_dr6 & ~(u64)DR_TRAP_BITS) | hit;
	return !hit;
}

/*
 * The interrupt window is a virtual interrupt the guest would take (V_IRQ,
 * any priority) whose interception exits instead. It serves the NMI window
 * too once the IRET that unblocks NMIs has been seen: the exit after it
 * finds NMIs unblocked.
 */
static void svm_apply_windows(struct svm_vcpu *svm)
{
	struct vmcb_control_area *c = &svm->vmcb->control;
	bool vintr = (svm->windows & MINIVM_WINDOW_IRQ) ||
		     ((svm->windows & MINIVM_WINDOW_NMI) && !(svm->nmi_masked && !svm->nmi_iret));

	if (unlikely(vintr && (c->int_state & SVM_INTERRUPT_SHADOW_MASK) &&
		     !(c->event_inj & SVM_EVTINJ_VALID))) {
		svm_step_shadow(svm);
		vintr = false;
	}
	if (vintr) {
		c->int_ctl |= V_IRQ_MASK | V_IGN_TPR_MASK;
		c->intercepts[INTERCEPT_VINTR / 32] |= BIT(INTERCEPT_VINTR % 32);
	} else if (c->int_ctl & V_IRQ_MASK) {
		c->int_ctl &= ~(V_IRQ_MASK | V_IGN_TPR_MASK);
		c->intercepts[INTERCEPT_VINTR / 32] &= ~BIT(INTERCEPT_VINTR % 32);
	}
}

/*
 * A #DB exited: the CPU has updated the guest's DR6 in the VMCB as for a
 * delivery; update DR7 and RFLAGS as delivery would (../arch_state.c) and
 * deliver it.
 */
static void svm_reflect_db(struct minivm_vcpu *vcpu, struct vmcb *vmcb)
{
	struct vmcb_save_area *s = &vmcb->save;

	minivm_db_deliver(s->dr6, &s->dr6, &s->dr7, &s->rflags);
	minivm_event_reinject(vcpu, MINIVM_EVENT_EXCEPTION, X86_TRAP_DB, false, 0);
}

/*
 * The exit interrupted the delivery of an event (EXITINTINFO): deliver it
 * again on the next entry, or it is lost. Software interrupts and INT3/INTO
 * are not: RIP still points at the instruction, which runs again and raises
 * them anew. An exception that exits itself replaces the event (its handler
 * injects it), as #DB and #AC, both benign, are delivered serially.
 */
static void svm_reinject(struct minivm_vcpu *vcpu, struct vmcb *vmcb)
{
	u32 info = vmcb->control.exit_int_info;
	u32 type = info & SVM_EXITINTINFO_TYPE_MASK, vector = info & SVM_EXITINTINFO_VEC_MASK;
	u8 what;

	switch (type) {
	case SVM_EXITINTINFO_TYPE_INTR:
		what = MINIVM_EVENT_INTERRUPT;
		break;
	case SVM_EXITINTINFO_TYPE_NMI:
		what = MINIVM_EVENT_NMI;
		break;
	case SVM_EXITINTINFO_TYPE_EXEPT:
		if (vector == X86_TRAP_BP || vector == X86_TRAP_OF)
			return;
		what = MINIVM_EVENT_EXCEPTION;
		break;
	default:
		return;
	}
	minivm_event_reinject(vcpu, what, vector, info & SVM_EXITINTINFO_VALID_ERR,
			      vmcb->control.exit_int_info_err);
}

/*
 * Step over the intercepted instruction. The CPU reports the next RIP
 * (NRIPS); an emulated CPU may leave it zero, as it was set before VMRUN,
 * and then the instruction's length is used (svm_decode_exit()).
 */
void svm_skip_insn(struct minivm_vcpu *vcpu, const struct minivm_exit *exit)
{
	struct vmcb *vmcb = ((struct svm_vcpu *)vcpu->be)->vmcb;

	vmcb->save.rip = vmcb->control.next_rip ?: vmcb->save.rip + exit->insn_len;
	/* The instruction ends the interrupt shadow it was in. */
	vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
}

/*
 * What the core needs of an IOIO exit's EXITINFO1 (APM 15.10.2). EXITINFO2
 * holds the next RIP with or without NRIPS: the skip adds the distance to
 * it, which in 64 bits lands on it exactly, an EIP that wrapped included.
 */
static void svm_decode_io(const struct vmcb *vmcb, u64 info, struct minivm_exit *exit)
{
	exit->kind = MINIVM_KIND_IO;
	exit->insn_len = vmcb->control.exit_info_2 - vmcb->save.rip;
	exit->io.port = info >> 16;
	exit->io.size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;	/* 1, 2 or 4 */
	exit->io.in = info & SVM_IOIO_TYPE_MASK;
	exit->io.string = info & SVM_IOIO_STR_MASK;
	exit->io.rep = info & SVM_IOIO_REP_MASK;
}

/*
 * Intercepts that are one instruction of a fixed kind, with its length for
 * a CPU that reports no next RIP: looked up in one load rather than found
 * down the switch's tree of compares (the kernel builds without jump
 * tables). Kind 0 (CONTINUE) means "not here".
 */
static const struct {
	u8 kind;
	u8 len;
} svm_insn_exits[] = {
	[SVM_EXIT_CPUID] = { MINIVM_KIND_CPUID, 2 },
	[SVM_EXIT_HLT] = { MINIVM_KIND_HLT, 1 },
	[SVM_EXIT_INVD] = { MINIVM_KIND_INVD, 2 },
	[SVM_EXIT_VMMCALL] = { MINIVM_KIND_HYPERCALL, 3 },
	[SVM_EXIT_XSETBV] = { MINIVM_KIND_XSETBV, 3 },
	/* What the guest may not execute: #UD, the instruction not run. */
	[SVM_EXIT_VMRUN] = { MINIVM_KIND_UD },
	[SVM_EXIT_VMLOAD] = { MINIVM_KIND_UD },
	[SVM_EXIT_VMSAVE] = { MINIVM_KIND_UD },
	[SVM_EXIT_STGI] = { MINIVM_KIND_UD },
	[SVM_EXIT_CLGI] = { MINIVM_KIND_UD },
	[SVM_EXIT_SKINIT] = { MINIVM_KIND_UD },
	[SVM_EXIT_INVLPGA] = { MINIVM_KIND_UD },
	[SVM_EXIT_RDTSCP] = { MINIVM_KIND_UD },
	[SVM_EXIT_MONITOR] = { MINIVM_KIND_UD },
	[SVM_EXIT_MWAIT] = { MINIVM_KIND_UD },
	[SVM_EXIT_MWAIT_COND] = { MINIVM_KIND_UD },
};

/*
 * Decode the exit for the core. What is SVM's alone is done here: reflected
 * #DB and #AC, interrupts.
 */
static void svm_decode_exit(struct minivm_vcpu *vcpu, struct vmcb *vmcb, u32 code,
			    struct minivm_exit *exit)
{
	u32 err;

	if (code < ARRAY_SIZE(svm_insn_exits) && svm_insn_exits[code].kind) {
		exit->kind = svm_insn_exits[code].kind;
		exit->insn_len = svm_insn_exits[code].len;
		return;
	}
	/* The most frequent of the others: not down the switch's compares. */
	if (code == SVM_EXIT_IOIO) {
		svm_decode_io(vmcb, exit->qualification, exit);
		return;
	}
	exit->kind = MINIVM_KIND_CONTINUE;
	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
	case SVM_EXIT_INIT:
		return;		/* the host takes it once GIF is set again */
	case SVM_EXIT_NPF:
		err = exit->qualification;
		if (err & NPF_RSVD)
			break;	/* a malformed NPT entry: minivm's bug, not the guest's */
		exit->kind = MINIVM_KIND_FAULT;
		exit->gpa = exit->info;
		exit->access = (err & NPF_WRITE) ? MINIVM_ACCESS_WRITE :
			       (err & NPF_FETCH) ? MINIVM_ACCESS_FETCH : MINIVM_ACCESS_READ;
		return;
	case SVM_EXIT_MSR:
		exit->kind = exit->qualification ? MINIVM_KIND_WRMSR : MINIVM_KIND_RDMSR;
		exit->insn_len = 2;
		return;
	case SVM_EXIT_EXCP_BASE + X86_TRAP_DB:
		svm_reflect_db(vcpu, vmcb);
		return;
	case SVM_EXIT_EXCP_BASE + X86_TRAP_AC:
		/* Its error code is 0. */
		minivm_event_reinject(vcpu, MINIVM_EVENT_EXCEPTION, X86_TRAP_AC, true, 0);
		return;
	case SVM_EXIT_VINTR:
		exit->kind = MINIVM_KIND_IRQ_WINDOW;
		return;
	case SVM_EXIT_IRET: {
		struct svm_vcpu *svm = vcpu->be;

		/* NMIs unblock once this IRET is done: at the next exit past it. */
		vmcb->control.intercepts[INTERCEPT_IRET / 32] &= ~BIT(INTERCEPT_IRET % 32);
		svm->nmi_iret = true;
		svm->iret_rip = vmcb->save.rip;
		return;
	}
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_READ_DR7:
	case SVM_EXIT_WRITE_DR0 ... SVM_EXIT_WRITE_DR7:
		exit->kind = MINIVM_KIND_DR_ACCESS;	/* runs again, owned */
		return;
	case SVM_EXIT_SHUTDOWN:
		exit->kind = MINIVM_KIND_SHUTDOWN;
		return;
	case SVM_EXIT_ERR:
		exit->kind = MINIVM_KIND_FAIL_ENTRY;
		return;
	}
	exit->kind = MINIVM_KIND_OTHER;
}

void svm_vcpu_run(struct minivm_vcpu *vcpu, bool flush, struct minivm_exit *exit)
{
	struct svm_vcpu *svm = vcpu->be;
	struct vmcb *vmcb = svm->vmcb;
	u32 code;

	svm_assign_asid(svm, flush);
	svm_apply_windows(svm);
	vmcb->control.clean = 0;
	vmcb->control.next_rip = 0;
	vmcb->save.rax = vcpu->gpr[MINIVM_RAX];

	/*
	 * GIF off, then IF on: interrupts cannot reach the host before VMRUN,
	 * but with IF set they make the guest exit.
	 */
	asm volatile("clgi" ::: "memory");
	raw_local_irq_enable();
	minivm_svm_vmrun(svm->vmcb_pa, vcpu->gpr, __this_cpu_read(svm_cpu.host_save_pa));
	raw_local_irq_disable();
	asm volatile("stgi" ::: "memory");

	/*
	 * Every exit code fits in the low half; VMEXIT_INVALID is -1 there
	 * whatever the high half says (QEMU writes it as 0x00000000ffffffff),
	 * as KVM reads it too. Found by minivm-corpus: an entry failure was
	 * reported as an unhandled exit.
	 */
	code = vmcb->control.exit_code;
	exit->hw_reason = code;
	exit->qualification = vmcb->control.exit_info_1;
	exit->info = vmcb->control.exit_info_2;
	exit->rip = vmcb->save.rip;
	minivm_trace_exit(vcpu, MINIVM_VENDOR_AMD_SVM, code, exit->rip, exit->qualification,
			  exit->info);
	vmcb->control.event_inj = 0;
	if (svm->nmi_iret && vmcb->save.rip != svm->iret_rip) {
		svm->nmi_iret = false;
		svm->nmi_masked = false;
	}
	if (vmcb->control.exit_int_info & SVM_EXITINTINFO_VALID)
		svm_reinject(vcpu, vmcb);
	vcpu->gpr[MINIVM_RAX] = vmcb->save.rax;
	if (unlikely(svm->stepping) && svm_step_done(svm, code)) {
		exit->kind = MINIVM_KIND_CONTINUE;
		return;
	}
	svm_decode_exit(vcpu, vmcb, code, exit);
}
