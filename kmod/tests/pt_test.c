// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: building, walking and invalidating EPT and NPT tables (pt.c), run
 * for both entry formats on any CPU: the tables are only memory here.
 */
#include <kunit/test.h>
#include "../minivm.h"
#include "../svm/svm.h"
#include "../vmx/vmx.h"

static const struct minivm_pt_format *const formats[] = { &vmx_pt_format, &svm_pt_format };

static void format_desc(const struct minivm_pt_format *const *f, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", *f == &vmx_pt_format ? "ept" : "npt");
}

KUNIT_ARRAY_PARAM(pt_format, formats, format_desc);

#define RWX	(MINIVM_PT_READ | MINIVM_PT_WRITE | MINIVM_PT_EXEC)

struct pt_fixture {
	struct minivm_pt pt;
	struct minivm_pt_cache cache;
	const struct minivm_pt_format *f;
};

static int pt_setup(struct kunit *test, struct pt_fixture *x)
{
	x->f = *(const struct minivm_pt_format *const *)test->param_value;
	x->cache.nr = 0;
	KUNIT_ASSERT_EQ(test, minivm_pt_init(&x->pt, x->f), 0);
	return minivm_pt_cache_fill(&x->cache);
}

static void pt_teardown(struct pt_fixture *x)
{
	minivm_pt_destroy(&x->pt);
	minivm_pt_cache_free(&x->cache);
}

static int map4k(struct pt_fixture *x, u64 gpa, u64 pa, u32 access)
{
	int ret = minivm_pt_cache_fill(&x->cache);

	return ret ?: minivm_pt_map(&x->pt, &x->cache, gpa, pa, 1, access);
}

static void map_then_lookup(struct kunit *test)
{
	struct pt_fixture x;
	unsigned int level = 0;
	u64 e;

	KUNIT_ASSERT_EQ(test, pt_setup(test, &x), 0);
	KUNIT_EXPECT_EQ(test, minivm_pt_lookup(&x.pt, 0x1234000, NULL), 0ULL);
	KUNIT_ASSERT_EQ(test, map4k(&x, 0x1234000, 0x5678000, RWX), 0);
	e = minivm_pt_lookup(&x.pt, 0x1234abc, &level);
	KUNIT_EXPECT_EQ(test, level, 1U);
	KUNIT_EXPECT_EQ(test, e & x.f->addr_mask, 0x5678000ULL);
	KUNIT_EXPECT_EQ(test, e & (x.f->leaf_read | x.f->leaf_write | x.f->leaf_exec),
			x.f->leaf_read | x.f->leaf_write | x.f->leaf_exec);
	KUNIT_EXPECT_EQ(test, e & x.f->leaf_extra, x.f->leaf_extra);
	KUNIT_EXPECT_EQ(test, e & x.f->leaf_huge, 0ULL);
	/* Root plus one table per lower level. */
	KUNIT_EXPECT_EQ(test, x.pt.tables, 4UL);
	KUNIT_EXPECT_EQ(test, minivm_pt_lookup(&x.pt, 0x1235000, NULL), 0ULL);
	KUNIT_EXPECT_EQ(test, minivm_pt_lookup(&x.pt, 0x1233000, NULL), 0ULL);
	/* A neighbour shares every table. */
	KUNIT_ASSERT_EQ(test, map4k(&x, 0x1235000, 0x9000, RWX), 0);
	KUNIT_EXPECT_EQ(test, x.pt.tables, 4UL);
	pt_teardown(&x);
	KUNIT_EXPECT_EQ(test, x.pt.tables, 0UL);
}

static void read_only_mapping_is_not_writable(struct kunit *test)
{
	struct pt_fixture x;
	u64 e;

	KUNIT_ASSERT_EQ(test, pt_setup(test, &x), 0);
	KUNIT_ASSERT_EQ(test, map4k(&x, 0x2000, 0x3000, MINIVM_PT_READ | MINIVM_PT_EXEC), 0);
	e = minivm_pt_lookup(&x.pt, 0x2000, NULL);
	KUNIT_EXPECT_NE(test, e & x.f->present, 0ULL);
	KUNIT_EXPECT_EQ(test, e & x.f->leaf_write, 0ULL);
	/* Mapping again upgrades in place. */
	KUNIT_ASSERT_EQ(test, map4k(&x, 0x2000, 0x3000, RWX), 0);
	e = minivm_pt_lookup(&x.pt, 0x2000, NULL);
	KUNIT_EXPECT_EQ(test, e & x.f->leaf_write, x.f->leaf_write);
	pt_teardown(&x);
}

