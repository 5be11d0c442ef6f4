// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: minivm_exit_name() against the lists in uapi/linux/minivm_exits.h.
 */
#include <kunit/test.h>
#include <linux/string.h>
#include "../minivm.h"

struct exit_name {
	u64 reason;
	const char *name;
};

static const struct exit_name vmx_exits[] = {
#define MINIVM_VMX_EXIT(nr, name) { (u64)(nr), #name },
#include <uapi/linux/minivm_exits.h>
};

static const struct exit_name svm_exits[] = {
#define MINIVM_SVM_EXIT(nr, name) { (u64)(nr), #name },
#include <uapi/linux/minivm_exits.h>
};

static void check_table(struct kunit *test, enum minivm_vendor vendor,
			const struct exit_name *t, size_t n)
{
	size_t i, j;

	KUNIT_ASSERT_GT(test, n, (size_t)10);
	for (i = 0; i < n; i++) {
		KUNIT_EXPECT_NOT_ERR_OR_NULL(test, t[i].name);
		/* The lookup's arrays hold every name of the list. */
		KUNIT_EXPECT_STREQ(test, minivm_exit_name(vendor, t[i].reason), t[i].name);
		KUNIT_EXPECT_GT(test, strlen(t[i].name), (size_t)1);
		for (j = i + 1; j < n; j++) {
			KUNIT_EXPECT_NE_MSG(test, t[i].reason, t[j].reason,
					    "%s and %s share a number", t[i].name, t[j].name);
			KUNIT_EXPECT_STRNEQ_MSG(test, t[i].name, t[j].name,
						"name listed twice");
		}
	}
}

static void vmx_table_is_consistent(struct kunit *test)
{
	check_table(test, MINIVM_VENDOR_INTEL_VMX, vmx_exits, ARRAY_SIZE(vmx_exits));
}

static void svm_table_is_consistent(struct kunit *test)
{
	check_table(test, MINIVM_VENDOR_AMD_SVM, svm_exits, ARRAY_SIZE(svm_exits));
}

/* Spot checks against the manuals' numbers. */
static void known_reasons_have_their_names(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, minivm_exit_name(MINIVM_VENDOR_INTEL_VMX, 10), "CPUID");
	KUNIT_EXPECT_STREQ(test, minivm_exit_name(MINIVM_VENDOR_INTEL_VMX, 30), "IO_INSTRUCTION");
	KUNIT_EXPECT_STREQ(test, minivm_exit_name(MINIVM_VENDOR_INTEL_VMX, 48), "EPT_VIOLATION");
	KUNIT_EXPECT_STREQ(test, minivm_exit_name(MINIVM_VENDOR_INTEL_VMX, 0), "EXCEPTION_NMI");
	KUNIT_EXPECT_STREQ(test, minivm_exit_name(MINIVM_VENDOR_AMD_SVM, 0x72), "CPUID");
	KUNIT_EXPECT_STREQ(test, minivm_exit_name(MINIVM_VENDOR_AMD_SVM, 0x7b), "IOIO");
	KUNIT_EXPECT_STREQ(test, minivm_exit_name(MINIVM_VENDOR_AMD_SVM, 0x400), "NPF");
	KUNIT_EXPECT_STREQ(test, minivm_exit_name(MINIVM_VENDOR_AMD_SVM, 0x7f), "SHUTDOWN");
	KUNIT_EXPECT_STREQ(test, minivm_exit_name(MINIVM_VENDOR_AMD_SVM, (u64)-1), "INVALID");
}

static void unknown_reasons_are_named_unknown(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, minivm_exit_name(MINIVM_VENDOR_INTEL_VMX, 5), "UNKNOWN");
	KUNIT_EXPECT_STREQ(test, minivm_exit_name(MINIVM_VENDOR_INTEL_VMX, 0xffff), "UNKNOWN");
	KUNIT_EXPECT_STREQ(test, minivm_exit_name(MINIVM_VENDOR_AMD_SVM, 0x1234), "UNKNOWN");
	/* Codes between the folded ranges must not alias a known one. */
	KUNIT_EXPECT_STREQ(test, minivm_exit_name(MINIVM_VENDOR_AMD_SVM, 0x372), "UNKNOWN");
	KUNIT_EXPECT_STREQ(test, minivm_exit_name(MINIVM_VENDOR_AMD_SVM, 0x172), "UNKNOWN");
	KUNIT_EXPECT_STREQ(test, minivm_exit_name(MINIVM_VENDOR_AMD_SVM, 0x4ff), "UNKNOWN");
	KUNIT_EXPECT_STREQ(test, minivm_exit_name(MINIVM_VENDOR_AMD_SVM, (u64)-2), "UNKNOWN");
	KUNIT_EXPECT_STREQ(test, minivm_exit_name(MINIVM_VENDOR_INTEL_VMX, 128), "UNKNOWN");
	KUNIT_EXPECT_STREQ(test, minivm_exit_name(0, 10), "UNKNOWN");
	KUNIT_EXPECT_STREQ(test, minivm_exit_name(99, 10), "UNKNOWN");
}

/* The values of the exits the list names, in its order. */
static const u32 listed[] = {
#define MINIVM_RUN_EXIT(name, words) MINIVM_EXIT_##name,
#include <uapi/linux/minivm_exits.h>
};

/*
 * The list holds every MINIVM_EXIT_* value in order, with no gap; each has
 * its name, and nothing past the last one has.
 */
static void run_exits_are_all_named(struct kunit *test)
{
	u32 r;

	for (r = 0; r < ARRAY_SIZE(listed); r++) {
		KUNIT_EXPECT_EQ(test, listed[r], r);
		KUNIT_EXPECT_STRNEQ_MSG(test, minivm_run_exit_name(r), "UNKNOWN", "exit %u", r);
	}
	KUNIT_EXPECT_STREQ(test, minivm_run_exit_name(MINIVM_EXIT_IO), "IO");
	KUNIT_EXPECT_STREQ(test, minivm_run_exit_name(MINIVM_EXIT_IRQ_WINDOW_OPEN),
			   "IRQ_WINDOW_OPEN");
	KUNIT_EXPECT_STREQ(test, minivm_run_exit_name(MINIVM_EXIT_EOI), "EOI");
	KUNIT_EXPECT_STREQ(test, minivm_run_exit_name(ARRAY_SIZE(listed)), "UNKNOWN");
}

static struct kunit_case exit_names_cases[] = {
	KUNIT_CASE(run_exits_are_all_named),
	KUNIT_CASE(vmx_table_is_consistent),
	KUNIT_CASE(svm_table_is_consistent),
	KUNIT_CASE(known_reasons_have_their_names),
	KUNIT_CASE(unknown_reasons_are_named_unknown),
	{}
};

static struct kunit_suite exit_names_suite = {
	.name = "minivm_exit_names",
	.test_cases = exit_names_cases,
};

kunit_test_suite(exit_names_suite);
