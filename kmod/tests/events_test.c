// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the pure rules of events.c: which events userspace may hand the
 * module (MINIVM_SET_EVENTS), which exceptions push an error code, and what
 * a second exception during the delivery of a first one becomes.
 */
#include <kunit/test.h>
#include <asm/trapnr.h>
#include "../minivm.h"

static bool valid(u8 type, u8 vector, u8 has_error, u32 error_code)
{
	struct minivm_event ev = {
		.type = type, .vector = vector, .has_error_code = has_error,
		.error_code = error_code,
	};

	return minivm_event_valid(&ev);
}

static void error_codes_match_the_sdm(struct kunit *test)
{
	static const unsigned int with[] = { 8, 10, 11, 12, 13, 14, 17, 21, 29, 30 };
	unsigned int i, n = 0;

	for (i = 0; i < ARRAY_SIZE(with); i++)
		KUNIT_EXPECT_TRUE_MSG(test, minivm_exception_has_error(with[i]), "vector %u",
				      with[i]);
	for (i = 0; i < 32; i++)
		n += minivm_exception_has_error(i);
	KUNIT_EXPECT_EQ(test, n, (unsigned int)ARRAY_SIZE(with));
	KUNIT_EXPECT_FALSE(test, minivm_exception_has_error(32));
	KUNIT_EXPECT_FALSE(test, minivm_exception_has_error(255));
}

static void events_are_checked(struct kunit *test)
{
	struct minivm_event ev = { .type = MINIVM_EVENT_INTERRUPT, .vector = 0x20 };

	KUNIT_EXPECT_TRUE(test, valid(MINIVM_EVENT_NONE, 0, 0, 0));
	KUNIT_EXPECT_FALSE(test, valid(MINIVM_EVENT_NONE, 3, 0, 0));
	KUNIT_EXPECT_FALSE(test, valid(4, 0, 0, 0));
	KUNIT_EXPECT_FALSE(test, valid(255, 0, 0, 0));
	KUNIT_EXPECT_TRUE(test, valid(MINIVM_EVENT_INTERRUPT, 0, 0, 0));
	KUNIT_EXPECT_TRUE(test, valid(MINIVM_EVENT_INTERRUPT, 255, 0, 0));
	KUNIT_EXPECT_FALSE(test, valid(MINIVM_EVENT_INTERRUPT, 0x20, 1, 0));
	KUNIT_EXPECT_TRUE(test, valid(MINIVM_EVENT_NMI, 2, 0, 0));
	KUNIT_EXPECT_FALSE(test, valid(MINIVM_EVENT_NMI, 3, 0, 0));
	KUNIT_EXPECT_TRUE(test, valid(MINIVM_EVENT_EXCEPTION, X86_TRAP_GP, 1, 0x10));
	KUNIT_EXPECT_FALSE(test, valid(MINIVM_EVENT_EXCEPTION, X86_TRAP_GP, 0, 0));
	KUNIT_EXPECT_FALSE(test, valid(MINIVM_EVENT_EXCEPTION, X86_TRAP_UD, 1, 0));
	KUNIT_EXPECT_FALSE(test, valid(MINIVM_EVENT_EXCEPTION, X86_TRAP_UD, 0, 5));
	KUNIT_EXPECT_FALSE(test, valid(MINIVM_EVENT_EXCEPTION, X86_TRAP_GP, 2, 0));
	KUNIT_EXPECT_FALSE(test, valid(MINIVM_EVENT_EXCEPTION, X86_TRAP_NMI, 0, 0));
	KUNIT_EXPECT_FALSE(test, valid(MINIVM_EVENT_EXCEPTION, 15, 0, 0));
	KUNIT_EXPECT_FALSE(test, valid(MINIVM_EVENT_EXCEPTION, 22, 0, 0));
	KUNIT_EXPECT_FALSE(test, valid(MINIVM_EVENT_EXCEPTION, 31, 0, 0));
	KUNIT_EXPECT_FALSE(test, valid(MINIVM_EVENT_EXCEPTION, 21, 1, 0));	/* #CP: no CET */
	KUNIT_EXPECT_FALSE(test, valid(MINIVM_EVENT_EXCEPTION, 29, 1, 0));	/* #VC */
	KUNIT_EXPECT_FALSE(test, valid(MINIVM_EVENT_EXCEPTION, 30, 1, 0));	/* #SX */
	KUNIT_EXPECT_TRUE(test, valid(MINIVM_EVENT_EXCEPTION, X86_TRAP_AC, 1, 0));
	KUNIT_EXPECT_TRUE(test, valid(MINIVM_EVENT_EXCEPTION, X86_TRAP_DE, 0, 0));
	KUNIT_EXPECT_FALSE(test, valid(MINIVM_EVENT_EXCEPTION, 32, 0, 0));
	ev.reserved = 1;
	KUNIT_EXPECT_FALSE(test, minivm_event_valid(&ev));
}

static void exceptions_merge_as_table_6_5(struct kunit *test)
{
	/* Contributory then contributory, #PF then #PF or contributory: #DF. */
	KUNIT_EXPECT_EQ(test, minivm_exception_merge(X86_TRAP_GP, X86_TRAP_NP), X86_TRAP_DF);
	KUNIT_EXPECT_EQ(test, minivm_exception_merge(X86_TRAP_DE, X86_TRAP_SS), X86_TRAP_DF);
	KUNIT_EXPECT_EQ(test, minivm_exception_merge(X86_TRAP_PF, X86_TRAP_PF), X86_TRAP_DF);
	KUNIT_EXPECT_EQ(test, minivm_exception_merge(X86_TRAP_PF, X86_TRAP_GP), X86_TRAP_DF);
	/* Contributory then #PF, and anything benign: serially. */
	KUNIT_EXPECT_EQ(test, minivm_exception_merge(X86_TRAP_GP, X86_TRAP_PF), X86_TRAP_PF);
	KUNIT_EXPECT_EQ(test, minivm_exception_merge(X86_TRAP_DB, X86_TRAP_GP), X86_TRAP_GP);
	KUNIT_EXPECT_EQ(test, minivm_exception_merge(X86_TRAP_GP, X86_TRAP_UD), X86_TRAP_UD);
	KUNIT_EXPECT_EQ(test, minivm_exception_merge(X86_TRAP_PF, X86_TRAP_UD), X86_TRAP_UD);
	/* Anything during #DF: shutdown. */
	KUNIT_EXPECT_EQ(test, minivm_exception_merge(X86_TRAP_DF, X86_TRAP_GP), -1);
	KUNIT_EXPECT_EQ(test, minivm_exception_merge(X86_TRAP_DF, X86_TRAP_DB), -1);
}

static struct kunit_case events_cases[] = {
	KUNIT_CASE(error_codes_match_the_sdm),
	KUNIT_CASE(events_are_checked),
	KUNIT_CASE(exceptions_merge_as_table_6_5),
	{}
};

static struct kunit_suite events_suite = {
	.name = "minivm_events",
	.test_cases = events_cases,
};

kunit_test_suite(events_suite);
