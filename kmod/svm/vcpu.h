/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm SVM backend: what its three files share. vmcb.c sets up each VMCB
 * and hands out ASIDs; state.c reads and writes the guest's state in it;
 * run.c enters the guest and decodes exits.
 */
#ifndef MINIVM_SVM_VCPU_H
#define MINIVM_SVM_VCPU_H

#include <linux/types.h>
#include <asm/svm.h>
#include "../minivm.h"

/**
 * struct svm_vcpu - SVM's part of a vCPU
 * @vmcb: the VMCB
 * @asid_gen: the ASID generation its ASID belongs to
 * @windows: MINIVM_WINDOW_* the core asked for (run.c)
 * @nmi_masked: NMIs are blocked: SVM keeps no such state for the guest
 * @nmi_iret: the guest's IRET that unblocks them has exited; they are
 *	unblocked at the first exit with RIP past it (@iret_rip)
 * @iret_rip: where that IRET is
 */
struct svm_vcpu {
	struct vmcb *vmcb;
	u64 asid_gen;
	unsigned int windows;
	bool nmi_masked;
	bool nmi_iret;
	u64 iret_rip;
};

/* vmcb.c; interrupts off */
void svm_assign_asid(struct svm_vcpu *svm, bool flush);

/* state.c: NMI blocking, and the IRET intercept that ends it */
void svm_set_nmi_masked(struct svm_vcpu *svm, bool masked);

#endif /* MINIVM_SVM_VCPU_H */
