// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: what a guest is shown and allowed, the same on VMX and SVM.
 *
 * CPUID is the host's, minus what minivm does not virtualize: VMX/SVM
 * themselves, MONITOR/MWAIT, the local APIC and x2APIC (minivm emulates no
 * APIC), performance counters, power management, and instructions the
 * backends do not enable for guests (RDTSCP, INVPCID, XSAVES, PKU, TSX, SGX,
 * MPX, processor trace). Hiding is the only safe default: a guest that
 * believes a feature exists will use it.
 */
#include <linux/bits.h>
#include <asm/cpufeature.h>
#include <asm/fpu/xcr.h>
#include <asm/processor.h>
#include "minivm.h"

/* CPUID.1 */
#define C1_ECX_HIDE	(BIT(3) /* MONITOR */ | BIT(5) /* VMX */ | BIT(6) /* SMX */ | \
			 BIT(15) /* PDCM */ | BIT(21) /* x2APIC */ | \
			 BIT(24) /* TSC deadline */ | BIT(27) /* OSXSAVE, set below */)
#define C1_ECX_HYPERVISOR	BIT(31)
#define C1_ECX_OSXSAVE	BIT(27)
#define C1_EDX_HIDE	(BIT(9) /* APIC */ | BIT(22) /* ACPI thermal */ | \
			 BIT(29) /* TM */)
/* CPUID.7.0 */
#define C7_EBX_HIDE	(BIT(2) /* SGX */ | BIT(4) /* HLE */ | BIT(10) /* INVPCID */ | \
			 BIT(11) /* RTM */ | BIT(12) /* RDT-M */ | BIT(14) /* MPX */ | \
			 BIT(15) /* RDT-A */ | BIT(25) /* PT */)
#define C7_ECX_HIDE	(BIT(3) /* PKU */ | BIT(4) /* OSPKE */ | BIT(5) /* WAITPKG */ | \
			 BIT(22) /* RDPID */ | BIT(30) /* SGX_LC */)
/* CPUID.0xd.1 */
#define CD1_EAX_HIDE	BIT(3) /* XSAVES */
/* CPUID.0x80000001 */
#define CE1_ECX_HIDE	(BIT(2) /* SVM */ | BIT(12) /* SKINIT */ | BIT(23) /* PERFCTR_CORE */)
#define CE1_EDX_HIDE	BIT(27) /* RDTSCP */

/*
 * Leaves shown as all zeroes: MONITOR/MWAIT (5), power management (6),
 * performance monitoring (0xa), structured features past subleaf 0 (7),
 * SVM (0x8000000a). A number no real leaf uses stands for them below.
 */
#define CPUID_HIDDEN	0xffffffffU

/**
 * minivm_cpuid() - execute CPUID for the guest
 * @vcpu: the vCPU; leaf in RAX, subleaf in RCX, results into RAX-RDX
 * @guest_cr4: the guest's CR4, which CPUID.1:ECX.OSXSAVE reflects
 */
void minivm_cpuid(struct minivm_vcpu *vcpu, u64 guest_cr4)
{
	u32 leaf = vcpu->gpr[MINIVM_RAX], sub = vcpu->gpr[MINIVM_RCX];
	u32 a, b, c, d;

	cpuid_count(leaf, sub, &a, &b, &c, &d);
	if (leaf == 5 || leaf == 6 || leaf == 0xa || (leaf == 7 && sub) || leaf == 0x8000000a)
		leaf = CPUID_HIDDEN;
	switch (leaf) {
	case CPUID_HIDDEN:
		a = 0;
		b = 0;
		c = 0;
		d = 0;
		break;
	case 1:
		c &= ~C1_ECX_HIDE;
		c |= C1_ECX_HYPERVISOR;
		if (guest_cr4 & X86_CR4_OSXSAVE)
			c |= C1_ECX_OSXSAVE;
		d &= ~C1_EDX_HIDE;
		/* One logical processor per package; APIC ID = vCPU id. */
		b = (b & 0xffff) | (1 << 16) | (vcpu->id << 24);
		break;
	case 7:
		b &= ~C7_EBX_HIDE;
		c &= ~C7_ECX_HIDE;
		d = 0;
		break;
	case 0xd:
		if (sub == 1)
			a &= ~CD1_EAX_HIDE;
		break;
	case 0x80000001:
		c &= ~CE1_ECX_HIDE;
		d &= ~CE1_EDX_HIDE;
		break;
	}
	vcpu->gpr[MINIVM_RAX] = a;
	vcpu->gpr[MINIVM_RBX] = b;
	vcpu->gpr[MINIVM_RCX] = c;
	vcpu->gpr[MINIVM_RDX] = d;
}

