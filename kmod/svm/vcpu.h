/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm SVM backend: what its three files share. vmcb.c sets up each VMCB
 * and hands out ASIDs; state.c reads and writes the guest's state in it;
 * run.c enters the guest and decodes exits.
 */
#ifndef MINIVM_SVM_VCPU_H
#define MINIVM_SVM_VCPU_H

#include <linux/percpu.h>
#include <linux/types.h>
#include <asm/svm.h>
#include "../minivm.h"

/**
 * struct svm_vcpu - SVM's part of a vCPU
 * @vmcb: the VMCB
 * @vmcb_pa: its physical address, for VMRUN
 * @asid_gen: the ASID generation its ASID belongs to
 * @windows: MINIVM_WINDOW_* the core asked for (run.c)
 * @nmi_masked: NMIs are blocked: SVM keeps no such state for the guest
 * @nmi_iret: the guest's IRET that unblocks them has exited; they are
 *	unblocked at the first exit with RIP past it (@iret_rip)
 * @iret_rip: where that IRET is
 * @stepping: this entry steps over the instruction in an interrupt
 *	shadow (run.c)
 * @step_tf: the guest's RFLAGS.TF before that step
 * @step_rip: the guest's RIP before it: the shadowed instruction
 * @step_dr6: the guest's DR6 before it
 */
struct svm_vcpu {
	struct vmcb *vmcb;
	u64 vmcb_pa;
	u64 asid_gen;
	unsigned int windows;
	bool nmi_masked;
	bool nmi_iret;
	bool stepping;
	bool step_tf;
	u64 iret_rip;
	u64 step_rip;
	u64 step_dr6;
};

/**
 * struct svm_cpu - SVM's state of one host CPU
 * @asid_gen: the generation of the ASIDs handed out here (vmcb.c)
 * @next_asid: the next ASID to hand out
 * @host_save_pa: where a run VMSAVEs the host's FS, GS, TR, LDTR and
 *	SYSCALL MSRs, which VMLOAD of the guest's replaces (svm.c)
 */
struct svm_cpu {
	u64 asid_gen;
	u32 next_asid;
	u64 host_save_pa;
};

DECLARE_PER_CPU(struct svm_cpu, svm_cpu);

/* vmcb.c; interrupts off */
void svm_new_asid(struct svm_vcpu *svm);

/*
 * The ASID for this entry: the vCPU's own, unless it arrives from another
 * CPU or ASID generation or must flush, and then a fresh one.
 */
static inline void svm_assign_asid(struct svm_vcpu *svm, bool flush)
{
	svm->vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	if (unlikely(flush || svm->asid_gen != this_cpu_read(svm_cpu.asid_gen)))
		svm_new_asid(svm);
}

/* state.c: NMI blocking, and the IRET intercept that ends it */
void svm_set_nmi_masked(struct svm_vcpu *svm, bool masked);

#endif /* MINIVM_SVM_VCPU_H */
