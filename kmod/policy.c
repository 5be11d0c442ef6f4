// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: what a guest is shown and allowed, the same on VMX and SVM.
 *
 * CPUID is the host's, minus what minivm does not virtualize: VMX/SVM
 * themselves, MONITOR/MWAIT, the local APIC and x2APIC (minivm emulates no
 * APIC), performance counters, power management, and instructions the
 * backends do not enable for guests (RDTSCP, INVPCID, XSAVES, PKU, TSX, SGX,
 * MPX, processor trace), and the hypervisor leaves of a host that is itself
 * a guest. Hiding is the only safe default: a guest that believes a feature
 * exists will use it.
 */
#include <linux/bits.h>
#include <asm/cpufeature.h>
#include <asm/fpu/xcr.h>
#include <asm/processor.h>
#include "arch_state.h"
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
 * SVM (0x8000000a), and the hypervisor range (0x40000000-0x4fffffff): on a
 * host that is itself a guest, those describe the host's hypervisor and its
 * paravirtual interfaces, none of which minivm offers.
 */
static bool cpuid_hidden(u32 leaf, u32 sub)
{
	return leaf == 5 || leaf == 6 || leaf == 0xa || (leaf == 7 && sub) ||
	       leaf == 0x8000000a || (leaf >= 0x40000000 && leaf <= 0x4fffffff);
}

/* Leaves whose answer depends on the subleaf in ECX. */
static bool cpuid_has_subleaves(u32 leaf)
{
	switch (leaf) {
	case 0x4: case 0x7: case 0xb: case 0xd: case 0xf: case 0x10: case 0x12:
	case 0x14: case 0x17: case 0x18: case 0x1d: case 0x1e: case 0x1f: case 0x20:
	case 0x8000001d: case 0x80000020:
		return true;
	}
	return false;
}

struct cpuid_regs4 {
	u32 a, b, c, d;
};

/* The host's answer for @leaf.@sub, less what guests are not shown. */
static void cpuid_filtered(u32 leaf, u32 sub, struct cpuid_regs4 *r)
{
	if (cpuid_hidden(leaf, sub)) {
		*r = (struct cpuid_regs4){ 0 };
		return;
	}
	cpuid_count(leaf, sub, &r->a, &r->b, &r->c, &r->d);
	switch (leaf) {
	case 1:
		r->c &= ~C1_ECX_HIDE;
		r->c |= C1_ECX_HYPERVISOR;
		r->d &= ~C1_EDX_HIDE;
		break;
	case 7:
		r->b &= ~C7_EBX_HIDE;
		r->c &= ~C7_ECX_HIDE;
		r->d = 0;
		break;
	case 0xd:
		if (sub == 1)
			r->a &= ~CD1_EAX_HIDE;
		break;
	case 0x80000001:
		r->c &= ~CE1_ECX_HIDE;
		r->d &= ~CE1_EDX_HIDE;
		break;
	}
}

/*
 * The leaves without subleaves, filtered once at load: a CPUID exit copies
 * its answer from here instead of running CPUID and the filter each time
 * (which, on a host that is itself a guest, is an exit of its own). The
 * answers are then also the same on every host CPU a vCPU runs on.
 */
#define CPUID_TABLE_LEAVES	0x20
static struct cpuid_regs4 cpuid_basic[CPUID_TABLE_LEAVES] __ro_after_init;
static struct cpuid_regs4 cpuid_ext[CPUID_TABLE_LEAVES] __ro_after_init;
static u32 cpuid_basic_nr __ro_after_init;
static u32 cpuid_ext_nr __ro_after_init;