/**
 * minivm_set_xcr0() - the guest executes XSETBV
 * @vcpu: the vCPU
 * @index: ECX (only XCR0 exists)
 * @value: EDX:EAX
 *
 * Return: 0, or -EINVAL when the guest must get #GP instead.
 */
int minivm_set_xcr0(struct minivm_vcpu *vcpu, u32 index, u64 value)
{
	u64 supported = vcpu->fpu.fpstate->xfeatures;

	if (index != 0 || !(value & XFEATURE_MASK_FP) || (value & ~supported))
		return -EINVAL;
	/* AVX needs SSE; AVX-512's three parts go together and need AVX. */
	if ((value & XFEATURE_MASK_YMM) && !(value & XFEATURE_MASK_SSE))
		return -EINVAL;
	if ((value & XFEATURE_MASK_AVX512) &&
	    ((value & XFEATURE_MASK_AVX512) != XFEATURE_MASK_AVX512 ||
	     !(value & XFEATURE_MASK_YMM)))
		return -EINVAL;
	vcpu->xcr0 = value;
	return 0;
}

static u64 cr4_allowed __ro_after_init;

/*
 * minivm_policy_init() - work out once, at load, what depends only on the
 * host CPU: VMX asks for the CR4 mask on every CPUID exit.
 */
void minivm_policy_init(void)
{
	u64 allowed = X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE | X86_CR4_PSE |
		      X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE |
		      X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;

	if (boot_cpu_has(X86_FEATURE_FSGSBASE))
		allowed |= X86_CR4_FSGSBASE;
	if (boot_cpu_has(X86_FEATURE_PCID))
		allowed |= X86_CR4_PCIDE;
	if (boot_cpu_has(X86_FEATURE_XSAVE))
		allowed |= X86_CR4_OSXSAVE;
	if (boot_cpu_has(X86_FEATURE_SMEP))
		allowed |= X86_CR4_SMEP;
	if (boot_cpu_has(X86_FEATURE_SMAP))
		allowed |= X86_CR4_SMAP;
	cr4_allowed = allowed;
}

/** minivm_cr4_allowed() - the CR4 bits a guest may set */
u64 minivm_cr4_allowed(void)
{
	return cr4_allowed;
}

/**
 * minivm_msr_common() - MSRs that mean the same on both vendors
 * @vcpu: the vCPU
 * @write: a WRMSR, else RDMSR
 * @index: the MSR
 * @value: in for a write, out for a read
 *
 * Return: 0 when handled, -ENOENT when the backend should look at @index
 * (its own state), -EINVAL when the guest gets #GP.
 */
int minivm_msr_common(struct minivm_vcpu *vcpu, bool write, u32 index, u64 *value)
{
	switch (index) {
	case MSR_IA32_TSC:
		if (write)
			return -EINVAL;
		*value = rdtsc();
		return 0;
	case MSR_MTRRcap:
		if (write)
			return -EINVAL;
		*value = 0;	/* no variable or fixed MTRRs: guest PAT decides */
		return 0;
	case MSR_IA32_MISC_ENABLE:
		if (write)
			return *value == MSR_IA32_MISC_ENABLE_FAST_STRING ? 0 : -EINVAL;
		*value = MSR_IA32_MISC_ENABLE_FAST_STRING;
		return 0;
	default:
		return -ENOENT;
	}
}
