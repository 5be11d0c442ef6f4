// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the architecture's rules for register state (arch_state.c): which
 * %MINIVM_SET_SREGS states no CPU could be in, which PAT values the CPU
 * refuses, and what delivering a #DB does to DR6, DR7 and RFLAGS.
 */
#include <kunit/test.h>
#include <uapi/asm/debugreg.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include "../arch_state.h"

#define ALL_CR4		(~0ULL & ~(X86_CR4_VMXE | X86_CR4_SMXE))
#define PHYS_BITS	46

static const struct minivm_segment code32 = { .limit = 0xffffffff, .selector = 8,
	.attrib = 0xb | MINIVM_SEG_S | MINIVM_SEG_P | MINIVM_SEG_DB | MINIVM_SEG_G };
static const struct minivm_segment data32 = { .limit = 0xffffffff, .selector = 16,
	.attrib = 0x3 | MINIVM_SEG_S | MINIVM_SEG_P | MINIVM_SEG_DB | MINIVM_SEG_G };
static const struct minivm_segment tss32 = { .limit = 0x67, .selector = 24,
	.attrib = 0xb | MINIVM_SEG_P };

/* The x86 reset state, as every vCPU starts. */
static void reset(struct minivm_sregs *s)
{
	minivm_reset_sregs(s);
}

/* Flat 32-bit protected mode, no paging, no LDT (as the launcher's). */
static void prot32(struct minivm_sregs *s)
{
	reset(s);
	s->cs = code32;
	s->ds = data32;
	s->es = data32;
	s->fs = data32;
	s->gs = data32;
	s->ss = data32;
	s->tr = tss32;
	s->ldt = (struct minivm_segment){ 0 };
	s->cr0 = X86_CR0_PE | X86_CR0_ET;
}

static void long64(struct minivm_sregs *s)
{
	prot32(s);
	s->cs.attrib = (s->cs.attrib & ~MINIVM_SEG_DB) | MINIVM_SEG_L;
	s->cr0 |= X86_CR0_PG;
	s->cr3 = 0x4000;
	s->cr4 = X86_CR4_PAE;
	s->efer = EFER_LME | EFER_LMA;
}

/* STATE(name, base, change): a state made from another by one change. */
#define STATE(name, base, change)				\
	static void name(struct minivm_sregs *s)		\
	{							\
		base(s);					\
		change;						\
	}

/* Legal states, each one step from an illegal one below. */
STATE(real16_tss, reset, s->tr.attrib = 0x83);
STATE(lme_paging_off, prot32, s->efer = EFER_LME);
STATE(long_pcid, long64, s->cr4 |= X86_CR4_PCIDE);
STATE(compat_mode, long64, s->cs = code32);

/* Illegal ones. */
STATE(lma_paging_off, long64, s->cr0 &= ~X86_CR0_PG);
STATE(lma_without_lme, long64, s->efer = EFER_LMA);
STATE(paging_lme_no_lma, long64, s->efer = EFER_LME);
STATE(long_no_pae, long64, s->cr4 = 0);
STATE(pg_without_pe, prot32, s->cr0 = X86_CR0_PG | X86_CR0_ET);
STATE(nw_without_cd, prot32, s->cr0 |= X86_CR0_NW);
STATE(cs_l_and_d, long64, s->cs.attrib |= MINIVM_SEG_DB);
STATE(cs_l_not_long, prot32, s->cs.attrib |= MINIVM_SEG_L);
STATE(pcid_not_long, prot32, s->cr4 = X86_CR4_PCIDE);
STATE(tr_unusable, prot32, s->tr.attrib = 0);
STATE(tr_available, prot32, s->tr.attrib = 0x89);
STATE(tr16_long, long64, s->tr.attrib = 0x83);
STATE(tr_code, prot32, s->tr = code32);
STATE(ldt_data, prot32, s->ldt = data32);
STATE(limit_not_g, prot32, s->ds.limit = 0xfffff000);
STATE(big_limit_no_g, prot32, s->ds.attrib &= ~MINIVM_SEG_G);
STATE(cr0_high, prot32, s->cr0 |= 1ULL << 32);
STATE(cr3_wide, long64, s->cr3 = 1ULL << PHYS_BITS);
STATE(efer_svme, prot32, s->efer = EFER_SVME);
STATE(cr4_vmxe, prot32, s->cr4 = X86_CR4_VMXE);
STATE(attrib_high, prot32, s->fs.attrib |= 0x1000);

struct sregs_case {
	const char *name;
	void (*make)(struct minivm_sregs *s);
	const char *rule;	/* NULL: legal; else words of the reason */
};

