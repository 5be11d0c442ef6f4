// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the guest page-table walk (guest_walk.c) in each paging mode, over
 * tables built in a buffer that stands in for guest RAM.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include <asm/msr-index.h>
#include <asm/pgtable_types.h>
#include <asm/processor-flags.h>
#include "../guest_walk.h"

#define RAM_SIZE	0x10000

static int ram_read(void *ctx, u64 gpa, void *buf, unsigned int len)
{
	if (gpa + len > RAM_SIZE)
		return -EFAULT;
	memcpy(buf, (u8 *)ctx + gpa, len);
	return 0;
}

static void *ram_new(struct kunit *test, struct minivm_guest_paging *p)
{
	void *ram = kunit_kzalloc(test, RAM_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, ram);
	*p = (struct minivm_guest_paging){ .read = ram_read, .ctx = ram };
	return ram;
}

static void put32(void *ram, u64 gpa, u32 v)
{
	memcpy((u8 *)ram + gpa, &v, 4);
}

static void put64(void *ram, u64 gpa, u64 v)
{
	memcpy((u8 *)ram + gpa, &v, 8);
}

/* gpa, or -1 when the walk faults */
static s64 walk(const struct minivm_guest_paging *p, u64 la, bool write)
{
	u64 gpa;

	return minivm_guest_walk(p, la, write, &gpa) ? -1 : (s64)gpa;
}

#define RW	(_PAGE_PRESENT | _PAGE_RW)

static void unpaged_is_identity(struct kunit *test)
{
	struct minivm_guest_paging p;

	ram_new(test, &p);
	p.cr0 = X86_CR0_PE;
	KUNIT_EXPECT_EQ(test, walk(&p, 0x12345678, true), 0x12345678LL);
	KUNIT_EXPECT_EQ(test, walk(&p, 0x100000010ULL, false), 0x10LL);	/* 32-bit */
}

static void paging32_4k_and_4m(struct kunit *test)
{
	struct minivm_guest_paging p;
	void *ram = ram_new(test, &p);

	p.cr0 = X86_CR0_PE | X86_CR0_PG;
	p.cr3 = 0x1000;
	put32(ram, 0x1000 + 1 * 4, 0x2000 | RW);
	put32(ram, 0x2000 + 2 * 4, 0x5000 | _PAGE_PRESENT);		/* read-only */
	put32(ram, 0x1000 + 3 * 4, 0x00c00000 | RW | _PAGE_PSE);
	KUNIT_EXPECT_EQ(test, walk(&p, (1 << 22) | (2 << 12) | 0x123, false), 0x5123LL);
	KUNIT_EXPECT_EQ(test, walk(&p, (1 << 22) | (3 << 12), false), -1LL);	/* not present */
	KUNIT_EXPECT_EQ(test, walk(&p, (5 << 22), false), -1LL);
	/* A supervisor write to a read-only page faults only with CR0.WP. */
	KUNIT_EXPECT_EQ(test, walk(&p, (1 << 22) | (2 << 12), true), 0x5000LL);
	p.cr0 |= X86_CR0_WP;
	KUNIT_EXPECT_EQ(test, walk(&p, (1 << 22) | (2 << 12), true), -1LL);
	/* No user bit anywhere: CPL 3 faults. */
	p.user = true;
	KUNIT_EXPECT_EQ(test, walk(&p, (1 << 22) | (2 << 12), false), -1LL);
	p.user = false;
	/* PS is a 4 MiB page only with CR4.PSE. */
	p.cr4 = X86_CR4_PSE;
	KUNIT_EXPECT_EQ(test, walk(&p, (3 << 22) | 0x1234, false), 0xc01234LL);
}

static void pae_2m(struct kunit *test)
{
	struct minivm_guest_paging p;
	void *ram = ram_new(test, &p);

	p.cr0 = X86_CR0_PE | X86_CR0_PG;
	p.cr4 = X86_CR4_PAE;
	p.cr3 = 0x3020;		/* the PDPT is 32-byte aligned */
	put64(ram, 0x3020 + 8, 0x4000 | _PAGE_PRESENT);		/* PDPTE[1] */
	put64(ram, 0x4000 + 2 * 8, 0x00600000 | RW | _PAGE_PSE);
	put64(ram, 0x4000 + 3 * 8, 0x5000 | RW);
	put64(ram, 0x5000 + 4 * 8, 0x9000 | RW | BIT_ULL(63));	/* XD is not an address bit */
	KUNIT_EXPECT_EQ(test, walk(&p, (1ULL << 30) | (2 << 21) | 0x1234, true), 0x601234LL);
	KUNIT_EXPECT_EQ(test, walk(&p, (1ULL << 30) | (3 << 21) | (4 << 12) | 5, false),
			0x9005LL);
	KUNIT_EXPECT_EQ(test, walk(&p, 0x1234, false), -1LL);	/* PDPTE[0] not present */
}

static void long_mode_4k_2m_1g(struct kunit *test)
{
	struct minivm_guest_paging p;
	void *ram = ram_new(test, &p);

	p.cr0 = X86_CR0_PE | X86_CR0_PG;
	p.cr4 = X86_CR4_PAE;
	p.efer = EFER_LME | EFER_LMA;
	p.cr3 = 0x1000;
	put64(ram, 0x1000, 0x2000 | RW);				/* PML4[0] */
	put64(ram, 0x2000 + 8, 0x40000000 | RW | _PAGE_PSE);	/* PDPT[1]: 1 GiB */
	put64(ram, 0x2000, 0x3000 | RW);				/* PDPT[0] */
	put64(ram, 0x3000 + 8, 0x00a00000 | RW | _PAGE_PSE);	/* PD[1]: 2 MiB */
	put64(ram, 0x3000, 0x4000 | RW);				/* PD[0] */
	put64(ram, 0x4000 + 5 * 8, 0x9000 | RW);			/* PT[5] */
	KUNIT_EXPECT_EQ(test, walk(&p, (1ULL << 30) + 0x5678, false), 0x40005678LL);
	KUNIT_EXPECT_EQ(test, walk(&p, (1ULL << 21) + 0x1234, false), 0xa01234LL);
	KUNIT_EXPECT_EQ(test, walk(&p, 0x5abc, true), 0x9abcLL);
	KUNIT_EXPECT_EQ(test, walk(&p, 0x6abc, true), -1LL);
	KUNIT_EXPECT_EQ(test, walk(&p, 0x0000800000000000ULL, false), -1LL);	/* not canonical */
	/* PS in a PML4 entry is reserved, never a page. */
	put64(ram, 0x1000 + 8, 0x0 | RW | _PAGE_PSE);
	KUNIT_EXPECT_EQ(test, walk(&p, (1ULL << 39), false), -1LL);
	/* A table outside guest RAM faults. */
	put64(ram, 0x1000 + 16, 0x7fff0000 | RW);
	KUNIT_EXPECT_EQ(test, walk(&p, (2ULL << 39), false), -1LL);
}

static struct kunit_case guest_walk_cases[] = {
	KUNIT_CASE(unpaged_is_identity),
	KUNIT_CASE(paging32_4k_and_4m),
	KUNIT_CASE(pae_2m),
	KUNIT_CASE(long_mode_4k_2m_1g),
	{}
};

static struct kunit_suite guest_walk_suite = {
	.name = "minivm_guest_walk",
	.test_cases = guest_walk_cases,
};

kunit_test_suite(guest_walk_suite);
