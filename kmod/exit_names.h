/* SPDX-License-Identifier: GPL-2.0 */
#ifndef MINIVM_EXIT_NAMES_H
#define MINIVM_EXIT_NAMES_H

#include <linux/types.h>

struct minivm_exit_name {
	u64 reason;
	const char *name;
};

extern const struct minivm_exit_name minivm_vmx_exit_names[];
extern const size_t minivm_vmx_exit_names_len;
extern const struct minivm_exit_name minivm_svm_exit_names[];
extern const size_t minivm_svm_exit_names_len;

#endif /* MINIVM_EXIT_NAMES_H */
