// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: the guest's debug registers, and the host's put back.
 *
 * Neither vendor switches DR0-DR3 on VM entry or exit. DR7 is switched (a
 * VMX exit leaves the host 0x400, breakpoints off), DR6 only on SVM. So,
 * as KVM does: the guest's accesses to debug registers exit until its first
 * one, after which it owns them until the next exit, with no further exits;
 * then its DR0-DR3 are read back and its accesses exit again. While the
 * guest's DR7 enables a breakpoint, its DR0-DR3 are in the hardware for
 * every entry. After an exit, whatever the host had (ptrace or perf
 * breakpoints) is put back whenever the guest's values were loaded or the
 * host has a breakpoint enabled. #DB and #AC always exit (the backends
 * intercept them) and are reflected into the guest: with delivery of those
 * two left to the hardware, a guest can make their delivery raise them
 * again forever without an instruction boundary, and so without an exit
 * (CVE-2015-8104, CVE-2015-5307).
 */
#include <linux/percpu.h>
#include <asm/cpufeature.h>
#include <asm/special_insns.h>
#include <asm/debugreg.h>
#include "arch_state.h"
#include "minivm.h"

/**
 * minivm_debug_load() - before entry, when the guest owns its debug
 * registers or enables a breakpoint: its DR0-DR3 into the hardware
 * @vcpu: the vCPU about to run; interrupts off
 *
 * Return: true: the hardware now holds the guest's values.
 */
bool minivm_debug_load(struct minivm_vcpu *vcpu)
{
	/* A host breakpoint must not fire on the guest's addresses meanwhile. */
	if (hw_breakpoint_active())
		set_debugreg(0UL, 7);
	set_debugreg(vcpu->db[0], 0);
	set_debugreg(vcpu->db[1], 1);
	set_debugreg(vcpu->db[2], 2);
	set_debugreg(vcpu->db[3], 3);
	return true;
}

/**
 * minivm_debug_put() - after an exit that has debug-register work: the
 * guest's values kept, the host's back
 * @vcpu: the vCPU that ran; interrupts off, its VMCS/VMCB current
 * @exit: the decoded exit; %MINIVM_KIND_DR_ACCESS is consumed here
 * @loaded: what minivm_debug_enter() returned
 */
void minivm_debug_put(struct minivm_vcpu *vcpu, struct minivm_exit *exit, bool loaded)
{
	if (vcpu->dr_guest_owned) {
		get_debugreg(vcpu->db[0], 0);
		get_debugreg(vcpu->db[1], 1);
		get_debugreg(vcpu->db[2], 2);
		get_debugreg(vcpu->db[3], 3);
		vcpu->dr_bp_enabled = minivm_be->get_dr7(vcpu) & MINIVM_DR7_ENABLES;
		vcpu->dr_guest_owned = false;
		minivm_be->set_dr_exiting(vcpu, true);
	}
	if (exit->kind == MINIVM_KIND_DR_ACCESS) {
		/* The access runs again, without an exit, on the next entry. */
		vcpu->dr_guest_owned = true;
		minivm_be->set_dr_exiting(vcpu, false);
		exit->kind = MINIVM_KIND_CONTINUE;
	}
	if (loaded || hw_breakpoint_active())
		hw_breakpoint_restore();
}