static const struct sregs_case sregs_cases[] = {
	{ "reset", reset, NULL },
	{ "protected", prot32, NULL },
	{ "long", long64, NULL },
	{ "real_16bit_tss", real16_tss, NULL },
	{ "lme_paging_off", lme_paging_off, NULL },
	{ "long_pcid", long_pcid, NULL },
	{ "compatibility_mode", compat_mode, NULL },
	{ "lma_paging_off", lma_paging_off, "EFER.LMA" },
	{ "lma_without_lme", lma_without_lme, "EFER.LMA" },
	{ "paging_lme_without_lma", paging_lme_no_lma, "EFER.LMA" },
	{ "long_mode_without_pae", long_no_pae, "CR4.PAE" },
	{ "paging_without_protection", pg_without_pe, "CR0.PG without CR0.PE" },
	{ "nw_without_cd", nw_without_cd, "CR0.NW" },
	{ "cs_l_and_d", cs_l_and_d, "CS.L and CS.D" },
	{ "cs_l_outside_long_mode", cs_l_not_long, "CS.L outside" },
	{ "pcide_outside_long_mode", pcid_not_long, "PCIDE" },
	{ "tr_unusable", tr_unusable, "present TSS" },
	{ "tr_available_tss", tr_available, "busy TSS" },
	{ "tr_16bit_in_long_mode", tr16_long, "busy TSS" },
	{ "tr_code_segment", tr_code, "present TSS" },
	{ "ldt_data_segment", ldt_data, "LDT" },
	{ "limit_not_scaled", limit_not_g, "granularity" },
	{ "big_limit_without_g", big_limit_no_g, "granularity" },
	{ "cr0_high_bits", cr0_high, "CR0 bits" },
	{ "cr3_beyond_phys_bits", cr3_wide, "CR3" },
	{ "efer_svme", efer_svme, "EFER bits" },
	{ "cr4_vmxe", cr4_vmxe, "CR4 bits" },
	{ "attrib_bits_above_11", attrib_high, "attributes" },
};

static void sregs_case_desc(const struct sregs_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", c->name);
}

KUNIT_ARRAY_PARAM(sregs, sregs_cases, sregs_case_desc);

static void sregs_rule(struct kunit *test)
{
	const struct sregs_case *c = test->param_value;
	struct minivm_sregs s;
	const char *why;

	c->make(&s);
	why = minivm_sregs_invalid(&s, ALL_CR4, PHYS_BITS);
	if (!c->rule) {
		KUNIT_EXPECT_NULL_MSG(test, why, "%s refused: %s", c->name, why);
		return;
	}
	KUNIT_ASSERT_NOT_NULL_MSG(test, why, "%s accepted", c->name);
	KUNIT_EXPECT_NOT_NULL_MSG(test, strstr(why, c->rule), "%s refused for \"%s\"",
				  c->name, why);
}

/* CR4 bits the host cannot give the guest are refused, whatever the mode. */
static void sregs_cr4_follows_the_host(struct kunit *test)
{
	struct minivm_sregs s;

	long64(&s);
	KUNIT_EXPECT_NULL(test, minivm_sregs_invalid(&s, X86_CR4_PAE, PHYS_BITS));
	s.cr4 |= X86_CR4_OSXSAVE;
	KUNIT_EXPECT_NOT_NULL(test, minivm_sregs_invalid(&s, X86_CR4_PAE, PHYS_BITS));
}

static void pat_types(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, minivm_pat_valid(MINIVM_PAT_RESET));
	KUNIT_EXPECT_TRUE(test, minivm_pat_valid(0x0706050401000706ULL));	/* every type */
	KUNIT_EXPECT_TRUE(test, minivm_pat_valid(0));
	KUNIT_EXPECT_FALSE(test, minivm_pat_valid(0x0007040600070402ULL));	/* 2 */
	KUNIT_EXPECT_FALSE(test, minivm_pat_valid(0x0307040600070406ULL));	/* 3, entry 7 */
	KUNIT_EXPECT_FALSE(test, minivm_pat_valid(0x0007040600080406ULL));	/* 8 */
	KUNIT_EXPECT_FALSE(test, minivm_pat_valid(0xff07040600070406ULL));
}

