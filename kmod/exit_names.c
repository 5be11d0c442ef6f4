// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: exit reasons by name, generated from the lists in
 * uapi/linux/minivm_exits.h (never written out by hand): minivm's own, for
 * the minivm_userspace tracepoint, and the hardware's, which each backend
 * names, for the others.
 */
#include <linux/kernel.h>
#include "minivm.h"

/**
 * minivm_exit_name() - the name of a hardware exit reason
 * @vendor: whose numbering @reason uses
 * @reason: the VMX basic exit reason or the SVM exit code
 *
 * Return: the reason's name, or "UNKNOWN". The names are the backends'
 * (vmx/exit_names.c, svm/exit_names.c).
 */
const char *minivm_exit_name(enum minivm_vendor vendor, u64 reason)
{
	const struct minivm_backend *be = minivm_backend_for(vendor);
	const char *name = be ? be->exit_name(reason) : NULL;

	return name ? name : "UNKNOWN";
}

static const char * const run_exit_names[] = {
#define MINIVM_RUN_EXIT(name, words) \
	[MINIVM_EXIT_##name] = #name,
#include <uapi/linux/minivm_exits.h>
};

/**
 * minivm_run_exit_name() - the name of a MINIVM_EXIT_* value, as "IO"
 * @exit_reason: the value
 *
 * Return: its name without the prefix, or "UNKNOWN".
 */
const char *minivm_run_exit_name(u32 exit_reason)
{
	if (exit_reason < ARRAY_SIZE(run_exit_names) && run_exit_names[exit_reason])
		return run_exit_names[exit_reason];
	return "UNKNOWN";
}
