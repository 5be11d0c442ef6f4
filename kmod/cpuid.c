// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: what CPUID tells a guest, the same on VMX and SVM.
 *
 * The policy is an allow-list, as NetBSD NVMM's: for each leaf a guest may
 * see, masks of the bits it may see of the host's answer; every other leaf
 * reads as zeroes, and every bit not named here stays hidden, so a feature
 * a future CPU adds never reaches a guest unvetted. Allowed: the
 * instruction-set extensions that need nothing from the hypervisor, and
 * what describes the CPU (vendor, family, caches, address sizes, TSC
 * frequency). The APIC, x2APIC and TSC-deadline bits exactly when the VM
 * has the in-kernel APIC (MINIVM_VM_LAPIC). Hidden: VMX/SVM, MONITOR/MWAIT,
 * performance counters and debug stores, power and thermal
 * management, machine-specific topology (leaves 0xb, 0x1f, 0x8000001e),
 * and instructions or CR4 bits minivm does not enable for guests (RDPID,
 * INVPCID, XSAVES, PKU, UMIP, LA57, TSX, SGX, MPX, CET, processor
 * trace), and the hypervisor leaves of a host that is itself a guest.
 * minivm's own hypervisor leaves (0x40000000-0x40000001) announce its one
 * paravirtual feature in the form Linux looks for, KVM's: the clock of
 * pvclock.c.
 */
#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/string.h>
#include <asm/kvm_para.h>
#include <asm/processor.h>
#include <asm/processor-flags.h>
#include "cpuid.h"
#include "pvclock.h"
#include "minivm.h"

#define ALL	0xffffffffU

/* CPUID.1:ECX: SSE3, PCLMULQDQ, SSSE3, FMA, CX16, PCID, SSE4.1, SSE4.2,
 * MOVBE, POPCNT, AES, XSAVE, AVX, F16C, RDRAND (OSXSAVE and HYPERVISOR
 * are minivm's to set).
 */
#define C1_ECX	(BIT(0) | BIT(1) | BIT(9) | BIT(12) | BIT(13) | BIT(17) | BIT(19) | \
		 BIT(20) | BIT(22) | BIT(23) | BIT(25) | BIT(26) | BIT(28) | BIT(29) | BIT(30))
#define C1_ECX_OSXSAVE		BIT(27)
#define C1_ECX_X2APIC		BIT(21)
#define C1_ECX_TSC_DEADLINE	BIT(24)
#define C1_EDX_APIC		BIT(9)
#define C1_ECX_HYPERVISOR	BIT(31)
/* CPUID.1:EDX: FPU VME DE PSE TSC MSR PAE MCE CX8, SEP MTRR PGE MCA CMOV PAT
 * PSE36, CLFSH, MMX FXSR SSE SSE2 SS HTT.
 */
#define C1_EDX	(GENMASK(8, 0) | GENMASK(17, 11) | BIT(19) | GENMASK(28, 23))
/* CPUID.7.0:EBX: FSGSBASE, BMI1, AVX2, FDP_EXCPTN_ONLY, SMEP, BMI2, ERMS,
 * FPU CS/DS deprecation, AVX-512 F/DQ/IFMA/PF/ER/CD/BW/VL, RDSEED, ADX,
 * SMAP, CLFLUSHOPT, CLWB, SHA.
 */
#define C7_EBX	(BIT(0) | BIT(3) | BIT(5) | BIT(6) | BIT(7) | BIT(8) | BIT(9) | BIT(13) | \
		 BIT(16) | BIT(17) | BIT(18) | BIT(19) | BIT(20) | BIT(21) | BIT(23) | \
		 BIT(24) | GENMASK(31, 26))
#define C7_EBX_TSC_ADJUST	BIT(1)
/* CPUID.7.0:ECX: PREFETCHWT1, AVX512_VBMI, AVX512_VBMI2, GFNI, VAES,
 * VPCLMULQDQ, AVX512_VNNI, AVX512_BITALG, AVX512_VPOPCNTDQ, CLDEMOTE,
 * MOVDIRI, MOVDIR64B.
 */
