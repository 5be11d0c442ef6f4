// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: SVM capability parsing on synthetic CPUs, one missing or disabled
 * feature at a time.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include "caps.h"

/* An EPYC-like CPU with everything minivm uses. */
static const struct svm_cpuid good = {
	.max_ext_leaf = 0x8000001f,
	.ext1_ecx = SVM_CPUID_EXT1_ECX_SVM,
	.svm_ebx = 32768,
	.svm_edx = SVM_CPUID_EDX_NP | SVM_CPUID_EDX_NRIPS,
	.vm_cr = 0,
};

static void full_cpu_is_accepted(struct kunit *test)
{
	struct svm_caps caps = {};
	const char *why = NULL;

	KUNIT_ASSERT_EQ(test, svm_parse_caps(&good, &caps, &why), 0);
	KUNIT_EXPECT_EQ(test, caps.nr_asids, 32768u);
	KUNIT_EXPECT_TRUE(test, caps.nrips);
	KUNIT_EXPECT_NULL(test, why);
}

static void nrips_is_optional(struct kunit *test)
{
	struct svm_cpuid c = good;
	struct svm_caps caps = {};
	const char *why = NULL;

	c.svm_edx &= ~SVM_CPUID_EDX_NRIPS;
	KUNIT_ASSERT_EQ(test, svm_parse_caps(&c, &caps, &why), 0);
	KUNIT_EXPECT_FALSE(test, caps.nrips);
}

struct svm_caps_case {
	const char *desc;
	u32 max_ext_leaf, clear_ecx, clear_edx, asids;
	u64 vm_cr;
	int err;
	const char *why;
};

static const struct svm_caps_case svm_caps_cases[] = {
	{ "no SVM", .clear_ecx = SVM_CPUID_EXT1_ECX_SVM, .err = -ENODEV, .why = "without SVM" },
	{ "no SVM leaf", .max_ext_leaf = 0x80000008, .err = -ENODEV, .why = "without SVM" },
	{ "SVMDIS", .vm_cr = SVM_VM_CR_SVMDIS, .err = -EOPNOTSUPP, .why = "firmware" },
	{ "no NPT", .clear_edx = SVM_CPUID_EDX_NP, .err = -ENODEV, .why = "nested paging" },
	{ "one ASID", .asids = 1, .err = -ENODEV, .why = "ASID" },
};

static void svm_case_desc(const struct svm_caps_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(svm_caps, svm_caps_cases, svm_case_desc);

static void missing_feature_is_refused_with_reason(struct kunit *test)
{
	const struct svm_caps_case *p = test->param_value;
	struct svm_cpuid c = good;
	struct svm_caps caps = {};
	const char *why = NULL;

	if (p->max_ext_leaf)
		c.max_ext_leaf = p->max_ext_leaf;
	if (p->asids)
		c.svm_ebx = p->asids;
	c.ext1_ecx &= ~p->clear_ecx;
	c.svm_edx &= ~p->clear_edx;
	c.vm_cr = p->vm_cr;

	KUNIT_EXPECT_EQ(test, svm_parse_caps(&c, &caps, &why), p->err);
	KUNIT_ASSERT_NOT_NULL(test, why);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(why, p->why), "reason was: %s", why);
}

static struct kunit_case svm_caps_test_cases[] = {
	KUNIT_CASE(full_cpu_is_accepted),
	KUNIT_CASE(nrips_is_optional),
	KUNIT_CASE_PARAM(missing_feature_is_refused_with_reason, svm_caps_gen_params),
	{}
};

static struct kunit_suite svm_caps_suite = {
	.name = "minivm_svm_caps",
	.test_cases = svm_caps_test_cases,
};

kunit_test_suite(svm_caps_suite);
