/* SPDX-License-Identifier: GPL-2.0 */
/* minivm SVM backend: what svm.c and vcpu.c share. */
#ifndef MINIVM_SVM_H
#define MINIVM_SVM_H

#include "../minivm.h"

/* vmrun.S */
void minivm_svm_vmrun(u64 vmcb_pa, u64 *gpr, u64 host_save_pa);

int svm_vcpu_init(u32 nr_asids);
void svm_vcpu_exit(void);
int svm_vcpu_create(struct minivm_vcpu *vcpu);
void svm_vcpu_destroy(struct minivm_vcpu *vcpu);
void svm_vcpu_run(struct minivm_vcpu *vcpu, bool flush, struct minivm_exit *exit);
void svm_get_regs(struct minivm_vcpu *vcpu, struct minivm_regs *regs);
void svm_set_regs(struct minivm_vcpu *vcpu, const struct minivm_regs *regs);
void svm_get_sregs(struct minivm_vcpu *vcpu, struct minivm_sregs *sregs);
void svm_set_sregs(struct minivm_vcpu *vcpu, const struct minivm_sregs *sregs);
int svm_msr(struct minivm_vcpu *vcpu, bool write, u32 index, u64 *value);
void svm_skip_insn(struct minivm_vcpu *vcpu, const struct minivm_exit *exit);
void svm_inject_event(struct minivm_vcpu *vcpu, const struct minivm_event *ev);
void svm_set_windows(struct minivm_vcpu *vcpu, unsigned int windows);
void svm_set_cr2(struct minivm_vcpu *vcpu, u64 cr2);
void svm_set_tsc_offset(struct minivm_vcpu *vcpu, s64 offset);
void svm_set_event_state(struct minivm_vcpu *vcpu, u32 shadow, bool nmi_masked);
u64 svm_get_cr(struct minivm_vcpu *vcpu, unsigned int cr);
struct minivm_event_state svm_get_event_state(struct minivm_vcpu *vcpu);
u64 svm_get_dr7(struct minivm_vcpu *vcpu);
void svm_set_dr_exiting(struct minivm_vcpu *vcpu, bool on);
extern const struct minivm_pt_format svm_pt_format;
const char *svm_exit_name(u64 reason);

#endif /* MINIVM_SVM_H */
