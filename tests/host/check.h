/* SPDX-License-Identifier: GPL-2.0 */
/* The host tests' one assertion: a failed condition prints its line and counts. */
#ifndef MINIVM_HOST_CHECK_H
#define MINIVM_HOST_CHECK_H

#include <stdio.h>

static int failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("%s:%d: %s\n", __FILE__, __LINE__, #cond);	\
		failures++;						\
	}								\
} while (0)

#endif /* MINIVM_HOST_CHECK_H */