static void huge_leaf_covers_2m(struct kunit *test)
{
	struct pt_fixture x;
	unsigned int level = 0;

	KUNIT_ASSERT_EQ(test, pt_setup(test, &x), 0);
	KUNIT_ASSERT_EQ(test, minivm_pt_map(&x.pt, &x.cache, 0x400000, 0x800000, 2, RWX), 0);
	KUNIT_EXPECT_NE(test, minivm_pt_lookup(&x.pt, 0x5ff000, &level), 0ULL);
	KUNIT_EXPECT_EQ(test, level, 2U);
	KUNIT_EXPECT_EQ(test, minivm_pt_lookup(&x.pt, 0x600000, NULL), 0ULL);
	/* A 4 KiB map under it finds the larger leaf. */
	KUNIT_EXPECT_EQ(test, map4k(&x, 0x401000, 0x1000, RWX), -EEXIST);
	/* A 2 MiB map over 4 KiB ones is refused, leaving them in place. */
	KUNIT_ASSERT_EQ(test, map4k(&x, 0x801000, 0x1000, RWX), 0);
	KUNIT_EXPECT_EQ(test, minivm_pt_map(&x.pt, &x.cache, 0x800000, 0x800000, 2, RWX), -EBUSY);
	KUNIT_EXPECT_NE(test, minivm_pt_lookup(&x.pt, 0x801000, NULL), 0ULL);
	/* Unmapping one page of it drops the whole leaf. */
	KUNIT_EXPECT_TRUE(test, minivm_pt_unmap_range(&x.pt, 0x401000, 0x402000));
	KUNIT_EXPECT_EQ(test, minivm_pt_lookup(&x.pt, 0x400000, NULL), 0ULL);
	pt_teardown(&x);
}

static void unmap_range_is_exact(struct kunit *test)
{
	struct pt_fixture x;
	u64 gpa;

	KUNIT_ASSERT_EQ(test, pt_setup(test, &x), 0);
	/* Pages on both sides of a 2 MiB and of a 1 GiB boundary. */
	for (gpa = 0x1fd000; gpa < 0x203000; gpa += 0x1000)
		KUNIT_ASSERT_EQ(test, map4k(&x, gpa, gpa, RWX), 0);
	for (gpa = 0x3fffe000; gpa < 0x40002000; gpa += 0x1000)
		KUNIT_ASSERT_EQ(test, map4k(&x, gpa, gpa, RWX), 0);
	KUNIT_EXPECT_TRUE(test, minivm_pt_unmap_range(&x.pt, 0x1ff000, 0x201000));
	KUNIT_EXPECT_NE(test, minivm_pt_lookup(&x.pt, 0x1fe000, NULL), 0ULL);
	KUNIT_EXPECT_EQ(test, minivm_pt_lookup(&x.pt, 0x1ff000, NULL), 0ULL);
	KUNIT_EXPECT_EQ(test, minivm_pt_lookup(&x.pt, 0x200000, NULL), 0ULL);
	KUNIT_EXPECT_NE(test, minivm_pt_lookup(&x.pt, 0x201000, NULL), 0ULL);
	/* Nothing left there: nothing to flush. */
	KUNIT_EXPECT_FALSE(test, minivm_pt_unmap_range(&x.pt, 0x1ff000, 0x201000));
	KUNIT_EXPECT_FALSE(test, minivm_pt_unmap_range(&x.pt, 0x5000, 0x5000));
	KUNIT_EXPECT_TRUE(test, minivm_pt_unmap_range(&x.pt, 0x3ffff000, 0x40001000));
	KUNIT_EXPECT_NE(test, minivm_pt_lookup(&x.pt, 0x3fffe000, NULL), 0ULL);
	KUNIT_EXPECT_EQ(test, minivm_pt_lookup(&x.pt, 0x40000000, NULL), 0ULL);
	KUNIT_EXPECT_NE(test, minivm_pt_lookup(&x.pt, 0x40001000, NULL), 0ULL);
	/* Everything. */
	KUNIT_EXPECT_TRUE(test, minivm_pt_unmap_range(&x.pt, 0, 1ULL << MINIVM_PT_GPA_BITS));
	KUNIT_EXPECT_EQ(test, minivm_pt_lookup(&x.pt, 0x1fe000, NULL), 0ULL);
	pt_teardown(&x);
}

static void bad_maps_are_refused(struct kunit *test)
{
	struct pt_fixture x;

	KUNIT_ASSERT_EQ(test, pt_setup(test, &x), 0);
	KUNIT_EXPECT_EQ(test, map4k(&x, 0x1800, 0x2000, RWX), -EINVAL);
	KUNIT_EXPECT_EQ(test, map4k(&x, 0x1000, 0x2800, RWX), -EINVAL);
	KUNIT_EXPECT_EQ(test, map4k(&x, 1ULL << MINIVM_PT_GPA_BITS, 0x2000, RWX), -EINVAL);
	KUNIT_EXPECT_EQ(test, minivm_pt_map(&x.pt, &x.cache, 0x201000, 0x200000, 2, RWX),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, minivm_pt_map(&x.pt, &x.cache, 0, 0, 3, RWX), -EINVAL);
	/* An empty cache cannot add tables. */
	minivm_pt_cache_free(&x.cache);
	KUNIT_EXPECT_EQ(test, minivm_pt_map(&x.pt, &x.cache, 0x7000000000, 0x1000, 1, RWX),
			-ENOMEM);
	pt_teardown(&x);
}

static struct kunit_case pt_cases[] = {
	KUNIT_CASE_PARAM(map_then_lookup, pt_format_gen_params),
	KUNIT_CASE_PARAM(read_only_mapping_is_not_writable, pt_format_gen_params),
	KUNIT_CASE_PARAM(huge_leaf_covers_2m, pt_format_gen_params),
	KUNIT_CASE_PARAM(unmap_range_is_exact, pt_format_gen_params),
	KUNIT_CASE_PARAM(bad_maps_are_refused, pt_format_gen_params),
	{}
};

static struct kunit_suite pt_suite = {
	.name = "minivm_pt",
	.test_cases = pt_cases,
};

kunit_test_suite(pt_suite);
