// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: VMX capability parsing on synthetic CPUs, one missing or disabled
 * feature at a time.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include "caps.h"

/* A Haswell-like CPU with everything minivm uses. */
static const struct vmx_msrs good = {
	.cpuid1_ecx = VMX_CPUID1_ECX_VMX,
	.feat_ctl = VMX_FEAT_CTL_LOCKED | VMX_FEAT_CTL_OUTSIDE_SMX,
	.basic = 0x12ULL | (0x400ULL << VMX_BASIC_SIZE_SHIFT) |
		 ((u64)VMX_MEMTYPE_WB << VMX_BASIC_MEMTYPE_SHIFT),
	.pinbased = VMX_PIN_VIRTUAL_NMIS,
	.procbased = VMX_PROC_SECONDARY | VMX_PROC_NMI_WINDOW,
	.procbased2 = VMX_PROC2_EPT | VMX_PROC2_VPID | VMX_PROC2_UNRESTRICTED,
	.ept_vpid = VMX_EPT_WALK_4 | VMX_EPT_WB | VMX_EPT_2M | VMX_EPT_INVEPT |
		    VMX_EPT_INVEPT_SINGLE | VMX_EPT_INVEPT_ALL | VMX_VPID_INVVPID |
		    VMX_VPID_INVVPID_SINGLE,
};

static void full_cpu_is_accepted(struct kunit *test)
{
	struct vmx_caps caps = {};
	const char *why = NULL;

	KUNIT_ASSERT_EQ(test, vmx_parse_caps(&good, &caps, &why), 0);
	KUNIT_EXPECT_EQ(test, caps.revision_id, 0x12u);
	KUNIT_EXPECT_EQ(test, caps.vmcs_size, 0x400u);
	KUNIT_EXPECT_TRUE(test, caps.vpid);
	KUNIT_EXPECT_TRUE(test, caps.ept_2m);
	KUNIT_EXPECT_TRUE(test, caps.invept_single);
	KUNIT_EXPECT_NULL(test, why);
}

static void optional_features_may_be_missing(struct kunit *test)
{
	struct vmx_msrs m = good;
	struct vmx_caps caps = {};
	const char *why = NULL;

	m.procbased2 &= ~VMX_PROC2_VPID;
	m.ept_vpid &= ~(VMX_EPT_2M | VMX_EPT_INVEPT_SINGLE);
	KUNIT_ASSERT_EQ(test, vmx_parse_caps(&m, &caps, &why), 0);
	KUNIT_EXPECT_FALSE(test, caps.vpid);
	KUNIT_EXPECT_FALSE(test, caps.ept_2m);
	KUNIT_EXPECT_FALSE(test, caps.invept_single);

	/* VPID without INVVPID cannot be flushed, so it is not used. */
	m = good;
	m.ept_vpid &= ~VMX_VPID_INVVPID;
	KUNIT_ASSERT_EQ(test, vmx_parse_caps(&m, &caps, &why), 0);
	KUNIT_EXPECT_FALSE(test, caps.vpid);
}

struct vmx_caps_case {
	const char *desc;
	u32 clear_cpuid;
	u64 clear_feat_ctl, clear_basic, set_basic, clear_pin, clear_proc, clear_proc2, clear_ept;
	int err;
	const char *why;	/* a word the reason must contain */
};

static const struct vmx_caps_case vmx_caps_cases[] = {
	{ "no VMX", .clear_cpuid = VMX_CPUID1_ECX_VMX, .err = -ENODEV, .why = "without VMX" },
	{ "unlocked FEATURE_CONTROL", .clear_feat_ctl = VMX_FEAT_CTL_LOCKED,
	  .err = -EOPNOTSUPP, .why = "firmware" },
	{ "VMX off in FEATURE_CONTROL", .clear_feat_ctl = VMX_FEAT_CTL_OUTSIDE_SMX,
	  .err = -EOPNOTSUPP, .why = "firmware" },
	{ "VMCS not WB", .clear_basic = VMX_BASIC_MEMTYPE_MASK, .err = -ENODEV,
	  .why = "write-back" },
	{ "VMCS size 0", .clear_basic = VMX_BASIC_SIZE_MASK, .err = -ENODEV, .why = "size" },
	{ "VMCS size > 4K", .clear_basic = VMX_BASIC_SIZE_MASK,
	  .set_basic = 0x1001ULL << VMX_BASIC_SIZE_SHIFT, .err = -ENODEV, .why = "size" },
	{ "32-bit VMCS addresses", .set_basic = VMX_BASIC_32BIT_ADDR, .err = -ENODEV,
	  .why = "32 bits" },
	{ "no secondary controls", .clear_proc = VMX_PROC_SECONDARY, .err = -ENODEV,
	  .why = "secondary" },
	{ "no EPT", .clear_proc2 = VMX_PROC2_EPT, .err = -ENODEV, .why = "EPT" },
	{ "no unrestricted guest", .clear_proc2 = VMX_PROC2_UNRESTRICTED, .err = -ENODEV,
	  .why = "unrestricted" },
	{ "no 4-level EPT", .clear_ept = VMX_EPT_WALK_4, .err = -ENODEV, .why = "4-level" },
	{ "EPT not WB", .clear_ept = VMX_EPT_WB, .err = -ENODEV, .why = "write-back" },
	{ "no virtual NMIs", .clear_pin = VMX_PIN_VIRTUAL_NMIS, .err = -ENODEV,
	  .why = "virtual NMIs" },
	{ "no NMI-window exiting", .clear_proc = VMX_PROC_NMI_WINDOW, .err = -ENODEV,
	  .why = "virtual NMIs" },
	{ "no INVEPT", .clear_ept = VMX_EPT_INVEPT, .err = -ENODEV, .why = "INVEPT" },
	{ "INVEPT without a usable type", .clear_ept = VMX_EPT_INVEPT_SINGLE | VMX_EPT_INVEPT_ALL,
	  .err = -ENODEV, .why = "INVEPT" },
};

static void vmx_case_desc(const struct vmx_caps_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(vmx_caps, vmx_caps_cases, vmx_case_desc);

static void missing_feature_is_refused_with_reason(struct kunit *test)
{
	const struct vmx_caps_case *c = test->param_value;
	struct vmx_msrs m = good;
	struct vmx_caps caps = {};
	const char *why = NULL;

	m.cpuid1_ecx &= ~c->clear_cpuid;
	m.feat_ctl &= ~c->clear_feat_ctl;
	m.basic = (m.basic & ~c->clear_basic) | c->set_basic;
	m.pinbased &= ~c->clear_pin;
	m.procbased &= ~c->clear_proc;
	m.procbased2 &= ~c->clear_proc2;
	m.ept_vpid &= ~c->clear_ept;

	KUNIT_EXPECT_EQ(test, vmx_parse_caps(&m, &caps, &why), c->err);
	KUNIT_ASSERT_NOT_NULL(test, why);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(why, c->why), "reason was: %s", why);
}

static struct kunit_case vmx_caps_test_cases[] = {
	KUNIT_CASE(full_cpu_is_accepted),
	KUNIT_CASE(optional_features_may_be_missing),
	KUNIT_CASE_PARAM(missing_feature_is_refused_with_reason, vmx_caps_gen_params),
	{}
};

static struct kunit_suite vmx_caps_suite = {
	.name = "minivm_vmx_caps",
	.test_cases = vmx_caps_test_cases,
};

kunit_test_suite(vmx_caps_suite);
