// SPDX-License-Identifier: GPL-2.0
/*
 * minivm SVM backend: exit codes by name, generated from the list in
 * uapi/linux/minivm_exits.h. Indexed, as the tracepoints look a name up on
 * every exit they record: the codes (0-0xff, 0x400-0x4fe, and -1 for
 * INVALID) fold into 0x200 slots: -1 to 0, 0-0xff to 1-0x100, 0x400-0x4fe
 * to 0x101-0x1ff. A code outside those ranges would not compile (or, with
 * W=1, would override another's slot).
 */
#include <linux/kernel.h>
#include "svm.h"

#define SVM_SLOT(code)	(((u64)(code) + 1) % 0x300)

static const char * const svm_name_by_slot[0x200] = {
#define MINIVM_SVM_EXIT(nr, name) \
	[SVM_SLOT(nr)] = #name,
#include <uapi/linux/minivm_exits.h>
};

/* The name of exit code @code, or NULL. */
const char *svm_exit_name(u64 code)
{
	if (code < 0x100 || (code >= 0x400 && code < 0x4ff) || code == (u64)-1)
		return svm_name_by_slot[SVM_SLOT(code)];
	return NULL;
}
