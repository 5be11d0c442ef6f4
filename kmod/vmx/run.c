// SPDX-License-Identifier: GPL-2.0
/*
 * minivm VMX backend: entering the guest and decoding its exits for the
 * core (../exit.c), resolving only what is VMX's own: host interrupts and
 * NMIs, #DB and #AC reflected into the guest, MOV to and from control
 * registers (SVM does not intercept them), and events whose delivery an exit
 * interrupted.
 */
#include <linux/percpu.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/trapnr.h>
#include <asm/vmx.h>
#include "../arch_state.h"
#include "vcpu.h"
#include "vmcs.h"
#include "vmx.h"

/*
 * Past the instruction that exited at @rip, which ends an STI or MOV SS
 * shadow it was in: left set, the shadow would cover the next instruction
 * too.
 */
static __always_inline void vmx_skip_from(u64 rip)
{
	u32 intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);

	vmcs_write(GUEST_RIP, rip + vmcs_read(VM_EXIT_INSTRUCTION_LEN));
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		vmcs_write(GUEST_INTERRUPTIBILITY_INFO,
			   intr & ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS));
}

void vmx_skip(void)
{
	vmx_skip_from(vmcs_read(GUEST_RIP));
}

/* The event the next entry delivers (the core chose it: ../events.c). */
void vmx_inject_event(struct minivm_vcpu *vcpu, const struct minivm_event *ev)
{
	static const u32 types[] = {
		[MINIVM_EVENT_INTERRUPT] = INTR_TYPE_EXT_INTR,
		[MINIVM_EVENT_NMI] = INTR_TYPE_NMI_INTR,
		[MINIVM_EVENT_EXCEPTION] = INTR_TYPE_HARD_EXCEPTION,
	};
	u32 info = ev->vector | types[ev->type] | INTR_INFO_VALID_MASK;

	if (ev->has_error_code) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, ev->error_code);
	}
	/* Entry refuses an NMI while NMIs are blocked; delivering it blocks them. */
	if (ev->type == MINIVM_EVENT_NMI) {
		u32 intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);

		if (intr & GUEST_INTR_STATE_NMI)
			vmcs_write(GUEST_INTERRUPTIBILITY_INFO, intr & ~GUEST_INTR_STATE_NMI);
	}
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, info);
}

/* Interrupt-window and NMI-window exiting, as the core asks (MINIVM_WINDOW_*). */
void vmx_set_windows(struct minivm_vcpu *vcpu, unsigned int windows)
{
	struct vmx_vcpu *v = vcpu->be;
	u32 proc = v->proc & ~(CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_NMI_WINDOW_EXITING);

	if (windows & MINIVM_WINDOW_IRQ)
		proc |= CPU_BASED_INTR_WINDOW_EXITING;
	if (windows & MINIVM_WINDOW_NMI)
		proc |= CPU_BASED_NMI_WINDOW_EXITING;
	if (proc != v->proc) {
		v->proc = proc;
		vmcs_write(CPU_BASED_VM_EXEC_CONTROL, proc);
	}
}

/*
 * A #DB exited: deliver it to the guest as the CPU would have. INT1 (ICEBP)
 * is a trap: the guest goes past it and takes the #DB there; a breakpoint
 * or single step updates DR6, DR7 and RFLAGS first (../arch_state.c).
 */
static void vmx_reflect_db(struct minivm_vcpu *vcpu, u32 intr)
{
	struct vmx_vcpu *v = vcpu->be;
	u64 dr7, rflags;

	/*
	 * INT1 is a trap: past it, a #DB delivered as by the hardware pushes
	 * the same RIP the instruction would have.
	 */
	if ((intr & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_PRIV_SW_EXCEPTION) {
		vmx_skip();
		minivm_event_reinject(vcpu, MINIVM_EVENT_EXCEPTION, X86_TRAP_DB, false, 0);
		return;
	}
	dr7 = vmcs_read(GUEST_DR7);
	rflags = vmcs_read(GUEST_RFLAGS);
	minivm_db_deliver(vmcs_read(EXIT_QUALIFICATION), &v->dr6, &dr7, &rflags);
	vmcs_write(GUEST_DR7, dr7);
	vmcs_write(GUEST_RFLAGS, rflags);
	/*
	 * Entry insists that a single step held back by STI or MOV SS blocking
	 * is pending (SDM 26.3.1.5): the handler's IRET may return into one.
	 */
	if ((rflags & X86_EFLAGS_TF) &&
	    (vmcs_read(GUEST_INTERRUPTIBILITY_INFO) &
	     (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)))
		vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS,
			   vmcs_read(GUEST_PENDING_DBG_EXCEPTIONS) | DR_STEP);
	minivm_event_reinject(vcpu, MINIVM_EVENT_EXCEPTION, X86_TRAP_DB, false, 0);
}

