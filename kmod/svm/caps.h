/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm SVM: what CPUID and VM_CR say, parsed without touching hardware so
 * KUnit can feed it any CPU (caps_test.c).
 */
#ifndef MINIVM_SVM_CAPS_H
#define MINIVM_SVM_CAPS_H

#include <linux/bits.h>
#include <linux/types.h>

/* AMD APM vol. 2 ch. 15 and vol. 3 app. E. */
#define SVM_CPUID_EXT1_ECX_SVM		BIT(2)	/* CPUID 0x80000001:ECX */
#define SVM_CPUID_EDX_NP		BIT(0)	/* CPUID 0x8000000A:EDX */
#define SVM_CPUID_EDX_NRIPS		BIT(3)
#define SVM_VM_CR_SVMDIS		BIT_ULL(4)

/**
 * struct svm_cpuid - the raw values probing reads
 * @max_ext_leaf: CPUID 0x80000000:EAX
 * @ext1_ecx: CPUID 0x80000001:ECX
 * @svm_ebx: CPUID 0x8000000A:EBX, the number of ASIDs
 * @svm_edx: CPUID 0x8000000A:EDX, SVM features
 * @vm_cr: the VM_CR MSR
 */
struct svm_cpuid {
	u32 max_ext_leaf;
	u32 ext1_ecx;
	u32 svm_ebx;
	u32 svm_edx;
	u64 vm_cr;
};

/**
 * struct svm_caps - what minivm will use
 * @nr_asids: ASIDs the hardware has (ASID 0 is the host's)
 * @nrips: the VMCB holds the next RIP on intercepts
 */
struct svm_caps {
	u32 nr_asids;
	bool nrips;
};

int svm_parse_caps(const struct svm_cpuid *c, struct svm_caps *caps, const char **why);
int svm_check_vm_cr(u64 vm_cr, const char **why);

#endif /* MINIVM_SVM_CAPS_H */
