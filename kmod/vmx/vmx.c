// SPDX-License-Identifier: GPL-2.0
/*
 * minivm VMX backend: probing Intel VT-x and entering/leaving VMX operation.
 */
#include <linux/cpu.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>
#include <asm/virtext.h>
#include "../minivm.h"
#include "caps.h"
#include "insn.h"
#include "vmx.h"

static struct vmx_caps vmx_caps;

static int vmx_read_msrs(struct vmx_msrs *m)
{
	u32 eax, ebx, ecx, edx;

	cpuid(1, &eax, &ebx, &ecx, &edx);
	m->cpuid1_ecx = ecx;
	if (!(ecx & VMX_CPUID1_ECX_VMX))
		return 0;
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &m->feat_ctl) ||
	    rdmsrl_safe(MSR_IA32_VMX_BASIC, &m->basic) ||
	    rdmsrl_safe(MSR_IA32_VMX_PINBASED_CTLS, &m->pinbased) ||
	    rdmsrl_safe(MSR_IA32_VMX_PROCBASED_CTLS, &m->procbased))
		return -EIO;
	if ((m->procbased & VMX_PROC_SECONDARY) &&
	    rdmsrl_safe(MSR_IA32_VMX_PROCBASED_CTLS2, &m->procbased2))
		return -EIO;
	if ((m->procbased2 & (VMX_PROC2_EPT | VMX_PROC2_VPID)) &&
	    rdmsrl_safe(MSR_IA32_VMX_EPT_VPID_CAP, &m->ept_vpid))
		return -EIO;
	return 0;
}

static int vmx_probe(struct minivm_caps *caps, const char **why)
{
	struct vmx_msrs m = {};
	int ret;

	if (boot_cpu_data.x86_vendor != X86_VENDOR_INTEL &&
	    boot_cpu_data.x86_vendor != X86_VENDOR_CENTAUR &&
	    boot_cpu_data.x86_vendor != X86_VENDOR_ZHAOXIN)
		return -ENXIO;
	if (vmx_read_msrs(&m)) {
		*why = "cannot read the VMX capability MSRs";
		return -EIO;
	}
	ret = vmx_parse_caps(&m, &vmx_caps, why);
	if (ret)
		return ret;
	caps->tagged_tlb = vmx_caps.vpid ? VMX_NR_VPIDS - 1 : 0;	/* VPID 0 is the host's */
	caps->huge_pages = vmx_caps.ept_2m;
	/* "Enable RDTSCP" allowed (the high half of the controls MSR). */
	caps->rdtscp = boot_cpu_has(X86_FEATURE_RDTSCP) &&
		       ((m.procbased2 >> 32) & SECONDARY_EXEC_ENABLE_RDTSCP);
	return 0;
}

static bool vmx_cpu_hw_enabled(void)
{
	return __read_cr4() & X86_CR4_VMXE;
}

static int vmx_cpu_check(const char **why)
{
	u64 feat_ctl;

	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat_ctl)) {
		*why = "cannot read IA32_FEATURE_CONTROL";
		return -EIO;
	}
	if (vmx_check_feat_ctl(feat_ctl, why))
		return -EOPNOTSUPP;
	if (vmx_cpu_hw_enabled()) {
		*why = "VMX is in use by another hypervisor (CR4.VMXE is set)";
		return -EBUSY;
	}
	return 0;
}

/* CR0 and CR4 must respect the fixed bits of VMX operation, or VMXON fails. */
static bool vmx_crs_fit(void)
{
	u64 cr0_0, cr0_1, cr4_0, cr4_1;
	u64 cr0 = read_cr0(), cr4 = __read_cr4() | X86_CR4_VMXE;

	rdmsrl(MSR_IA32_VMX_CR0_FIXED0, cr0_0);
	rdmsrl(MSR_IA32_VMX_CR0_FIXED1, cr0_1);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED0, cr4_0);
	rdmsrl(MSR_IA32_VMX_CR4_FIXED1, cr4_1);
	return (cr0 & cr0_0) == cr0_0 && !(cr0 & ~cr0_1) &&
	       (cr4 & cr4_0) == cr4_0 && !(cr4 & ~cr4_1);
}

static int vmx_cpu_enable(phys_addr_t vmxon_region)
{
	int ret;

	if (vmx_cpu_hw_enabled())
		return -EBUSY;
	if (!vmx_crs_fit())
		return -EIO;
	cr4_set_bits_irqsoff(X86_CR4_VMXE);
	ret = minivm_vmxon(vmxon_region);
	if (ret)
		cr4_clear_bits_irqsoff(X86_CR4_VMXE);
	return ret;
}

static void vmx_cpu_disable(void)
{
	/* A VMCS still active here would lose its state with VMXOFF. */
	vmx_cpu_clear_all();
	/* VMXOFF, then CR4.VMXE off; a fault is harmless at this point. */
	cpu_vmxoff();
}

static int vmx_init(void)
{
	vmx_msrs_init();
	return vmx_vcpu_init(vmx_caps.revision_id, vmx_caps.invept_single);
}

static void vmx_prepare_area(void *area)
{
	/* The VMXON region starts with the VMCS revision identifier. */
	*(u32 *)area = vmx_caps.revision_id;
}

const struct minivm_backend minivm_vmx_backend = {
	.name = "vmx",
	.vendor = MINIVM_VENDOR_INTEL_VMX,
	.area_pages = 1,
	.probe = vmx_probe,
	.init = vmx_init,
	.cpu_check = vmx_cpu_check,
	.prepare_area = vmx_prepare_area,
	.cpu_enable = vmx_cpu_enable,
	.cpu_disable = vmx_cpu_disable,
	.cpu_hw_enabled = vmx_cpu_hw_enabled,
	.pt_format = &vmx_pt_format,
	.exit_name = vmx_exit_name,
	.vcpu_create = vmx_vcpu_create,
	.vcpu_destroy = vmx_vcpu_destroy,
	.vcpu_load = vmx_vcpu_load,
	.vcpu_run = vmx_vcpu_run,
	.leave = vmx_leave,
	.skip = vmx_skip_insn,
	.vcpu_put = vmx_vcpu_put,
	.inject_event = vmx_inject_event,
	.set_windows = vmx_set_windows,
	.set_cr2 = vmx_set_cr2,
	.get_cr = vmx_get_cr,
	.get_event_state = vmx_get_event_state,
	.set_event_state = vmx_set_event_state,
	.get_regs = vmx_get_regs,
	.set_regs = vmx_set_regs,
	.get_sregs = vmx_get_sregs,
	.set_sregs = vmx_set_sregs,
	.load_pdptes = vmx_load_pdptes,
	.msr = vmx_msr,
	.set_tsc_offset = vmx_set_tsc_offset,
	.get_dr7 = vmx_get_dr7,
	.set_dr_exiting = vmx_set_dr_exiting,
};
