/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal KTAP producer for the lab's userspace tests, so their results
 * are counted by the same parser as the kernel's KUnit suites.
 */
#ifndef MINIVM_KTAP_H
#define MINIVM_KTAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int ktap_nr, ktap_failed, ktap_case_failed;
static char ktap_skip_reason[128];

/* A failed check marks the current case failed and says why, as a KTAP diagnostic. */
#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		printf("    # %s:%d: check failed: %s: ", __FILE__, __LINE__, #cond); \
		printf(__VA_ARGS__);					\
		printf("\n");						\
		fflush(stdout);						\
		ktap_case_failed = 1;					\
	}								\
} while (0)

#define CHECK_ERR(expr, err) do {					\
	long __r = (expr);						\
	CHECK(__r == -(err), "%s returned %ld (%s), want -%s", #expr,	\
	      __r, __r < 0 ? strerror((int)-__r) : "success", #err);	\
} while (0)

static inline void ktap_plan(const char *suite, int n)
{
	printf("KTAP version 1\n1..%d\n", n);
	printf("# suite: %s\n", suite);
	fflush(stdout);
}

static inline void ktap_run(const char *name, void (*fn)(void))
{
	const char *only = getenv("KTAP_ONLY");	/* while developing: one case */

	if (only && !strstr(name, only))
		return;
	ktap_case_failed = 0;
	ktap_skip_reason[0] = 0;
	printf("    # %s ...\n", name);	/* names the case a hang stops in */
	fflush(stdout);
	fn();
	ktap_nr++;
	if (ktap_case_failed)
		ktap_failed++;
	if (ktap_skip_reason[0] && !ktap_case_failed)
		printf("ok %d %s # SKIP %s\n", ktap_nr, name, ktap_skip_reason);
	else
		printf("%s %d %s\n", ktap_case_failed ? "not ok" : "ok", ktap_nr, name);
	fflush(stdout);
}

#define KTAP_RUN(fn) ktap_run(#fn, fn)

/* Within a case: it cannot run here (say why); it then counts as skipped. */
#define SKIP(...) snprintf(ktap_skip_reason, sizeof(ktap_skip_reason), __VA_ARGS__)

#endif /* MINIVM_KTAP_H */
