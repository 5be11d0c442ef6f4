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

struct svm_vcpu {
	struct vmcb *vmcb;
	u64 asid_gen;
};

/* vmcb.c; interrupts off */
void svm_assign_asid(struct svm_vcpu *svm, bool flush);

/* run.c */
void svm_inject_exception(struct vmcb *vmcb, unsigned int vector, bool has_error);

#endif /* MINIVM_SVM_VCPU_H */