#define C7_ECX	(BIT(0) | BIT(1) | BIT(6) | GENMASK(12, 8) | BIT(14) | BIT(25) | BIT(27) | \
		 BIT(28))
/* CPUID.0xd.1:EAX: XSAVEOPT, XSAVEC, XGETBV with ECX=1 (not XSAVES). */
#define CD1_EAX	GENMASK(2, 0)
/* CPUID.0x80000001:ECX: LAHF/SAHF, CMP_LEGACY, AltMovCr8, ABM, SSE4A,
 * MisAlignSse, 3DNowPrefetch, XOP, FMA4, TBM.
 */
#define CE1_ECX	(BIT(0) | BIT(1) | GENMASK(8, 4) | BIT(11) | BIT(16) | BIT(21))
/* CPUID.0x80000001:EDX: leaf 1's EDX bits AMD repeats, SYSCALL, NX, MMXEXT,
 * FFXSR, 1 GiB pages, LM, 3DNow! and its extensions, and RDTSCP where the
 * backend offers it (TSC_AUX is switched for the guest).
 */
#define CE1_EDX_RDTSCP	BIT(27)
#define CE1_EDX	(GENMASK(8, 0) | BIT(11) | GENMASK(17, 12) | BIT(20) | BIT(22) | BIT(23) | \
		 BIT(24) | BIT(25) | BIT(26) | CE1_EDX_RDTSCP | BIT(29) | BIT(30) | BIT(31))
/* CPUID.0x80000007:EDX: invariant TSC only. */
#define CE7_EDX	BIT(8)

/**
 * struct cpuid_allow - what a guest may see of one leaf
 * @leaf: the leaf
 * @sub: the subleaf, or %ANY_SUB
 * @mask: the bits of EAX, EBX, ECX, EDX shown
 */
struct cpuid_allow {
	u32 leaf, sub;
	struct minivm_cpuid_regs mask;
};

#define ANY_SUB		ALL

/* First match wins; a leaf that matches nothing reads as zeroes. */
static const struct cpuid_allow cpuid_allowed[] = {
	{ 0x0, ANY_SUB, { ALL, ALL, ALL, ALL } },	/* max leaf, vendor */
	{ 0x1, ANY_SUB, { ALL, ALL, C1_ECX, C1_EDX } },	/* EBX set in minivm_cpuid() */
	{ 0x2, ANY_SUB, { ALL, ALL, ALL, ALL } },	/* cache descriptors */
	{ 0x4, ANY_SUB, { ALL, ALL, ALL, ALL } },	/* cache parameters */
	{ 0x7, 0, { 0, C7_EBX, C7_ECX, 0 } },		/* no subleaf past 0 */
	{ 0xd, 0, { ALL, ALL, ALL, ALL } },		/* XCR0 components, sizes */
	{ 0xd, 1, { CD1_EAX, ALL, 0, 0 } },		/* no supervisor states */
	{ 0xd, ANY_SUB, { ALL, ALL, ALL, ALL } },	/* one component's layout */
	{ 0x15, ANY_SUB, { ALL, ALL, ALL, ALL } },	/* TSC / crystal ratio */
	{ 0x16, ANY_SUB, { ALL, ALL, ALL, ALL } },	/* frequencies */
	{ 0x80000000, ANY_SUB, { ALL, ALL, ALL, ALL } },
	{ 0x80000001, ANY_SUB, { ALL, ALL, CE1_ECX, CE1_EDX } },
	{ 0x80000002, ANY_SUB, { ALL, ALL, ALL, ALL } },	/* brand string */
	{ 0x80000003, ANY_SUB, { ALL, ALL, ALL, ALL } },
	{ 0x80000004, ANY_SUB, { ALL, ALL, ALL, ALL } },
	{ 0x80000005, ANY_SUB, { ALL, ALL, ALL, ALL } },	/* L1 caches, TLBs */
	{ 0x80000006, ANY_SUB, { ALL, ALL, ALL, ALL } },	/* L2/L3 caches */
	{ 0x80000007, ANY_SUB, { 0, 0, 0, CE7_EDX } },
	{ 0x80000008, ANY_SUB, { ALL, 0, 0, 0 } },	/* address sizes only */
};