/*
 * The exit interrupted the delivery of an event (IDT-vectoring information):
 * deliver it again on the next entry, or it is lost. Software interrupts
 * and exceptions (INT n, INT3, INTO, INT1) are not: RIP still points at
 * the instruction, which runs again and raises them anew. An exception
 * that exits itself replaces the event (the handler of the exit injects
 * it), as #DB and #AC, both benign, are delivered serially.
 */
static void vmx_reinject(struct minivm_vcpu *vcpu, u32 idt)
{
	u32 type = idt & VECTORING_INFO_TYPE_MASK;
	u8 what;

	switch (type) {
	case INTR_TYPE_EXT_INTR:
		what = MINIVM_EVENT_INTERRUPT;
		break;
	case INTR_TYPE_NMI_INTR:
		what = MINIVM_EVENT_NMI;
		break;
	case INTR_TYPE_HARD_EXCEPTION:
		what = MINIVM_EVENT_EXCEPTION;
		break;
	default:
		return;
	}
	minivm_event_reinject(vcpu, what, idt & VECTORING_INFO_VECTOR_MASK,
			      idt & VECTORING_INFO_DELIVER_CODE_MASK,
			      vmcs_read(IDT_VECTORING_ERROR_CODE));
}

static u64 vmx_gpr(struct minivm_vcpu *vcpu, unsigned int reg)
{
	return reg == MINIVM_RSP ? vmcs_read(GUEST_RSP) : vcpu->gpr[reg];
}

static void vmx_set_gpr(struct minivm_vcpu *vcpu, unsigned int reg, u64 value)
{
	if (reg == MINIVM_RSP)
		vmcs_write(GUEST_RSP, value);
	else
		vcpu->gpr[reg] = value;
}

/*
 * With EPT, VM entry takes the PAE PDPTEs from the VMCS: a MOV minivm
 * emulates that enters (or stays in) PAE paging waits, and the core reads
 * them with interrupts on. 1: deferred, RIP not moved yet.
 */
static int vmx_defer_to_pdptes(struct vmx_vcpu *v, int what, u64 val, struct minivm_exit *exit)
{
	v->pdptes_for = what;
	v->pdptes_val = val;
	exit->kind = MINIVM_KIND_PDPTES;
	exit->gpa = what == PDPTES_FOR_CR3 ? val : vmcs_read(GUEST_CR3);
	return 1;
}

