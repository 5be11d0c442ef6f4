// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: a paravirtual clock, in the ABI Linux guests read as kvm-clock
 * (asm/pvclock-abi.h, KVM's MSRs and CPUID leaves in uapi/asm/kvm_para.h),
 * the same on VMX and SVM.
 *
 * Why: a guest must know its TSC's frequency. Calibrating it against the
 * PIT costs one exit per read of the counter, which in a nested or busy
 * host is too slow for Linux's calibration loops (it gives up and marks
 * the TSC unstable). The host knows the frequency; this hands it over.
 *
 * What: each vCPU names a guest page (MSR_KVM_SYSTEM_TIME_NEW, bit 0 on)
 * where minivm publishes a multiplier and shift that turn TSC ticks into
 * nanoseconds, with the VM's TSC origin as time 0. The host TSC is
 * invariant and one offset serves every vCPU, so the values never change
 * and are published once per write, flagged stable (only where CPUID said
 * so; and on a host that does not know its TSC's rate there is no clock). The wall clock
 * (MSR_KVM_WALL_CLOCK_NEW) is the host's real time when the VM was
 * created, the moment guest time 0 stands for.
 *
 * Guest memory is written from the run loop or the ioctl, never in the
 * exit handler, which runs with interrupts off.
 */
#include <linux/math64.h>
#include <linux/time64.h>
#include <asm/kvm_para.h>
#include <asm/pvclock-abi.h>
#include <asm/tsc.h>
#include "minivm.h"
#include "pvclock.h"

#define SYSTEM_TIME_ENABLE	BIT_ULL(0)

/*
 * Decided once at load, so that CPUID, the MSRs and the published flags
 * can never disagree: the TSC's rate (0: the host does not know it, and no
 * clock is offered) and the features CPUID announces.
 */
static u64 pvclock_tsc_hz __ro_after_init;
static u32 pvclock_features __ro_after_init;

/**
 * minivm_pvclock_features_for() - what a host with this TSC can offer
 * @tsc_khz: the TSC's rate as the host measured it, 0 if it could not
 * @invariant: the TSC runs at one rate in every C- and P-state
 *
 * Without a rate there is no clock (the factors would divide by zero);
 * a clock is stable only on an invariant TSC.
 *
 * Return: the KVM_FEATURE_CLOCKSOURCE* bits of CPUID 0x40000001.EAX.
 */
u32 minivm_pvclock_features_for(u32 tsc_khz, bool invariant)
{
	if (!tsc_khz)
		return 0;
	return BIT(KVM_FEATURE_CLOCKSOURCE2) |
	       (invariant ? BIT(KVM_FEATURE_CLOCKSOURCE_STABLE_BIT) : 0);
}

/** minivm_pvclock_init() - decide what the clock offers; at load, before CPUID's table */
void minivm_pvclock_init(void)
{
	pvclock_tsc_hz = (u64)tsc_khz * 1000;
	pvclock_features = minivm_pvclock_features_for(tsc_khz,
						       boot_cpu_has(X86_FEATURE_CONSTANT_TSC) &&
						       boot_cpu_has(X86_FEATURE_NONSTOP_TSC));
}

/** minivm_pvclock_features() - CPUID 0x40000001.EAX's clock bits */
u32 minivm_pvclock_features(void)
{
	return pvclock_features;
}

/**
 * minivm_pvclock_scale() - the guest's factors for TSC ticks to nanoseconds
 * @tsc_hz: the TSC's frequency, 1 kHz or more
 * @mul: out: the 32-bit fraction
 * @shift: out: how far ticks are shifted first (left if positive)
 *
 * The guest computes ns = ((ticks << shift) * mul) >> 32 (a right shift
 * for a negative @shift). @mul is kept in [2^31, 2^32) for its precision:
 * mul = 10^9 * 2^(32 - shift) / tsc_hz.
 */
void minivm_pvclock_scale(u64 tsc_hz, u32 *mul, s8 *shift)
{
	int s = 0;
	u64 m = mul_u64_u64_div_u64(NSEC_PER_SEC, 1ULL << 32, tsc_hz);

	while (m >= BIT_ULL(32) && s < 31)
		m = mul_u64_u64_div_u64(NSEC_PER_SEC, 1ULL << (32 - ++s), tsc_hz);
	while (m < BIT_ULL(31) && s > -31)
		m = mul_u64_u64_div_u64(NSEC_PER_SEC, 1ULL << (32 - --s), tsc_hz);
	*mul = (u32)m;
	*shift = (s8)s;
}

/**
 * minivm_pvclock_msr() - the clock's MSRs, for minivm_msr()
 * @vcpu: the vCPU
 * @write: WRMSR (or %MINIVM_SET_MSRS)
 * @index: the MSR
 * @value: in or out
 * @ret: out: 0, or -EINVAL for a reserved bit
 *
 * A write is published by minivm_pvclock_publish(), which the caller runs
 * with interrupts on before the guest runs again.
 *
 * Return: whether @index is one of the clock's (never, if no clock is
 * offered: the guest then gets #GP, as for any MSR CPUID did not promise).
 */
bool minivm_pvclock_msr(struct minivm_vcpu *vcpu, bool write, u32 index, u64 *value,
			int *ret)
{
	u64 *msr;
	unsigned int pending;

	if (!pvclock_features)
		return false;
	if (index == MSR_KVM_SYSTEM_TIME_NEW) {
		msr = &vcpu->pvclock_system_msr;
		pending = MINIVM_PVCLOCK_SYSTEM;
	} else if (index == MSR_KVM_WALL_CLOCK_NEW) {
		msr = &vcpu->pvclock_wall_msr;
		pending = MINIVM_PVCLOCK_WALL;
	} else {
		return false;
	}
	*ret = 0;
	if (!write) {
		*value = *msr;
		return true;
	}
	/* Guest-physical: the host's address width at most. */
	if (*value >> boot_cpu_data.x86_phys_bits) {
		*ret = -EINVAL;
		return true;
	}
	*msr = *value;
	vcpu->pvclock_pending |= pending;
	return true;
}

/* Write @len bytes at @gpa, none of them across a page, or nothing. */
static void pvclock_put(struct minivm_vcpu *vcpu, u64 gpa, const void *data, unsigned int len)
{
	if ((gpa & ~PAGE_MASK) + len <= PAGE_SIZE)
		minivm_write_guest(vcpu, gpa, data, len);
}

/**
 * minivm_pvclock_publish() - write what the guest's clock MSRs asked for
 * @vcpu: the vCPU; process context, interrupts on
 *
 * An address that is not guest RAM is ignored, as the guest then simply
 * sees no clock (KVM does the same).
 */
void minivm_pvclock_publish(struct minivm_vcpu *vcpu)
{
	struct pvclock_vcpu_time_info t = { 0 };
	struct pvclock_wall_clock w = { 0 };
	unsigned int pending = vcpu->pvclock_pending;
	u64 gpa;

	vcpu->pvclock_pending = 0;
	if ((pending & MINIVM_PVCLOCK_SYSTEM) && (vcpu->pvclock_system_msr & SYSTEM_TIME_ENABLE)) {
		gpa = vcpu->pvclock_system_msr & ~SYSTEM_TIME_ENABLE;
		/* Time 0 is the VM's TSC origin, where this vCPU's TSC read this. */
		t.tsc_timestamp = vcpu->tsc_offset - vcpu->vm->tsc_offset;
		minivm_pvclock_scale(pvclock_tsc_hz, &t.tsc_to_system_mul, &t.tsc_shift);
		if (pvclock_features & BIT(KVM_FEATURE_CLOCKSOURCE_STABLE_BIT))
			t.flags = PVCLOCK_TSC_STABLE_BIT;
		/* Odd while it changes, as the ABI's readers expect. */
		t.version = 1;
		pvclock_put(vcpu, gpa, &t, sizeof(t));
		t.version = 2;
		pvclock_put(vcpu, gpa, &t, sizeof(t));
	}
	if (pending & MINIVM_PVCLOCK_WALL) {
		u64 sec = div_u64_rem(vcpu->vm->created_real_ns, NSEC_PER_SEC, &w.nsec);

		w.sec = (u32)sec;
		w.version = 2;
		pvclock_put(vcpu, vcpu->pvclock_wall_msr, &w, sizeof(w));
	}
}