/**
 * minivm_cpuid_allow() - what a guest may see of the host's answer
 * @leaf: the leaf (EAX)
 * @sub: the subleaf (ECX)
 * @r: the host's answer, reduced in place to what the policy allows
 */
void minivm_cpuid_allow(u32 leaf, u32 sub, struct minivm_cpuid_regs *r)
{
	const struct cpuid_allow *p;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cpuid_allowed); i++) {
		p = &cpuid_allowed[i];
		if (p->leaf == leaf && (p->sub == ANY_SUB || p->sub == sub))
			break;
	}
	if (i == ARRAY_SIZE(cpuid_allowed)) {
		*r = (struct minivm_cpuid_regs){ 0 };
		return;
	}
	r->a &= p->mask.a;
	r->b &= p->mask.b;
	r->c &= p->mask.c;
	r->d &= p->mask.d;
	if (leaf == 0)
		r->a = min_t(u32, r->a, MINIVM_CPUID_MAX_BASIC);
	else if (leaf == 0x80000000)
		r->a = min_t(u32, r->a, MINIVM_CPUID_MAX_EXT);
}

static void cpuid_filtered(u32 leaf, u32 sub, struct minivm_cpuid_regs *r)
{
	cpuid_count(leaf, sub, &r->a, &r->b, &r->c, &r->d);
	minivm_cpuid_allow(leaf, sub, r);
}

/*
 * The leaves without subleaves, filtered once at load: a CPUID exit copies
 * its answer from here instead of running CPUID and the filter each time
 * (which, on a host that is itself a guest, is an exit of its own). The
 * answers are then also the same on every host CPU a vCPU runs on.
 */
static struct minivm_cpuid_regs cpuid_basic[MINIVM_CPUID_MAX_BASIC + 1] __ro_after_init;
static struct minivm_cpuid_regs cpuid_ext[MINIVM_CPUID_MAX_EXT - 0x80000000 + 1] __ro_after_init;

/*
 * The hypervisor leaves: KVM's signature (Linux's kvm_para_available() looks
 * for it), and as features the clock, as pvclock.c decided at load.
 */
static struct minivm_cpuid_regs cpuid_hv[2] __ro_after_init;

static void cpuid_hv_init(void)
{
	u32 sig[3];

	memcpy(sig, KVM_SIGNATURE, sizeof(sig));
	cpuid_hv[0] = (struct minivm_cpuid_regs){ KVM_CPUID_FEATURES, sig[0], sig[1], sig[2] };
	cpuid_hv[1].a = minivm_pvclock_features();
}

/**
 * minivm_cpuid_vendor_amd() - whether guests see an AMD (or Hygon) CPU
 *
 * For the MSRs only that vendor's CPUs have: a guest reads its vendor from
 * CPUID leaf 0, which passes the host's through (cpuid_filtered()), so the
 * host's vendor is the guest's.
 *
 * Return: true on AMD and Hygon hosts.
 */
bool minivm_cpuid_vendor_amd(void)
{
	return boot_cpu_data.x86_vendor == X86_VENDOR_AMD ||
	       boot_cpu_data.x86_vendor == X86_VENDOR_HYGON;
}