/* MOV to or from a control register, CLTS, LMSW: 0 done, -EINVAL #GP, 1 deferred. */
static int vmx_cr_access(struct minivm_vcpu *vcpu, u64 qual, struct minivm_exit *exit)
{
	struct vmx_vcpu *v = vcpu->be;
	unsigned int cr = qual & 15, type = (qual >> 4) & 3, reg = (qual >> 8) & 15;
	u64 val, efer, cr0 = vmx_guest_cr0();

	switch (type) {
	case 0:		/* MOV to CR */
		val = vmx_gpr(vcpu, reg);
		switch (cr) {
		case 0:
			efer = vmcs_read(GUEST_IA32_EFER);
			if (val >> 32 || (val & X86_CR0_PG && !(val & X86_CR0_PE)) ||
			    ((val & X86_CR0_PG) && (efer & EFER_LME) &&
			     !(vmx_guest_cr4() & X86_CR4_PAE)))
				return -EINVAL;
			/* The mode the write leaves: with LME, paging on is long mode. */
			if ((val & X86_CR0_PG) && (efer & EFER_LME))
				efer |= EFER_LMA;
			if (!(cr0 & X86_CR0_PG) && minivm_pae_paging(val, vmx_guest_cr4(), efer))
				return vmx_defer_to_pdptes(v, PDPTES_FOR_CR0, val, exit);
			vmx_set_cr0(v, val);
			return 0;
		case 3:
			efer = vmcs_read(GUEST_IA32_EFER);
			if (minivm_pae_paging(cr0, vmx_guest_cr4(), efer))
				return vmx_defer_to_pdptes(v, PDPTES_FOR_CR3, val, exit);
			vmcs_write(GUEST_CR3, val);
			return 0;
		case 4:
			if (val & ~minivm_cr4_allowed())
				return -EINVAL;
			vmx_set_cr4(val);
			return 0;
		case 8:
			if (val & ~15ULL)
				return -EINVAL;
			v->cr8 = val;
			return 0;
		}
		return -EINVAL;
	case 1:		/* MOV from CR */
		if (cr == 3)
			vmx_set_gpr(vcpu, reg, vmcs_read(GUEST_CR3));
		else if (cr == 8)
			vmx_set_gpr(vcpu, reg, v->cr8);
		else
			return -EINVAL;
		return 0;
	case 2:		/* CLTS */
		vmx_set_cr0(v, cr0 & ~X86_CR0_TS);
		return 0;
	default:	/* LMSW: the low four bits; PE cannot be cleared */
		val = (qual >> 16) & 15;
		vmx_set_cr0(v, (cr0 & ~0xeULL) | val | (cr0 & X86_CR0_PE));
		return 0;
	}
}

/* The instructions a guest may not use: they raise #UD in it. */
static bool vmx_exit_is_ud(u32 reason)
{
	switch (reason) {
	case EXIT_REASON_VMCLEAR:
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMWRITE:
	case EXIT_REASON_VMOFF:
	case EXIT_REASON_VMON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_VMFUNC:
	case EXIT_REASON_MONITOR_INSTRUCTION:
	case EXIT_REASON_MWAIT_INSTRUCTION:
	case 11:	/* GETSEC: SMX is hidden */
		return true;
	}
	return false;
}

/* What the core needs of an I/O exit's qualification (SDM table 28-5). */
static void vmx_decode_io(u64 qual, struct minivm_exit *exit)
{
	exit->kind = MINIVM_KIND_IO;
	exit->io.port = qual >> 16;
	exit->io.size = (qual & 7) + 1;
	exit->io.in = qual & BIT(3);
	exit->io.string = qual & BIT(4);
	exit->io.rep = qual & BIT(5);
}

/*
 * Exits that are one instruction of a fixed kind: looked up in one load
 * rather than found down the switch's tree of compares (the kernel builds
 * without jump tables). Kind 0 (CONTINUE) means "not here".
 */
static const u8 vmx_insn_exits[] = {
	[EXIT_REASON_CPUID] = MINIVM_KIND_CPUID,
	[EXIT_REASON_HLT] = MINIVM_KIND_HLT,
	[EXIT_REASON_INVD] = MINIVM_KIND_INVD,
	[EXIT_REASON_VMCALL] = MINIVM_KIND_HYPERCALL,
	[EXIT_REASON_MSR_READ] = MINIVM_KIND_RDMSR,
	[EXIT_REASON_MSR_WRITE] = MINIVM_KIND_WRMSR,
	[EXIT_REASON_XSETBV] = MINIVM_KIND_XSETBV,
};

/*
 * Decode the exit for the core. What is VMX's alone is done here: reflected
 * #DB and #AC, CR accesses (which SVM does not intercept), interrupts.
 */
