// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the CPUID allow-list (cpuid.c). Fed a host that answers all ones
 * everywhere, a guest sees only the bits the list names: unknown leaves,
 * unknown subleaves and every bit a future CPU might define stay hidden.
 */
#include <kunit/test.h>
#include <linux/bits.h>
#include "../cpuid.h"

static struct minivm_cpuid_regs allowed(u32 leaf, u32 sub)
{
	struct minivm_cpuid_regs r = { ~0U, ~0U, ~0U, ~0U };

	minivm_cpuid_allow(leaf, sub, &r);
	return r;
}

static void unknown_leaves_are_zero(struct kunit *test)
{
	static const u32 leaves[] = { 0x3, 0x5, 0x6, 0xa, 0xb, 0x12, 0x14, 0x17, 0x1f, 0x20,
				      0x40000000, 0x40000001, 0x4fffffff, 0x8000000a,
				      0x8000001d, 0x8000001e, 0x8000001f, 0xc0000000 };
	struct minivm_cpuid_regs r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(leaves); i++) {
		r = allowed(leaves[i], 0);
		KUNIT_EXPECT_EQ_MSG(test, r.a | r.b | r.c | r.d, 0U, "leaf %#x", leaves[i]);
	}
	r = allowed(7, 1);	/* structured features past subleaf 0 */
	KUNIT_EXPECT_EQ(test, r.a | r.b | r.c | r.d, 0U);
}

static void hidden_features_stay_hidden(struct kunit *test)
{
	struct minivm_cpuid_regs r = allowed(1, 0);

	KUNIT_EXPECT_FALSE(test, r.c & BIT(5));		/* VMX */
	KUNIT_EXPECT_FALSE(test, r.c & BIT(3));		/* MONITOR */
	KUNIT_EXPECT_FALSE(test, r.c & BIT(21));	/* x2APIC */
	KUNIT_EXPECT_FALSE(test, r.c & BIT(24));	/* TSC deadline */
	KUNIT_EXPECT_FALSE(test, r.c & BIT(27));	/* OSXSAVE: minivm sets it */
	KUNIT_EXPECT_FALSE(test, r.c & BIT(31));	/* HYPERVISOR: likewise */
	KUNIT_EXPECT_FALSE(test, r.d & BIT(9));		/* APIC */
	KUNIT_EXPECT_TRUE(test, r.c & BIT(28));		/* AVX is allowed */
	KUNIT_EXPECT_TRUE(test, r.d & BIT(25));		/* SSE too */
	r = allowed(7, 0);
	KUNIT_EXPECT_EQ(test, r.a, 0U);			/* no subleaves to announce */
	KUNIT_EXPECT_EQ(test, r.d, 0U);
	KUNIT_EXPECT_FALSE(test, r.b & BIT(10));	/* INVPCID */
	KUNIT_EXPECT_FALSE(test, r.b & BIT(11));	/* RTM */
	KUNIT_EXPECT_FALSE(test, r.c & BIT(3));		/* PKU */
	KUNIT_EXPECT_FALSE(test, r.c & BIT(16));	/* LA57 */
	KUNIT_EXPECT_FALSE(test, r.c & BIT(31));	/* not defined today */
	r = allowed(0xd, 1);
	KUNIT_EXPECT_EQ(test, r.a, 7U);			/* not XSAVES, nothing newer */
	KUNIT_EXPECT_EQ(test, r.c | r.d, 0U);
	r = allowed(0x80000001, 0);
	KUNIT_EXPECT_FALSE(test, r.c & BIT(2));		/* SVM */
	KUNIT_EXPECT_TRUE(test, r.d & BIT(27));		/* RDTSCP: where the backend allows */
	KUNIT_EXPECT_TRUE(test, r.d & BIT(29));		/* LM */
	r = allowed(0x80000008, 0);
	KUNIT_EXPECT_EQ(test, r.b | r.c | r.d, 0U);
}

/* The allow masks name only bits defined today: count them. */
static void allow_masks_are_exactly_the_list(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, hweight32(allowed(1, 0).c), 15);
	KUNIT_EXPECT_EQ(test, hweight32(allowed(1, 0).d), 9 + 7 + 1 + 6);
	KUNIT_EXPECT_EQ(test, hweight32(allowed(7, 0).b), 8 + 6 + 2 + 6);
	KUNIT_EXPECT_EQ(test, hweight32(allowed(7, 0).c), 12);
	KUNIT_EXPECT_EQ(test, hweight32(allowed(0x80000007, 0).d), 1);
}

static void max_leaves_are_capped(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, allowed(0, 0).a, (u32)MINIVM_CPUID_MAX_BASIC);
	KUNIT_EXPECT_EQ(test, allowed(0x80000000, 0).a, (u32)MINIVM_CPUID_MAX_EXT);
}

static struct kunit_case cpuid_cases[] = {
	KUNIT_CASE(unknown_leaves_are_zero),
	KUNIT_CASE(hidden_features_stay_hidden),
	KUNIT_CASE(allow_masks_are_exactly_the_list),
	KUNIT_CASE(max_leaves_are_capped),
	{}
};

static struct kunit_suite cpuid_suite = {
	.name = "minivm_cpuid",
	.test_cases = cpuid_cases,
};

kunit_test_suite(cpuid_suite);
