/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm VMX: what the VMX capability MSRs say, parsed without touching
 * hardware so KUnit can feed it any CPU (caps_test.c).
 */
#ifndef MINIVM_VMX_CAPS_H
#define MINIVM_VMX_CAPS_H

#include <linux/bits.h>
#include <linux/types.h>

/* Bits of the capability MSRs minivm depends on (Intel SDM vol. 3, app. A). */
#define VMX_CPUID1_ECX_VMX		BIT(5)
#define VMX_FEAT_CTL_LOCKED		BIT_ULL(0)
#define VMX_FEAT_CTL_OUTSIDE_SMX	BIT_ULL(2)
#define VMX_BASIC_REVISION_MASK		GENMASK_ULL(30, 0)
#define VMX_BASIC_SIZE_SHIFT		32
#define VMX_BASIC_SIZE_MASK		GENMASK_ULL(44, 32)
#define VMX_BASIC_32BIT_ADDR		BIT_ULL(48)
#define VMX_BASIC_MEMTYPE_SHIFT		50
#define VMX_BASIC_MEMTYPE_MASK		GENMASK_ULL(53, 50)
#define VMX_MEMTYPE_WB			6
/* Allowed-1 settings live in the high half of the control MSRs. */
#define VMX_PIN_VIRTUAL_NMIS		BIT_ULL(32 + 5)
#define VMX_PROC_NMI_WINDOW		BIT_ULL(32 + 22)
#define VMX_PROC_SECONDARY		BIT_ULL(32 + 31)
#define VMX_PROC2_EPT			BIT_ULL(32 + 1)
#define VMX_PROC2_VPID			BIT_ULL(32 + 5)
#define VMX_PROC2_UNRESTRICTED		BIT_ULL(32 + 7)
#define VMX_EPT_WALK_4			BIT_ULL(6)
#define VMX_EPT_WB			BIT_ULL(14)
#define VMX_EPT_2M			BIT_ULL(16)
#define VMX_EPT_INVEPT			BIT_ULL(20)
#define VMX_EPT_INVEPT_SINGLE		BIT_ULL(25)
#define VMX_EPT_INVEPT_ALL		BIT_ULL(26)
#define VMX_VPID_INVVPID		BIT_ULL(32)
#define VMX_VPID_INVVPID_SINGLE		BIT_ULL(41)
#define VMX_VPID_INVVPID_ALL		BIT_ULL(42)

/**
 * struct vmx_msrs - the raw values probing reads
 * @cpuid1_ecx: CPUID.1:ECX
 * @feat_ctl: IA32_FEATURE_CONTROL
 * @basic: IA32_VMX_BASIC
 * @pinbased: IA32_VMX_PINBASED_CTLS
 * @procbased: IA32_VMX_PROCBASED_CTLS
 * @procbased2: IA32_VMX_PROCBASED_CTLS2 (0 when secondary controls are absent)
 * @ept_vpid: IA32_VMX_EPT_VPID_CAP (0 when EPT and VPID are both absent)
 */
struct vmx_msrs {
	u32 cpuid1_ecx;
	u64 feat_ctl;
	u64 basic;
	u64 pinbased;
	u64 procbased;
	u64 procbased2;
	u64 ept_vpid;
};

/**
 * struct vmx_caps - what minivm will use
 * @revision_id: VMCS revision identifier for VMXON and VMCS regions
 * @vmcs_size: bytes of a VMCS region
 * @vpid: VPID and INVVPID (single or all-context) are usable
 * @ept_2m: EPT maps 2 MiB pages
 * @invept_single: INVEPT has the single-context type (else all-context)
 */
struct vmx_caps {
	u32 revision_id;
	u32 vmcs_size;
	bool vpid;
	bool ept_2m;
	bool invept_single;
};

int vmx_parse_caps(const struct vmx_msrs *m, struct vmx_caps *caps, const char **why);
int vmx_check_feat_ctl(u64 feat_ctl, const char **why);

#endif /* MINIVM_VMX_CAPS_H */