static void mtrr_default_types(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, minivm_mtrr_def_type_valid(0));		/* reset: off, UC */
	KUNIT_EXPECT_TRUE(test, minivm_mtrr_def_type_valid(0x806));	/* on, WB */
	KUNIT_EXPECT_TRUE(test, minivm_mtrr_def_type_valid(0x801));
	KUNIT_EXPECT_TRUE(test, minivm_mtrr_def_type_valid(0x804));
	KUNIT_EXPECT_FALSE(test, minivm_mtrr_def_type_valid(0x802));	/* type 2 */
	KUNIT_EXPECT_FALSE(test, minivm_mtrr_def_type_valid(0x807));	/* UC- is PAT's only */
	KUNIT_EXPECT_FALSE(test, minivm_mtrr_def_type_valid(0xc06));	/* FE: no fixed MTRRs */
	KUNIT_EXPECT_FALSE(test, minivm_mtrr_def_type_valid(0x1006));	/* reserved */
	KUNIT_EXPECT_FALSE(test, minivm_mtrr_def_type_valid(BIT_ULL(32) | 6));
}

#define RW(n, rw)	((u64)(rw) << (DR_CONTROL_SHIFT + (n) * DR_CONTROL_SIZE))

static void pae_paging_is_pg_pae_without_lma(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, minivm_pae_paging(X86_CR0_PG | X86_CR0_PE, X86_CR4_PAE, 0));
	KUNIT_EXPECT_TRUE(test, minivm_pae_paging(X86_CR0_PG | X86_CR0_PE, X86_CR4_PAE, EFER_LME));
	KUNIT_EXPECT_FALSE(test, minivm_pae_paging(X86_CR0_PG | X86_CR0_PE, X86_CR4_PAE,
						   EFER_LME | EFER_LMA));
	KUNIT_EXPECT_FALSE(test, minivm_pae_paging(X86_CR0_PE, X86_CR4_PAE, 0));
	KUNIT_EXPECT_FALSE(test, minivm_pae_paging(X86_CR0_PG | X86_CR0_PE, 0, 0));
}

static void pdpte_reserved_bits(struct kunit *test)
{
	u64 p[4] = { 0x5001, 0, 0x7001, 0x1ffe };	/* 3: not present, junk ignored */
	static const u64 bad[] = { BIT_ULL(1), BIT_ULL(2), BIT_ULL(5), BIT_ULL(8),
				   BIT_ULL(36), BIT_ULL(51), BIT_ULL(63) };
	unsigned int i;

	KUNIT_EXPECT_TRUE(test, minivm_pdptes_valid(p, 36));
	p[0] |= BIT_ULL(3) | BIT_ULL(4) | BIT_ULL(9);	/* PWT, PCD, ignored */
	KUNIT_EXPECT_TRUE(test, minivm_pdptes_valid(p, 36));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		p[2] = 0x7001 | bad[i];
		KUNIT_EXPECT_FALSE_MSG(test, minivm_pdptes_valid(p, 36), "bit %#llx", bad[i]);
	}
	p[2] = 0x7001 | BIT_ULL(36);
	KUNIT_EXPECT_TRUE(test, minivm_pdptes_valid(p, 40));
}

static void db_data_breakpoint(struct kunit *test)
{
	u64 dr6 = DR6_RESERVED | DR_TRAP2, dr7 = 0x401 | RW(0, DR_RW_WRITE), rflags = 2;

	minivm_db_deliver(DR_TRAP0, &dr6, &dr7, &rflags);
	KUNIT_EXPECT_EQ(test, dr6, (u64)(DR6_RESERVED | DR_TRAP0));	/* B2 was stale */
	KUNIT_EXPECT_EQ(test, dr7, (u64)(0x401 | RW(0, DR_RW_WRITE)));
	KUNIT_EXPECT_EQ(test, rflags, 2ULL);	/* a trap: no RF */
}

static void db_instruction_breakpoint_sets_rf(struct kunit *test)
{
	u64 dr6 = DR6_RESERVED, dr7 = 0x404 | RW(1, DR_RW_EXECUTE) | RW(0, DR_RW_WRITE);
	u64 rflags = 0x202;

	minivm_db_deliver(DR_TRAP1, &dr6, &dr7, &rflags);
	KUNIT_EXPECT_EQ(test, dr6, (u64)(DR6_RESERVED | DR_TRAP1));
	KUNIT_EXPECT_EQ(test, rflags, (u64)(0x202 | X86_EFLAGS_RF));
}

