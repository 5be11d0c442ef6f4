// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: exit reasons by name, generated from the lists in
 * uapi/linux/minivm_exits.h (never written out by hand): minivm's own, for
 * the minivm_userspace tracepoint, and the hardware's, for the others.
 */
#include <linux/kernel.h>
#include "minivm.h"

/*
 * Names indexed by number: the tracepoints look a name up twice per event,
 * on every exit they record, and a search of a (number, name) list cost
 * more than the rest of the event. SVM's codes (0-0xff, 0x400-0x4fe, and -1
 * for INVALID) fold into 0x200 slots: -1 to 0, 0-0xff to 1-0x100,
 * 0x400-0x4fe to 0x101-0x1ff. A code outside those ranges would not compile
 * (or, with W=1, would override another's slot).
 */
#define SVM_SLOT(code)	(((u64)(code) + 1) % 0x300)

static const char * const vmx_name_by_nr[128] = {
#define MINIVM_VMX_EXIT(nr, name) \
	[nr] = #name,
#include <uapi/linux/minivm_exits.h>
};

static const char * const svm_name_by_slot[0x200] = {
#define MINIVM_SVM_EXIT(nr, name) \
	[SVM_SLOT(nr)] = #name,
#include <uapi/linux/minivm_exits.h>
};

/**
 * minivm_exit_name() - the name of a hardware exit reason
 * @vendor: whose numbering @reason uses
 * @reason: the VMX basic exit reason or the SVM exit code
 *
 * Return: the reason's name, or "UNKNOWN".
 */
const char *minivm_exit_name(enum minivm_vendor vendor, u64 reason)
{
	const char *name = NULL;

	if (vendor == MINIVM_VENDOR_INTEL_VMX && reason < ARRAY_SIZE(vmx_name_by_nr))
		name = vmx_name_by_nr[reason];
	else if (vendor == MINIVM_VENDOR_AMD_SVM &&
		 (reason < 0x100 || (reason >= 0x400 && reason < 0x4ff) || reason == (u64)-1))
		name = svm_name_by_slot[SVM_SLOT(reason)];
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
