// SPDX-License-Identifier: GPL-2.0
/*
 * minivm SVM: decide from CPUID and VM_CR whether this CPU can run minivm's
 * guests: SVM present and not disabled by firmware, with nested paging.
 */
#include <linux/errno.h>
#include "caps.h"

/**
 * svm_check_vm_cr() - is SVM allowed by the VM_CR MSR?
 * @vm_cr: the MSR's value
 * @why: set to the reason on failure
 *
 * Return: 0, or -EOPNOTSUPP when firmware set VM_CR.SVMDIS.
 */
int svm_check_vm_cr(u64 vm_cr, const char **why)
{
	if (vm_cr & SVM_VM_CR_SVMDIS) {
		*why = "SVM disabled by firmware (VM_CR.SVMDIS is set)";
		return -EOPNOTSUPP;
	}
	return 0;
}

/**
 * svm_parse_caps() - check SVM's CPUID leaves and VM_CR
 * @c: raw values
 * @caps: filled on success
 * @why: set to one sentence naming the first problem on failure
 *
 * Return: 0; -ENODEV when SVM or nested paging is missing; -EOPNOTSUPP
 * when firmware disabled SVM.
 */
int svm_parse_caps(const struct svm_cpuid *c, struct svm_caps *caps, const char **why)
{
	int ret;

	if (c->max_ext_leaf < 0x8000000a || !(c->ext1_ecx & SVM_CPUID_EXT1_ECX_SVM)) {
		*why = "AMD CPU without SVM (CPUID 0x80000001:ECX.SVM is clear)";
		return -ENODEV;
	}
	ret = svm_check_vm_cr(c->vm_cr, why);
	if (ret)
		return ret;
	if (!(c->svm_edx & SVM_CPUID_EDX_NP)) {
		*why = "SVM without nested paging (CPUID 0x8000000A:EDX.NP is clear)";
		return -ENODEV;
	}
	if (c->svm_ebx < 2) {
		*why = "SVM without guest ASIDs (CPUID 0x8000000A:EBX < 2)";
		return -ENODEV;
	}
	caps->nr_asids = c->svm_ebx;
	caps->nrips = !!(c->svm_edx & SVM_CPUID_EDX_NRIPS);
	return 0;
}