static void db_single_step_is_sticky(struct kunit *test)
{
	u64 dr6 = DR6_RESERVED | DR_TRAP0, dr7 = 0x440 | RW(3, DR_RW_WRITE), rflags = 0x302;

	minivm_db_deliver(DR_STEP, &dr6, &dr7, &rflags);
	KUNIT_EXPECT_EQ(test, dr6, (u64)(DR6_RESERVED | DR_STEP));
	minivm_db_deliver(DR_TRAP3, &dr6, &dr7, &rflags);
	KUNIT_EXPECT_EQ(test, dr6, (u64)(DR6_RESERVED | DR_STEP | DR_TRAP3));
	KUNIT_EXPECT_EQ(test, rflags, 0x302ULL);
}

static void db_general_detect_clears_gd(struct kunit *test)
{
	u64 dr6 = DR6_RESERVED, dr7 = 0x400 | MINIVM_DR7_GD, rflags = 2;

	minivm_db_deliver(MINIVM_DR6_BD | BIT_ULL(20), &dr6, &dr7, &rflags);
	KUNIT_EXPECT_EQ(test, dr6, (u64)(DR6_RESERVED | MINIVM_DR6_BD));	/* bit 20 dropped */
	KUNIT_EXPECT_EQ(test, dr7, 0x400ULL);
}

/* WRMSR to EFER: allowed bits only; LME frozen while paging is on; LMA ignored. */
static void efer_write_rules(struct kunit *test)
{
	u64 pg = X86_CR0_PE | X86_CR0_PG;

	KUNIT_EXPECT_TRUE(test, minivm_efer_write_valid(0, EFER_SCE | EFER_NX | EFER_LME, 0));
	KUNIT_EXPECT_FALSE(test, minivm_efer_write_valid(0, EFER_SVME, 0));
	KUNIT_EXPECT_FALSE(test, minivm_efer_write_valid(0, BIT_ULL(20), 0));
	KUNIT_EXPECT_FALSE(test, minivm_efer_write_valid(0, EFER_LME, pg));
	KUNIT_EXPECT_FALSE(test, minivm_efer_write_valid(EFER_LME | EFER_LMA, 0, pg));
	KUNIT_EXPECT_TRUE(test,
			  minivm_efer_write_valid(EFER_LME | EFER_LMA, EFER_LME | EFER_NX, pg));
	KUNIT_EXPECT_TRUE(test, minivm_efer_write_valid(EFER_LME, 0, X86_CR0_PE));
}

static void apic_base_reserved_bits(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, minivm_apic_base_valid(0xfee00900, 46, false));	/* reset, BSP */
	KUNIT_EXPECT_TRUE(test, minivm_apic_base_valid(0xfee00000, 46, false));	/* disabled */
	KUNIT_EXPECT_TRUE(test, minivm_apic_base_valid(0x3fffffff000ULL | BIT(11), 46, false));
	KUNIT_EXPECT_FALSE(test, minivm_apic_base_valid(0xfee00901, 46, false));	/* bit 0 */
	KUNIT_EXPECT_FALSE(test, minivm_apic_base_valid(0xfee00a00, 46, false));	/* bit 9 */
	KUNIT_EXPECT_FALSE(test, minivm_apic_base_valid(0xfee00c00, 46, false));	/* x2APIC */
	KUNIT_EXPECT_TRUE(test, minivm_apic_base_valid(0xfee00c00, 46, true));	/* in-kernel APIC */
	KUNIT_EXPECT_FALSE(test, minivm_apic_base_valid(0xfee00e00, 46, true));	/* bit 9 */
	KUNIT_EXPECT_FALSE(test, minivm_apic_base_valid(BIT_ULL(46) | 0xfee00800, 46, false));
	KUNIT_EXPECT_TRUE(test, minivm_apic_base_valid(BIT_ULL(46) | 0xfee00800, 52, false));
}

static struct kunit_case arch_state_cases[] = {
	KUNIT_CASE(apic_base_reserved_bits),
	KUNIT_CASE(efer_write_rules),
	KUNIT_CASE_PARAM(sregs_rule, sregs_gen_params),
	KUNIT_CASE(sregs_cr4_follows_the_host),
	KUNIT_CASE(pat_types),
	KUNIT_CASE(mtrr_default_types),
	KUNIT_CASE(pae_paging_is_pg_pae_without_lma),
	KUNIT_CASE(pdpte_reserved_bits),
	KUNIT_CASE(db_data_breakpoint),
	KUNIT_CASE(db_instruction_breakpoint_sets_rf),
	KUNIT_CASE(db_single_step_is_sticky),
	KUNIT_CASE(db_general_detect_clears_gd),
	{}
};

static struct kunit_suite arch_state_suite = {
	.name = "minivm_arch_state",
	.test_cases = arch_state_cases,
};

kunit_test_suite(arch_state_suite);
