/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm VMX backend: what its three files share. vmcs.c negotiates the
 * controls and keeps each VMCS resident on one CPU; state.c reads and
 * writes the guest's state in it; run.c enters the guest and decodes exits.
 */
#ifndef MINIVM_VMX_VCPU_H
#define MINIVM_VMX_VCPU_H

#include <linux/list.h>
#include <linux/types.h>
#include "../minivm.h"

struct vmx_vcpu {
	void *vmcs;
	u64 vmcs_pa;
	u64 eptp;
	int cpu;		/* where the VMCS is active, -1 if nowhere */
	bool launched;
	struct list_head on_cpu;	/* in vmx_loaded of @cpu */
	u16 vpid;
	u8 cr8;
	u32 proc;		/* the processor-based controls in the VMCS */
	u64 cr2;		/* the guest's: VMX does not switch CR2 */
	u64 dr6;		/* the guest's: VMX does not switch DR6 */
	u64 host_cr3, host_cr4, host_fs_base;
	/*
	 * What VM exit changes in the host and the host gets back in
	 * vmx_leave(): saved at the first entry of the core's series.
	 */
	u16 host_ds, host_es, host_fs;
	u64 host_debugctl;
	/* The guest's SYSCALL and SWAPGS MSRs (msrs.c). */
	u64 kernel_gs_base, star, lstar, cstar, sfmask;
	u64 host_kernel_gs_base;
	bool syscall_msrs_loaded;	/* the guest's are in the hardware */
	bool long_mode;		/* EFER.LMA, as vmx_set_cr0() last set it */
	/* A MOV to CR0 or CR3 that waits for its PDPTEs (vmx_load_pdptes()). */
	enum { PDPTES_FOR_NONE, PDPTES_FOR_CR0, PDPTES_FOR_CR3 } pdptes_for;
	u64 pdptes_val;
};

/* CR0 bits minivm owns; CR4 bits: everything a guest may not set. */
#define CR0_OWNED	(X86_CR0_PG | X86_CR0_NE)

static inline u64 vmx_cr4_owned(void)
{
	return ~minivm_cr4_allowed();
}

/* The controls every VMCS starts with, negotiated once (vmcs.c). */
struct vmx_controls {
	u32 pin, proc, proc2, exit, entry, revision;
	u32 preemption_ticks;	/* 0: no VMX-preemption timer */
	bool cr3_exiting, invept_single;
};

extern struct vmx_controls vmx_ctl;

/* state.c; the VMCS current on this CPU */
void vmx_set_cr0(struct vmx_vcpu *v, u64 cr0);
void vmx_set_cr4(u64 cr4);
u64 vmx_guest_cr0(void);
u64 vmx_guest_cr4(void);

/* msrs.c */
void vmx_load_syscall_msrs(struct minivm_vcpu *vcpu);
int vmx_syscall_msr(struct vmx_vcpu *v, bool write, u32 index, u64 *value);

/* run.c; the VMCS current on this CPU */
void vmx_skip(void);

#endif /* MINIVM_VMX_VCPU_H */
