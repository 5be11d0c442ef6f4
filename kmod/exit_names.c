// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: exit reasons by name, generated from the lists in
 * uapi/linux/minivm_exits.h (never written out by hand).
 */
#include <linux/kernel.h>
#include "minivm.h"
#include "exit_names.h"

const struct minivm_exit_name minivm_vmx_exit_names[] = {
#define MINIVM_VMX_EXIT(nr, name) { (u64)(nr), #name },
#include <uapi/linux/minivm_exits.h>
};

const size_t minivm_vmx_exit_names_len = ARRAY_SIZE(minivm_vmx_exit_names);

const struct minivm_exit_name minivm_svm_exit_names[] = {
#define MINIVM_SVM_EXIT(nr, name) { (u64)(nr), #name },
#include <uapi/linux/minivm_exits.h>
};

const size_t minivm_svm_exit_names_len = ARRAY_SIZE(minivm_svm_exit_names);

/**
 * minivm_exit_name() - the name of a hardware exit reason
 * @vendor: whose numbering @reason uses
 * @reason: the VMX basic exit reason or the SVM exit code
 *
 * Return: the reason's name, or "UNKNOWN".
 */
const char *minivm_exit_name(enum minivm_vendor vendor, u64 reason)
{
	const struct minivm_exit_name *t;
	size_t i, n;

	if (vendor == MINIVM_VENDOR_INTEL_VMX) {
		t = minivm_vmx_exit_names;
		n = minivm_vmx_exit_names_len;
	} else if (vendor == MINIVM_VENDOR_AMD_SVM) {
		t = minivm_svm_exit_names;
		n = minivm_svm_exit_names_len;
	} else {
		return "UNKNOWN";
	}
	for (i = 0; i < n; i++)
		if (t[i].reason == reason)
			return t[i].name;
	return "UNKNOWN";
}
