// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: what a guest is allowed, the same on VMX and SVM: its MSRs, XCR0
 * and CR4 (what CPUID shows it is cpuid.c's).
 */
#include <linux/bits.h>
#include <asm/apicdef.h>
#include <asm/cpufeature.h>
#include <asm/fpu/xcr.h>
#include <asm/processor.h>
#include "arch_state.h"
#include "minivm.h"
#include "pvclock.h"

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
 * host CPU: the CR4 mask and the CPUID table.
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
	minivm_cpuid_init();
}

/** minivm_cr4_allowed() - the CR4 bits a guest may set */
u64 minivm_cr4_allowed(void)
{
	return cr4_allowed;
}

/* The MSRs whose values are addresses a guest could use: canonical only. */
static bool msr_holds_address(u32 index)
{
	switch (index) {
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_KERNEL_GS_BASE:
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		return true;
	}
	return false;
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
	s64 delta;
	int ret;

	switch (index) {
	case MSR_IA32_TSC:
		if (!write) {
			*value = rdtsc() + vcpu->tsc_offset;
			return 0;
		}
		/* As on hardware, TSC_ADJUST counts what writes moved it by. */
		delta = *value - (rdtsc() + vcpu->tsc_offset);
		vcpu->tsc_adjust += delta;
		vcpu->tsc_offset += delta;
		minivm_be->set_tsc_offset(vcpu, vcpu->tsc_offset);
		return 0;
	case MSR_IA32_TSC_ADJUST:
		if (!write) {
			*value = vcpu->tsc_adjust;
			return 0;
		}
		vcpu->tsc_offset += (s64)*value - vcpu->tsc_adjust;
		vcpu->tsc_adjust = *value;
		minivm_be->set_tsc_offset(vcpu, vcpu->tsc_offset);
		return 0;
	case MSR_MTRRcap:
		if (write)
			return -EINVAL;
		*value = 0;	/* no variable or fixed MTRRs: guest PAT decides */
		return 0;
	case MSR_MTRRdefType:
		if (!write) {
			*value = vcpu->mtrr_def_type;
			return 0;
		}
		if (!minivm_mtrr_def_type_valid(*value))
			return -EINVAL;
		vcpu->mtrr_def_type = *value;
		return 0;
	case MSR_IA32_MCG_CAP:
		/* The machine-check architecture CPUID shows, with no banks. */
		if (write)
			return -EINVAL;
		*value = 0;
		return 0;
	case MSR_IA32_MCG_STATUS:
		if (!write) {
			*value = vcpu->mcg_status;
			return 0;
		}
		if (*value >> 3)	/* RIPV, EIPV, MCIP; the rest reserved */
			return -EINVAL;
		vcpu->mcg_status = *value;
		return 0;
	case MSR_K8_INT_PENDING_MSG:
		/* No C1E to report: Linux reads it on CPUs with AMD's erratum 400. */
		if (!minivm_cpuid_vendor_amd())
			return -ENOENT;
		if (write)
			return -EINVAL;
		*value = 0;
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
	case MSR_SYSCALL_MASK:
		if (write && *value >> 32)	/* reserved */
			return -EINVAL;
		break;
	case MSR_IA32_APICBASE:
		if (!write) {
			*value = vcpu->apic_base;
			return 0;
		}
		if (!minivm_apic_base_valid(*value, boot_cpu_data.x86_phys_bits, vcpu->lapic))
			return -EINVAL;
		if (vcpu->lapic)
			return minivm_lapic_set_base(vcpu, *value);
		vcpu->apic_base = *value;
		return 0;
	case MSR_TSC_AUX:
		/* RDTSCP's ECX; only where the guest can execute RDTSCP. */
		if (!minivm_caps.rdtscp)
			return -ENOENT;
		if (!write) {
			*value = vcpu->tsc_aux;
			return 0;
		}
		if (*value >> 32)	/* reserved */
			return -EINVAL;
		minivm_vcpu_set_tsc_aux(vcpu, *value);
		return 0;
	case MSR_IA32_TSC_DEADLINE:
	case APIC_BASE_MSR ... APIC_BASE_MSR + 0xff:
		/* The in-kernel APIC's; without one there is no such MSR. */
		return vcpu->lapic ? minivm_lapic_msr(vcpu, write, index, value) : -ENOENT;
	default:
		if (minivm_pvclock_msr(vcpu, write, index, value, &ret))
			return ret;
		if (write && msr_holds_address(index) && !__is_canonical_address(*value, 48))
			return -EINVAL;
		break;
	}
	return minivm_be->msr(vcpu, write, index, value);
}