/** minivm_cpuid_init() - fill the table; at load */
void minivm_cpuid_init(void)
{
	u32 max = min_t(u32, cpuid_eax(0), MINIVM_CPUID_MAX_BASIC), i;

	minivm_pvclock_init();
	cpuid_hv_init();
	for (i = 0; i <= max; i++)
		cpuid_filtered(i, 0, &cpuid_basic[i]);
	max = cpuid_eax(0x80000000);
	if (max < 0x80000000)
		return;
	max = min_t(u32, max, MINIVM_CPUID_MAX_EXT);
	for (i = 0x80000000; i <= max; i++)
		cpuid_filtered(i, 0, &cpuid_ext[i - 0x80000000]);
	/* RDTSCP only where the backend lets the guest execute it. */
	if (!minivm_caps.rdtscp)
		cpuid_ext[1].d &= ~CE1_EDX_RDTSCP;
}

static void cpuid_answer(struct minivm_vcpu *vcpu, const struct minivm_cpuid_regs *r)
{
	vcpu->gpr[MINIVM_RAX] = r->a;
	vcpu->gpr[MINIVM_RBX] = r->b;
	vcpu->gpr[MINIVM_RCX] = r->c;
	vcpu->gpr[MINIVM_RDX] = r->d;
}

/*
 * The basic leaves answered by cpuid_per_vcpu(): leaf 1, which tells a vCPU
 * its own APIC ID, CR4.OSXSAVE and whether it has the in-kernel APIC, and
 * the leaves whose answer depends on the subleaf in ECX (4, 7, 0xd).
 */
#define CPUID_PER_VCPU	(BIT(0x1) | BIT(0x4) | BIT(0x7) | BIT(0xd))
static_assert(MINIVM_CPUID_MAX_BASIC < 32);

/*
 * Out of line, so that the common case, a copy from the tables, saves no
 * registers and calls nothing.
 */
static noinline void cpuid_per_vcpu(struct minivm_vcpu *vcpu, u32 leaf, u32 sub)
{
	struct minivm_cpuid_regs r;

	if (leaf != 1) {
		cpuid_filtered(leaf, sub, &r);
		/* IA32_TSC_ADJUST is minivm's own (policy.c), on any host. */
		if (leaf == 7 && sub == 0)
			r.b |= C7_EBX_TSC_ADJUST;
		cpuid_answer(vcpu, &r);
		return;
	}
	r = cpuid_basic[1];
	r.c |= C1_ECX_HYPERVISOR;
	if (minivm_be->get_cr(vcpu, 4) & X86_CR4_OSXSAVE)
		r.c |= C1_ECX_OSXSAVE;
	/* One logical processor per package; APIC ID = vCPU id. */
	r.b = (r.b & 0xffff) | (1 << 16) | (vcpu->id << 24);
	if (vcpu->lapic) {
		r.c |= C1_ECX_X2APIC | C1_ECX_TSC_DEADLINE;
		r.d |= C1_EDX_APIC;
	}
	cpuid_answer(vcpu, &r);
}

static const struct minivm_cpuid_regs cpuid_none;

/**
 * minivm_cpuid() - execute CPUID for the guest
 * @vcpu: the vCPU; leaf in RAX, subleaf in RCX, results into RAX-RDX;
 *	loaded, for its CR4, which CPUID.1:ECX.OSXSAVE reflects
 *
 * On the exit path: most leaves are a copy from the tables filled at load.
 */
void minivm_cpuid(struct minivm_vcpu *vcpu)
{
	u32 leaf = vcpu->gpr[MINIVM_RAX];
	const struct minivm_cpuid_regs *r = &cpuid_none;

	if (leaf <= MINIVM_CPUID_MAX_BASIC) {
		if (BIT(leaf) & CPUID_PER_VCPU) {
			cpuid_per_vcpu(vcpu, leaf, vcpu->gpr[MINIVM_RCX]);
			return;
		}
		r = &cpuid_basic[leaf];
	} else if (leaf - 0x80000000 <= MINIVM_CPUID_MAX_EXT - 0x80000000) {
		r = &cpuid_ext[leaf - 0x80000000];
	} else if (leaf - KVM_CPUID_SIGNATURE < ARRAY_SIZE(cpuid_hv)) {
		r = &cpuid_hv[leaf - KVM_CPUID_SIGNATURE];
	}
	cpuid_answer(vcpu, r);
}
