// SPDX-License-Identifier: GPL-2.0
/*
 * minivm VMX: decide from the capability MSRs whether this CPU can run
 * minivm's guests: VMX enabled by firmware, VMCS in write-back memory,
 * unrestricted guest (real-mode guests without emulation) and EPT with
 * 4-level walks in write-back memory plus INVEPT. VPID and 2 MiB EPT pages
 * are used when present.
 */
#include <linux/errno.h>
#include "caps.h"

/**
 * vmx_check_feat_ctl() - is VMX allowed by IA32_FEATURE_CONTROL?
 * @feat_ctl: the MSR's value
 * @why: set to the reason on failure
 *
 * Return: 0, or -EOPNOTSUPP when firmware did not enable VMX outside SMX
 * (or left the MSR unlocked, in which case VMXON would fault).
 */
int vmx_check_feat_ctl(u64 feat_ctl, const char **why)
{
	if (!(feat_ctl & VMX_FEAT_CTL_LOCKED)) {
		*why = "VMX disabled by firmware (IA32_FEATURE_CONTROL not locked)";
		return -EOPNOTSUPP;
	}
	if (!(feat_ctl & VMX_FEAT_CTL_OUTSIDE_SMX)) {
		*why = "VMX disabled by firmware (IA32_FEATURE_CONTROL)";
		return -EOPNOTSUPP;
	}
	return 0;
}

/**
 * vmx_parse_caps() - check the VMX capability MSRs
 * @m: raw values
 * @caps: filled on success
 * @why: set to one sentence naming the first missing feature on failure
 *
 * Return: 0; -ENODEV when a required feature is missing; -EOPNOTSUPP when
 * firmware disabled VMX.
 */
int vmx_parse_caps(const struct vmx_msrs *m, struct vmx_caps *caps, const char **why)
{
	u64 memtype, size;
	int ret;

	if (!(m->cpuid1_ecx & VMX_CPUID1_ECX_VMX)) {
		*why = "Intel CPU without VMX (CPUID.1:ECX.VMX is clear)";
		return -ENODEV;
	}
	ret = vmx_check_feat_ctl(m->feat_ctl, why);
	if (ret)
		return ret;

	memtype = (m->basic & VMX_BASIC_MEMTYPE_MASK) >> VMX_BASIC_MEMTYPE_SHIFT;
	size = (m->basic & VMX_BASIC_SIZE_MASK) >> VMX_BASIC_SIZE_SHIFT;
	if (memtype != VMX_MEMTYPE_WB) {
		*why = "VMX wants VMCS regions in non-write-back memory (IA32_VMX_BASIC)";
		return -ENODEV;
	}
	if (!size || size > 4096) {
		*why = "VMX reports an invalid VMCS region size (IA32_VMX_BASIC)";
		return -ENODEV;
	}
	if (m->basic & VMX_BASIC_32BIT_ADDR) {
		*why = "VMX limits VMCS addresses to 32 bits (IA32_VMX_BASIC)";
		return -ENODEV;
	}
	/* NMI blocking and the NMI window, for injecting NMIs (../events.c). */
	if (!(m->pinbased & VMX_PIN_VIRTUAL_NMIS) || !(m->procbased & VMX_PROC_NMI_WINDOW)) {
		*why = "VMX without virtual NMIs (NMI blocking, NMI-window exiting)";
		return -ENODEV;
	}
	if (!(m->procbased & VMX_PROC_SECONDARY)) {
		*why = "VMX without secondary processor-based controls";
		return -ENODEV;
	}
	if (!(m->procbased2 & VMX_PROC2_EPT)) {
		*why = "VMX without EPT (extended page tables)";
		return -ENODEV;
	}
	if (!(m->procbased2 & VMX_PROC2_UNRESTRICTED)) {
		*why = "VMX without unrestricted guest";
		return -ENODEV;
	}
	if (!(m->ept_vpid & VMX_EPT_WALK_4)) {
		*why = "EPT without 4-level page walks";
		return -ENODEV;
	}
	if (!(m->ept_vpid & VMX_EPT_WB)) {
		*why = "EPT without write-back paging-structure memory type";
		return -ENODEV;
	}
	if (!(m->ept_vpid & VMX_EPT_INVEPT) ||
	    !(m->ept_vpid & (VMX_EPT_INVEPT_SINGLE | VMX_EPT_INVEPT_ALL))) {
		*why = "EPT without INVEPT (single- or all-context)";
		return -ENODEV;
	}

	caps->revision_id = m->basic & VMX_BASIC_REVISION_MASK;
	caps->vmcs_size = size;
	caps->ept_2m = !!(m->ept_vpid & VMX_EPT_2M);
	caps->invept_single = !!(m->ept_vpid & VMX_EPT_INVEPT_SINGLE);
	caps->vpid = (m->procbased2 & VMX_PROC2_VPID) &&
		     (m->ept_vpid & VMX_VPID_INVVPID) &&
		     (m->ept_vpid & (VMX_VPID_INVVPID_SINGLE | VMX_VPID_INVVPID_ALL));
	return 0;
}
