// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the MOV decoder of the xAPIC page (mov_decode.c), on the encodings
 * compilers emit for "*(volatile u32 *)addr = v" and its reads, in 16-, 32-
 * and 64-bit code, with prefixes; and what it must refuse.
 */
#include <kunit/test.h>
#include "../mov_decode.h"

#define DECODE(bytes, long64, d32, mov)						\
	minivm_decode_mov((const u8 *)(bytes), sizeof(bytes) - 1, long64, d32, mov)

static void stores_and_loads(struct kunit *test)
{
	struct minivm_mov m;

	/* mov %esi,0xb0(%rax) */
	KUNIT_ASSERT_EQ(test, DECODE("\x89\xb0\xb0\x00\x00\x00", true, false, &m), 0);
	KUNIT_EXPECT_EQ(test, m.len, 6U);
	KUNIT_EXPECT_EQ(test, m.size, 4U);
	KUNIT_EXPECT_TRUE(test, m.store);
	KUNIT_EXPECT_EQ(test, m.reg, 6);
	/* mov 0x20(%rdi),%r9d: REX.R */
	KUNIT_ASSERT_EQ(test, DECODE("\x44\x8b\x4f\x20", true, false, &m), 0);
	KUNIT_EXPECT_EQ(test, m.len, 4U);
	KUNIT_EXPECT_FALSE(test, m.store);
	KUNIT_EXPECT_EQ(test, m.reg, 9);
	/* mov %rax,(%rbx): REX.W, 8 bytes */
	KUNIT_ASSERT_EQ(test, DECODE("\x48\x89\x03", true, false, &m), 0);
	KUNIT_EXPECT_EQ(test, m.size, 8U);
	/* mov %eax,0xfee000b0 (32-bit code, disp32) */
	KUNIT_ASSERT_EQ(test, DECODE("\x89\x05\xb0\x00\xe0\xfe", false, true, &m), 0);
	KUNIT_EXPECT_EQ(test, m.len, 6U);
	KUNIT_EXPECT_EQ(test, m.reg, 0);
	/* mov 0x300(%rax,%rcx,4),%edx: SIB with disp32 */
	KUNIT_ASSERT_EQ(test, DECODE("\x8b\x94\x88\x00\x03\x00\x00", true, false, &m), 0);
	KUNIT_EXPECT_EQ(test, m.len, 7U);
	KUNIT_EXPECT_EQ(test, m.reg, 2);
	/* mov %ah,(%bx) in 16-bit code: a high byte register */
	KUNIT_ASSERT_EQ(test, DECODE("\x88\x27", false, false, &m), 0);
	KUNIT_EXPECT_EQ(test, m.size, 1U);
	KUNIT_EXPECT_TRUE(test, m.high_byte);
	KUNIT_EXPECT_EQ(test, m.reg, 0);
	/* 16-bit code with 66 67: mov %eax,0x300(%eax) */
	KUNIT_ASSERT_EQ(test, DECODE("\x66\x67\x89\x80\x00\x03\x00\x00", false, false, &m), 0);
	KUNIT_EXPECT_EQ(test, m.len, 8U);
	KUNIT_EXPECT_EQ(test, m.size, 4U);
	/* movl %eax,%fs:0xb0 (moffs with a segment override) */
	KUNIT_ASSERT_EQ(test, DECODE("\x64\xa3\xb0\x00\x00\x00", false, true, &m), 0);
	KUNIT_EXPECT_EQ(test, m.len, 6U);
	KUNIT_EXPECT_TRUE(test, m.store);
}

static void immediates(struct kunit *test)
{
	struct minivm_mov m;

	/* movl $0x1ff,0xf0(%rax) */
	KUNIT_ASSERT_EQ(test, DECODE("\xc7\x80\xf0\x00\x00\x00\xff\x01\x00\x00", true, false, &m),
			0);
	KUNIT_EXPECT_EQ(test, m.len, 10U);
	KUNIT_EXPECT_EQ(test, m.reg, -1);
	KUNIT_EXPECT_EQ(test, m.imm, 0x1ffULL);
	/* movq $-1,(%rax): imm32 sign-extended to 64 bits */
	KUNIT_ASSERT_EQ(test, DECODE("\x48\xc7\x00\xff\xff\xff\xff", true, false, &m), 0);
	KUNIT_EXPECT_EQ(test, m.imm, ~0ULL);
	/* movw $0x8000,(%bx) in 16-bit code */
	KUNIT_ASSERT_EQ(test, DECODE("\xc7\x07\x00\x80", false, false, &m), 0);
	KUNIT_EXPECT_EQ(test, m.size, 2U);
	KUNIT_EXPECT_EQ(test, m.imm, 0x8000ULL);
}

static void refusals(struct kunit *test)
{
	struct minivm_mov m;

	/* mov %eax,%ebx: no memory operand */
	KUNIT_EXPECT_NE(test, DECODE("\x89\xc3", true, false, &m), 0);
	/* xchg %eax,(%rbx): not a MOV */
	KUNIT_EXPECT_NE(test, DECODE("\x87\x03", true, false, &m), 0);
	/* c7 /1 is not MOV */
	KUNIT_EXPECT_NE(test, DECODE("\xc7\x08\x00\x00\x00\x00", true, false, &m), 0);
	/* truncated: the immediate is missing */
	KUNIT_EXPECT_NE(test, DECODE("\xc7\x00\x01", true, false, &m), 0);
	/* nothing but prefixes */
	KUNIT_EXPECT_NE(test, DECODE("\x66\x66\x66", true, false, &m), 0);
	/* a REX before a legacy prefix is dropped: 48 66 89 03 stores 16 bits */
	KUNIT_ASSERT_EQ(test, DECODE("\x48\x66\x89\x03", true, false, &m), 0);
	KUNIT_EXPECT_EQ(test, m.size, 2U);
}

static struct kunit_case mov_decode_cases[] = {
	KUNIT_CASE(stores_and_loads),
	KUNIT_CASE(immediates),
	KUNIT_CASE(refusals),
	{}
};

static struct kunit_suite mov_decode_suite = {
	.name = "minivm_mov_decode",
	.test_cases = mov_decode_cases,
};

kunit_test_suite(mov_decode_suite);
