// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the local APIC's pure rules (apic_rules.c), each against the SDM's
 * words: the highest vector of a 256-bit register, the processor priority,
 * when an interrupt beats it, the timer's divisor, and destinations in every
 * addressing mode.
 */
#include <kunit/test.h>
#include "../apic_rules.h"

/* A 256-bit register as the APIC page lays it out: a word every 16 bytes. */
struct vec_reg {
	u32 w[8 * MINIVM_APIC_VEC_STRIDE];
};

static void set_vec(struct vec_reg *r, unsigned int v)
{
	r->w[(v / 32) * MINIVM_APIC_VEC_STRIDE] |= 1U << (v % 32);
}

static void highest_vector_of_256_bits(struct kunit *test)
{
	struct vec_reg r = {};

	KUNIT_EXPECT_EQ(test, minivm_apic_highest_vector(r.w), -1);
	set_vec(&r, 0x10);
	KUNIT_EXPECT_EQ(test, minivm_apic_highest_vector(r.w), 0x10);
	set_vec(&r, 0x31);
	set_vec(&r, 0x3f);
	KUNIT_EXPECT_EQ(test, minivm_apic_highest_vector(r.w), 0x3f);
	set_vec(&r, 0xff);
	KUNIT_EXPECT_EQ(test, minivm_apic_highest_vector(r.w), 0xff);
	/* The words in between (offsets 4-15 bytes) are not part of it. */
	r = (struct vec_reg){};
	memset(&r.w[1], 0xff, 3 * sizeof(u32));
	KUNIT_EXPECT_EQ(test, minivm_apic_highest_vector(r.w), -1);
}

static void processor_priority(struct kunit *test)
{
	/* Nothing in service: the TPR, subclass and all. */
	KUNIT_EXPECT_EQ(test, minivm_apic_ppr(0x35, -1), 0x35);
	/* A higher class in service wins, its subclass dropped. */
	KUNIT_EXPECT_EQ(test, minivm_apic_ppr(0x35, 0x47), 0x40);
	/* The same class: the TPR. */
	KUNIT_EXPECT_EQ(test, minivm_apic_ppr(0x45, 0x47), 0x45);
	KUNIT_EXPECT_EQ(test, minivm_apic_ppr(0x00, 0x20), 0x20);
}

static void delivery_needs_a_higher_class(struct kunit *test)
{
	KUNIT_EXPECT_FALSE(test, minivm_apic_can_deliver(-1, 0));
	KUNIT_EXPECT_TRUE(test, minivm_apic_can_deliver(0x31, 0x20));
	/* Same class as the PPR: held, whatever the subclass. */
	KUNIT_EXPECT_FALSE(test, minivm_apic_can_deliver(0x3f, 0x30));
	KUNIT_EXPECT_FALSE(test, minivm_apic_can_deliver(0x3f, 0x3f));
	KUNIT_EXPECT_FALSE(test, minivm_apic_can_deliver(0x20, 0x35));
	KUNIT_EXPECT_TRUE(test, minivm_apic_can_deliver(0xff, 0xef));
}

static void timer_divisors(struct kunit *test)
{
	static const unsigned int want[8] = { 2, 4, 8, 16, 32, 64, 128, 1 };
	unsigned int v;

	for (v = 0; v < 8; v++) {
		u32 dcr = (v & 3) | ((v & 4) << 1);

		KUNIT_EXPECT_EQ_MSG(test, minivm_apic_timer_divisor(dcr), want[v], "dcr %#x", dcr);
		/* Bit 2 and the bits above 3 do not count. */
		KUNIT_EXPECT_EQ(test, minivm_apic_timer_divisor(dcr | 4 | 0xfff0), want[v]);
	}
}

static void destinations(struct kunit *test)
{
	const enum minivm_apic_mode flat = MINIVM_APIC_XAPIC_FLAT;
	const enum minivm_apic_mode cluster = MINIVM_APIC_XAPIC_CLUSTER;
	const enum minivm_apic_mode x2 = MINIVM_APIC_X2APIC;

	/* Physical: the ID or the broadcast. */
	KUNIT_EXPECT_TRUE(test, minivm_apic_match_dest(flat, 3, 0, false, 3));
	KUNIT_EXPECT_FALSE(test, minivm_apic_match_dest(flat, 3, 0, false, 2));
	KUNIT_EXPECT_TRUE(test, minivm_apic_match_dest(flat, 3, 0, false, 0xff));
	/* Logical flat: any shared bit of eight. */
	KUNIT_EXPECT_TRUE(test, minivm_apic_match_dest(flat, 0, 0x04000000, true, 0x06));
	KUNIT_EXPECT_FALSE(test, minivm_apic_match_dest(flat, 0, 0x04000000, true, 0x0b));
	/* Logical cluster: same cluster, a shared member bit. */
	KUNIT_EXPECT_TRUE(test, minivm_apic_match_dest(cluster, 0, 0x21000000, true, 0x23));
	KUNIT_EXPECT_FALSE(test, minivm_apic_match_dest(cluster, 0, 0x21000000, true, 0x13));
	KUNIT_EXPECT_FALSE(test, minivm_apic_match_dest(cluster, 0, 0x21000000, true, 0x22));
	KUNIT_EXPECT_TRUE(test, minivm_apic_match_dest(cluster, 0, 0x21000000, true, 0xff));
	/* x2APIC: 32-bit IDs; logical clusters of 16 in bits 31:16. */
	KUNIT_EXPECT_TRUE(test, minivm_apic_match_dest(x2, 0x100, 0, false, 0x100));
	KUNIT_EXPECT_FALSE(test, minivm_apic_match_dest(x2, 0x100, 0, false, 0x00));
	KUNIT_EXPECT_TRUE(test, minivm_apic_match_dest(x2, 7, 0, false, 0xffffffff));
	KUNIT_EXPECT_TRUE(test, minivm_apic_match_dest(x2, 0, 0x00020004, true, 0x0002000c));
	KUNIT_EXPECT_FALSE(test, minivm_apic_match_dest(x2, 0, 0x00020004, true, 0x0003000c));
	KUNIT_EXPECT_FALSE(test, minivm_apic_match_dest(x2, 0, 0x00020004, true, 0x00020008));
}

static struct kunit_case apic_rules_cases[] = {
	KUNIT_CASE(highest_vector_of_256_bits),
	KUNIT_CASE(processor_priority),
	KUNIT_CASE(delivery_needs_a_higher_class),
	KUNIT_CASE(timer_divisors),
	KUNIT_CASE(destinations),
	{}
};

static struct kunit_suite apic_rules_suite = {
	.name = "minivm_apic_rules",
	.test_cases = apic_rules_cases,
};

kunit_test_suite(apic_rules_suite);
