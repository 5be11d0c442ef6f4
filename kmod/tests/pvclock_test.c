// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the clock's factors (pvclock.c). For TSCs from 1 MHz to 10 GHz,
 * the multiplier keeps 32 significant bits, the guest's conversion of a
 * second's worth of ticks gives a second, and the frequency Linux works
 * back from the factors (its pvclock_tsc_khz()) is the host's. A host
 * that does not know its TSC's rate offers no clock.
 */
#include <kunit/test.h>
#include <linux/math64.h>
#include <linux/time64.h>
#include <asm/kvm_para.h>
#include "../pvclock.h"

/* What a guest computes: ((ticks << shift) * mul) >> 32. */
static u64 guest_ns(u64 ticks, u32 mul, s8 shift)
{
	ticks = shift < 0 ? ticks >> -shift : ticks << shift;
	return mul_u64_u32_shr(ticks, mul, 32);
}

/* What Linux's pvclock_tsc_khz() works out from the factors. */
static u64 guest_khz(u32 mul, s8 shift)
{
	u64 khz = div_u64(1000000ULL << 32, mul);

	return shift < 0 ? khz << -shift : khz >> shift;
}

static void scale_round_trips(struct kunit *test)
{
	static const u64 khz[] = { 1000, 33333, 999999, 1000000, 1000001, 2100000, 2400000,
				   2999993, 3700000, 4294967, 10000000 };
	unsigned int i;
	u32 mul;
	s8 shift;

	for (i = 0; i < ARRAY_SIZE(khz); i++) {
		u64 ns, back;

		minivm_pvclock_scale(khz[i] * 1000, &mul, &shift);
		KUNIT_EXPECT_GE_MSG(test, mul, 1U << 31, "%llu kHz", khz[i]);
		ns = guest_ns(khz[i] * 1000, mul, shift);
		/* A second's ticks: a second, within the factors' rounding. */
		KUNIT_EXPECT_LE_MSG(test, abs((s64)(ns - NSEC_PER_SEC)), 2LL, "%llu kHz: %llu ns",
				    khz[i], ns);
		back = guest_khz(mul, shift);
		KUNIT_EXPECT_LE_MSG(test, abs((s64)(back - khz[i])), (s64)(khz[i] / 1000000 + 1),
				    "%llu kHz read back as %llu", khz[i], back);
	}
}

/* No rate, no clock; stable only on an invariant TSC. */
static void features_follow_the_tsc(struct kunit *test)
{
	u32 clock = BIT(KVM_FEATURE_CLOCKSOURCE2);
	u32 stable = BIT(KVM_FEATURE_CLOCKSOURCE_STABLE_BIT);

	KUNIT_EXPECT_EQ(test, minivm_pvclock_features_for(0, true), 0U);
	KUNIT_EXPECT_EQ(test, minivm_pvclock_features_for(0, false), 0U);
	KUNIT_EXPECT_EQ(test, minivm_pvclock_features_for(2400000, false), clock);
	KUNIT_EXPECT_EQ(test, minivm_pvclock_features_for(2400000, true), clock | stable);
}

static struct kunit_case pvclock_cases[] = {
	KUNIT_CASE(scale_round_trips),
	KUNIT_CASE(features_follow_the_tsc),
	{}
};

static struct kunit_suite pvclock_suite = {
	.name = "minivm_pvclock",
	.test_cases = pvclock_cases,
};

kunit_test_suite(pvclock_suite);