static void cpuid_table_init(void)
{
	u32 max = cpuid_eax(0), i;

	cpuid_basic_nr = min_t(u32, max + 1, CPUID_TABLE_LEAVES);
	for (i = 0; i < cpuid_basic_nr; i++)
		if (!cpuid_has_subleaves(i))
			cpuid_filtered(i, 0, &cpuid_basic[i]);
	max = cpuid_eax(0x80000000);
	cpuid_ext_nr = max < 0x80000000 ? 0 :
		       min_t(u32, max - 0x80000000 + 1, CPUID_TABLE_LEAVES);
	for (i = 0; i < cpuid_ext_nr; i++)
		if (!cpuid_has_subleaves(0x80000000 + i))
			cpuid_filtered(0x80000000 + i, 0, &cpuid_ext[i]);
}

/**
 * minivm_cpuid() - execute CPUID for the guest
 * @vcpu: the vCPU; leaf in RAX, subleaf in RCX, results into RAX-RDX
 * @guest_cr4: the guest's CR4, which CPUID.1:ECX.OSXSAVE reflects
 */
void minivm_cpuid(struct minivm_vcpu *vcpu, u64 guest_cr4)
{
	u32 leaf = vcpu->gpr[MINIVM_RAX], sub = vcpu->gpr[MINIVM_RCX];
	struct cpuid_regs4 r;

	if (leaf < cpuid_basic_nr && !cpuid_has_subleaves(leaf))
		r = cpuid_basic[leaf];
	else if (leaf - 0x80000000 < cpuid_ext_nr && !cpuid_has_subleaves(leaf))
		r = cpuid_ext[leaf - 0x80000000];
	else
		cpuid_filtered(leaf, sub, &r);
	if (leaf == 1) {
		if (guest_cr4 & X86_CR4_OSXSAVE)
			r.c |= C1_ECX_OSXSAVE;
		/* One logical processor per package; APIC ID = vCPU id. */
		r.b = (r.b & 0xffff) | (1 << 16) | (vcpu->id << 24);
	}
	vcpu->gpr[MINIVM_RAX] = r.a;
	vcpu->gpr[MINIVM_RBX] = r.b;
	vcpu->gpr[MINIVM_RCX] = r.c;
	vcpu->gpr[MINIVM_RDX] = r.d;
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
 * host CPU: the CR4 mask (VMX asks for it on every CPUID exit) and the
 * CPUID table.
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
	cpuid_table_init();
}

/** minivm_cr4_allowed() - the CR4 bits a guest may set */
u64 minivm_cr4_allowed(void)
{
	return cr4_allowed;
}

/* The MSRs whose values are addresses a guest could use: canonical only. */
static bool msr_holds_address(u32 index)
{
	return index == MSR_FS_BASE || index == MSR_GS_BASE ||
	       index == MSR_IA32_SYSENTER_ESP || index == MSR_IA32_SYSENTER_EIP;
}

/**
 * minivm_msr() - the guest's RDMSR/WRMSR, and %MINIVM_GET_MSRS/%MINIVM_SET_MSRS
 * @vcpu: the vCPU, loaded on this CPU (its VMCS/VMCB may be accessed)
 * @write: a WRMSR, else RDMSR
 * @index: the MSR
 * @value: in for a write, out for a read
 *
 * Every rule is here, once for both vendors; the backend only holds the
 * values its VMCS/VMCB keeps (&minivm_backend.msr).
 *
 * Return: 0; -ENOENT when the guest has no such MSR; -EINVAL when the
 * access is refused. Either way the guest gets #GP.
 */
int minivm_msr(struct minivm_vcpu *vcpu, bool write, u32 index, u64 *value)
{
	u64 efer;

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
	case MSR_EFER:
		if (!write)
			break;
		minivm_be->msr(vcpu, false, MSR_EFER, &efer);
		if (!minivm_efer_write_valid(efer, *value, minivm_be->get_cr(vcpu, 0)))
			return -EINVAL;
		break;
	case MSR_IA32_CR_PAT:
		if (write && !minivm_pat_valid(*value))
			return -EINVAL;
		break;
	default:
		if (write && msr_holds_address(index) && !__is_canonical_address(*value, 48))
			return -EINVAL;
		break;
	}
	return minivm_be->msr(vcpu, write, index, value);
}
