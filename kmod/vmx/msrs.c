// SPDX-License-Identifier: GPL-2.0
/*
 * minivm VMX backend: the MSRs of SYSCALL and SWAPGS, which the VMCS does
 * not hold (SVM's VMLOAD/VMSAVE switch them).
 *
 * KERNEL_GS_BASE, STAR, LSTAR, CSTAR and SFMASK are loaded with the guest's
 * values at the first entry of a run in long mode (the only mode that uses
 * them) and the host's are put back when the run ends or its thread is
 * scheduled out (../vcpu.c's preempt notifier):
 * the host needs them only in its own user mode (SYSCALL) and at a context
 * switch (which reads KERNEL_GS_BASE as the task's user GS base), never in
 * between. Until the guest writes them they hold the reset value 0, not
 * the host's: a guest SYSCALL must never find the host's entry point.
 */
#include <asm/msr.h>
#include "vcpu.h"
#include "vmx.h"

/* The host's, the same on every CPU (syscall_init()); read at load. */
static u64 host_star, host_lstar, host_cstar, host_sfmask;

void vmx_msrs_init(void)
{
	rdmsrl(MSR_STAR, host_star);
	rdmsrl(MSR_LSTAR, host_lstar);
	rdmsrl(MSR_CSTAR, host_cstar);
	rdmsrl(MSR_SYSCALL_MASK, host_sfmask);
}

static void swap_msr(u32 index, u64 from, u64 to)
{
	if (from != to)
		wrmsrl(index, to);
}

/**
 * vmx_load_syscall_msrs() - the guest's values, before an entry in long mode
 * (SYSCALL and SWAPGS raise #UD outside 64-bit mode, and the guest's RDMSR
 * and WRMSR of them exit); interrupts off
 * @vcpu: the vCPU
 */
void vmx_load_syscall_msrs(struct minivm_vcpu *vcpu)
{
	struct vmx_vcpu *v = vcpu->be;

	minivm_vcpu_hold_host_state(vcpu);
	rdmsrl(MSR_KERNEL_GS_BASE, v->host_kernel_gs_base);
	swap_msr(MSR_KERNEL_GS_BASE, v->host_kernel_gs_base, v->kernel_gs_base);
	swap_msr(MSR_STAR, host_star, v->star);
	swap_msr(MSR_LSTAR, host_lstar, v->lstar);
	swap_msr(MSR_CSTAR, host_cstar, v->cstar);
	swap_msr(MSR_SYSCALL_MASK, host_sfmask, v->sfmask);
	v->syscall_msrs_loaded = true;
}

/**
 * vmx_vcpu_put() - the host's values back, on the CPU that loaded the
 * guest's; preemption off (the run's end, or the scheduler switching away)
 * @vcpu: the vCPU
 */
void vmx_vcpu_put(struct minivm_vcpu *vcpu)
{
	struct vmx_vcpu *v = vcpu->be;

	if (!v->syscall_msrs_loaded)
		return;
	/* SWAPGS changes it without an exit: read the guest's back. */
	rdmsrl(MSR_KERNEL_GS_BASE, v->kernel_gs_base);
	swap_msr(MSR_KERNEL_GS_BASE, v->kernel_gs_base, v->host_kernel_gs_base);
	swap_msr(MSR_STAR, v->star, host_star);
	swap_msr(MSR_LSTAR, v->lstar, host_lstar);
	swap_msr(MSR_CSTAR, v->cstar, host_cstar);
	swap_msr(MSR_SYSCALL_MASK, v->sfmask, host_sfmask);
	v->syscall_msrs_loaded = false;
}

/*
 * RDMSR/WRMSR of one of them (the core checked the value): in the hardware
 * too while the guest's are loaded. -ENOENT for any other MSR.
 */
int vmx_syscall_msr(struct vmx_vcpu *v, bool write, u32 index, u64 *value)
{
	u64 *field;

	switch (index) {
	case MSR_KERNEL_GS_BASE:
		field = &v->kernel_gs_base;
		if (v->syscall_msrs_loaded && !write)
			rdmsrl(index, *field);
		break;
	case MSR_STAR:
		field = &v->star;
		break;
	case MSR_LSTAR:
		field = &v->lstar;
		break;
	case MSR_CSTAR:
		field = &v->cstar;
		break;
	case MSR_SYSCALL_MASK:
		field = &v->sfmask;
		break;
	default:
		return -ENOENT;
	}
	if (!write) {
		*value = *field;
		return 0;
	}
	*field = *value;
	if (v->syscall_msrs_loaded)
		wrmsrl(index, *value);
	return 0;
}