static void vmx_decode_exit(struct minivm_vcpu *vcpu, u32 reason, struct minivm_exit *exit)
{
	u64 qual = exit->qualification;

	exit->kind = MINIVM_KIND_CONTINUE;
	if (reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
		exit->kind = MINIVM_KIND_FAIL_ENTRY;
		exit->info = 0;
		return;
	}
	if (reason < ARRAY_SIZE(vmx_insn_exits) && vmx_insn_exits[reason]) {
		exit->kind = vmx_insn_exits[reason];
		return;
	}
	switch (reason) {
	case EXIT_REASON_EXCEPTION_NMI: {
		u32 intr = exit->info;

		if ((intr & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
			return;	/* handled right after the exit */
		if ((intr & INTR_INFO_VECTOR_MASK) == X86_TRAP_DB) {
			vmx_reflect_db(vcpu, intr);
			return;
		}
		if ((intr & INTR_INFO_VECTOR_MASK) == X86_TRAP_AC) {
			/* Its error code is 0. */
			minivm_event_reinject(vcpu, MINIVM_EVENT_EXCEPTION, X86_TRAP_AC, true, 0);
			return;
		}
		break;
	}
	case EXIT_REASON_DR_ACCESS:
		exit->kind = MINIVM_KIND_DR_ACCESS;	/* runs again, owned */
		return;
	case EXIT_REASON_EXTERNAL_INTERRUPT:
		return;		/* still pending: the host takes it once IF is set */
	case EXIT_REASON_PREEMPTION_TIMER:
		return;		/* the host had its turn */
	case EXIT_REASON_INTERRUPT_WINDOW:
		exit->kind = MINIVM_KIND_IRQ_WINDOW;
		return;
	case EXIT_REASON_NMI_WINDOW:
		exit->kind = MINIVM_KIND_NMI_WINDOW;
		return;
	case EXIT_REASON_EPT_VIOLATION:
		exit->kind = MINIVM_KIND_FAULT;
		exit->gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
		exit->access = (qual & EPT_VIOLATION_ACC_WRITE) ? MINIVM_ACCESS_WRITE :
			       (qual & EPT_VIOLATION_ACC_INSTR) ? MINIVM_ACCESS_FETCH :
			       MINIVM_ACCESS_READ;
		return;
	case EXIT_REASON_CR_ACCESS: {
		int ret = vmx_cr_access(vcpu, qual, exit);

		if (ret < 0)
			minivm_queue_exception(vcpu, X86_TRAP_GP, 0);
		else if (!ret)
			vmx_skip();
		return;
	}
	case EXIT_REASON_IO_INSTRUCTION:
		vmx_decode_io(qual, exit);
		return;
	case EXIT_REASON_TRIPLE_FAULT:
		exit->kind = MINIVM_KIND_SHUTDOWN;
		return;
	}
	exit->kind = vmx_exit_is_ud(reason) ? MINIVM_KIND_UD : MINIVM_KIND_OTHER;
}

/* minivm_exit's second information field (uapi/linux/minivm_trace.h). */
static u64 vmx_exit_info2(u32 reason, u32 intr_info)
{
	if (reason == EXIT_REASON_EPT_VIOLATION || reason == EXIT_REASON_EPT_MISCONFIG)
		return vmcs_read(GUEST_PHYSICAL_ADDRESS);
	return intr_info;
}

/*
 * At the first entry of the core's series: the host state VM exit changes
 * and the host gets back in vmx_leave(). VM exit loads null DS, ES and FS
 * and the VMCS's FS base (the task's, kept there), a 0xffff GDT limit and a
 * 0x67 TSS limit: none of which the kernel's own code between the entries
 * uses, interrupts off (KVM defers the same until its vCPU is put).
 */
static void vmx_save_host(struct minivm_vcpu *vcpu, struct vmx_vcpu *v)
{
	u64 fs_base;

	savesegment(ds, v->host_ds);
	savesegment(es, v->host_es);
	savesegment(fs, v->host_fs);
	rdmsrl(MSR_FS_BASE, fs_base);
	if (fs_base != v->host_fs_base) {
		vmcs_write(HOST_FS_BASE, fs_base);
		v->host_fs_base = fs_base;
	}
	v->host_debugctl = get_debugctlmsr();
	vcpu->host_deferred = true;
}

/* What vmx_save_host() kept goes back: the series of entries ends. */
static __always_inline void vmx_restore_host(struct minivm_vcpu *vcpu, struct vmx_vcpu *v)
{
	if (v->host_ds)
		loadsegment(ds, v->host_ds);
	if (v->host_es)
		loadsegment(es, v->host_es);
	if (v->host_fs) {
		loadsegment(fs, v->host_fs);
		wrmsrl(MSR_FS_BASE, v->host_fs_base);
	}
	load_fixmap_gdt(smp_processor_id());
	invalidate_tss_limit();
	vcpu->host_deferred = false;
}

void vmx_leave(struct minivm_vcpu *vcpu)
{
	vmx_restore_host(vcpu, vcpu->be);
}

/*
 * Most exits end the series, and the host's state goes back at once, here.
 * After one the core nearly always finishes in the kernel and enters again
 * from, it waits for vmx_leave(); port I/O is not among those here, as
 * most of it goes to userspace.
 */
static __always_inline void vmx_restore_unless_reentry(struct minivm_vcpu *vcpu,
						       struct vmx_vcpu *v,
						       const struct minivm_exit *exit)
{
	if (!(BIT(exit->kind) & MINIVM_REENTER_KINDS & ~BIT(MINIVM_KIND_IO)))
		vmx_restore_host(vcpu, v);
}

void vmx_vcpu_run(struct minivm_vcpu *vcpu, bool flush, struct minivm_exit *exit)
{
	struct vmx_vcpu *v = vcpu->be;
	u64 cr3 = __read_cr3(), cr4 = cr4_read_shadow();
	u32 reason, idt;
	int failed;

	if (flush)
		vmx_invept(vmx_ctl.invept_single ? VMX_EPT_EXTENT_CONTEXT : VMX_EPT_EXTENT_GLOBAL,
			   v->eptp);
	/* Host state that follows the task or may have changed since. */
	if (cr3 != v->host_cr3) {
		vmcs_write(HOST_CR3, cr3);
		v->host_cr3 = cr3;
	}
	if (cr4 != v->host_cr4) {
		vmcs_write(HOST_CR4, cr4);
		v->host_cr4 = cr4;
	}
	if (!vcpu->host_deferred)
		vmx_save_host(vcpu, v);
	if (read_cr2() != v->cr2)
		write_cr2(v->cr2);
	if (vcpu->dr_guest_owned)
		set_debugreg(v->dr6, 6);
	if (v->long_mode && !v->syscall_msrs_loaded)
		vmx_load_syscall_msrs(vcpu);

	failed = minivm_vmx_enter(vcpu->gpr, v->launched);

	v->cr2 = read_cr2();
	if (vcpu->dr_guest_owned)
		get_debugreg(v->dr6, 6);
	/* VM exit clears IA32_DEBUGCTL (BTF, LBR): the host's comes back. */
	if (v->host_debugctl)
		update_debugctlmsr(v->host_debugctl);

	exit->rip = vmcs_read(GUEST_RIP);
	exit->qualification = vmcs_read(EXIT_QUALIFICATION);
	if (failed) {
		exit->kind = MINIVM_KIND_FAIL_ENTRY;
		exit->hw_reason = 0;
		exit->info = vmcs_read(VM_INSTRUCTION_ERROR);
		/* Nothing was delivered: the core gives the event again. */
		vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
		vmx_restore_host(vcpu, v);
		return;
	}
	v->launched = true;
	reason = vmcs_read(VM_EXIT_REASON);
	exit->hw_reason = reason & 0xffff;
	exit->info = vmcs_read(VM_EXIT_INTR_INFO);
	if (reason == EXIT_REASON_EXCEPTION_NMI &&
	    (exit->info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
		minivm_vmx_do_nmi();
	minivm_trace_exit(vcpu, MINIVM_VENDOR_INTEL_VMX, exit->hw_reason, exit->rip,
			  exit->qualification, vmx_exit_info2(exit->hw_reason, exit->info));
	if (reason & VMX_EXIT_REASONS_FAILED_VMENTRY)
		vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	idt = vmcs_read(IDT_VECTORING_INFO_FIELD);
	if (idt & VECTORING_INFO_VALID_MASK)
		vmx_reinject(vcpu, idt);
	vmx_decode_exit(vcpu, reason, exit);
	vmx_restore_unless_reentry(vcpu, v, exit);
}

/* The core's skip: the exit's RIP is still the guest's, one VMREAD fewer. */
void vmx_skip_insn(struct minivm_vcpu *vcpu, const struct minivm_exit *exit)
{
	vmx_skip_from(exit->rip);
}
