/* SPDX-License-Identifier: GPL-2.0 */
/* minivm VMX backend: what vmx.c and vcpu.c share. */
#ifndef MINIVM_VMX_H
#define MINIVM_VMX_H

#include "../minivm.h"

/* vmenter.S */
int minivm_vmx_enter(u64 *gpr, bool launched);
void minivm_vmx_do_nmi(void);
extern const char minivm_vmx_return[];

int vmx_vcpu_init(u32 revision, bool invept_single);
void vmx_cpu_clear_all(void);
int vmx_vcpu_create(struct minivm_vcpu *vcpu);
void vmx_vcpu_destroy(struct minivm_vcpu *vcpu);
void vmx_vcpu_load(struct minivm_vcpu *vcpu, int cpu);
void vmx_vcpu_run(struct minivm_vcpu *vcpu, bool flush, struct minivm_exit *exit);
void vmx_leave(struct minivm_vcpu *vcpu);
void vmx_get_regs(struct minivm_vcpu *vcpu, struct minivm_regs *regs);
void vmx_set_regs(struct minivm_vcpu *vcpu, const struct minivm_regs *regs);
void vmx_get_sregs(struct minivm_vcpu *vcpu, struct minivm_sregs *sregs);
void vmx_set_sregs(struct minivm_vcpu *vcpu, const struct minivm_sregs *sregs);
void vmx_load_pdptes(struct minivm_vcpu *vcpu, const u64 *pdpte);
int vmx_msr(struct minivm_vcpu *vcpu, bool write, u32 index, u64 *value);
void vmx_vcpu_put(struct minivm_vcpu *vcpu);
void vmx_msrs_init(void);
void vmx_skip_insn(struct minivm_vcpu *vcpu, const struct minivm_exit *exit);
void vmx_inject_event(struct minivm_vcpu *vcpu, const struct minivm_event *ev);
void vmx_set_windows(struct minivm_vcpu *vcpu, unsigned int windows);
void vmx_set_cr2(struct minivm_vcpu *vcpu, u64 cr2);
void vmx_set_tsc_offset(struct minivm_vcpu *vcpu, s64 offset);
void vmx_set_event_state(struct minivm_vcpu *vcpu, u32 shadow, bool nmi_masked);
u64 vmx_get_cr(struct minivm_vcpu *vcpu, unsigned int cr);
struct minivm_event_state vmx_get_event_state(struct minivm_vcpu *vcpu);
u64 vmx_get_dr7(struct minivm_vcpu *vcpu);
void vmx_set_dr_exiting(struct minivm_vcpu *vcpu, bool on);
extern const struct minivm_pt_format vmx_pt_format;
const char *vmx_exit_name(u64 reason);

#endif /* MINIVM_VMX_H */
