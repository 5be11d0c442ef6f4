// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: the x86 architecture's rules for register state.
 *
 * Register state from userspace is checked here before it reaches a VMCS or
 * VMCB. The hardware checks some of it at VM entry, but not all, and not the
 * same on both vendors: SVM takes EFER.LMA=1 with paging off as given, and
 * a CPU in that impossible state was seen to never exit again. So minivm
 * refuses every state no real CPU could be in, on both vendors alike.
 */
#include <linux/kernel.h>
#include <uapi/asm/debugreg.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include "arch_state.h"

#define CR0_ALLOWED	(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | X86_CR0_TS | X86_CR0_ET | \
			 X86_CR0_NE | X86_CR0_WP | X86_CR0_AM | X86_CR0_NW | X86_CR0_CD | \
			 X86_CR0_PG)
#define EFER_ALLOWED	(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

#define MTRR_TYPE_MASK	0xffULL		/* IA32_MTRR_DEF_TYPE's default type */
#define MTRR_ENABLE	BIT_ULL(11)	/* its E; FE (bit 10) stays clear */
#define SEG_TYPE(s)	((s)->attrib & MINIVM_SEG_TYPE_MASK)
#define SEG_USABLE(s)	((s)->attrib & MINIVM_SEG_P)
#define TSS_BUSY_16	3
#define TSS_BUSY_32_64	11
#define LDT_TYPE	2

/*
 * A descriptor's 20-bit limit scaled by G: with G clear the limit fits in
 * 20 bits; with G set its low 12 bits are all ones. No descriptor load can
 * produce anything else.
 */
static bool limit_matches_g(const struct minivm_segment *s)
{
	if (s->attrib & MINIVM_SEG_G)
		return (s->limit & 0xfff) == 0xfff;
	return !(s->limit >> 20);
}

/**
 * minivm_sregs_invalid() - whether a CPU could be in this state
 * @s: segment, table and control registers, as %MINIVM_SET_SREGS has them
 *	(its reserved fields already checked)
 * @cr4_allowed: the CR4 bits a guest may set on this host
 * @phys_bits: the host's physical address width
 *
 * Return: NULL when the state is one a CPU could be in and minivm allows;
 * otherwise the rule it breaks, in words.
 */
const char *minivm_sregs_invalid(const struct minivm_sregs *s, u64 cr4_allowed,
				 unsigned int phys_bits)
{
	const struct minivm_segment *segs[] = {
		&s->cs, &s->ds, &s->es, &s->fs, &s->gs, &s->ss, &s->tr, &s->ldt,
	};
	bool pg = s->cr0 & X86_CR0_PG, lme = s->efer & EFER_LME, lma = s->efer & EFER_LMA;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(segs); i++) {
		if (segs[i]->attrib & ~MINIVM_SEG_ATTRIB_MASK)
			return "segment attributes beyond bit 11";
		if (SEG_USABLE(segs[i]) && !limit_matches_g(segs[i]))
			return "segment limit does not match its granularity";
	}
	if (s->cr0 & ~CR0_ALLOWED)
		return "CR0 bits minivm does not allow";
	if (s->cr4 & ~cr4_allowed)
		return "CR4 bits the guest's CPU does not have";
	if (s->efer & ~EFER_ALLOWED)
		return "EFER bits minivm does not allow";
	if (s->cr3 >> phys_bits)
		return "CR3 beyond the physical address width";
	if (pg && !(s->cr0 & X86_CR0_PE))
		return "CR0.PG without CR0.PE";
	if ((s->cr0 & X86_CR0_NW) && !(s->cr0 & X86_CR0_CD))
		return "CR0.NW without CR0.CD";
	if (lma != (lme && pg))
		return "EFER.LMA must be set exactly when EFER.LME and CR0.PG are";
	if (lma && !(s->cr4 & X86_CR4_PAE))
		return "long mode without CR4.PAE";
	if (!lma && (s->cr4 & X86_CR4_PCIDE))
		return "CR4.PCIDE outside long mode";
	if (s->cs.attrib & MINIVM_SEG_L) {
		if (!lma)
			return "CS.L outside long mode";
		if (s->cs.attrib & MINIVM_SEG_DB)
			return "CS.L and CS.D both set";
	}
	if (!SEG_USABLE(&s->tr) || (s->tr.attrib & MINIVM_SEG_S))
		return "TR must hold a present TSS";
	if (SEG_TYPE(&s->tr) != TSS_BUSY_32_64 && (lma || SEG_TYPE(&s->tr) != TSS_BUSY_16))
		return "TR must hold a busy TSS (32/64-bit; 16-bit outside long mode)";
	if (SEG_USABLE(&s->ldt) &&
	    ((s->ldt.attrib & MINIVM_SEG_S) || SEG_TYPE(&s->ldt) != LDT_TYPE))
		return "LDTR must hold an LDT or be unusable";
	return NULL;
}

/**
 * minivm_reset_sregs() - the segment, table and control registers at reset
 * @s: filled as the SDM's and the APM's power-up state has them (CS at
 *	f000:fff0 with base 0xffff0000, 64 KiB data segments, CR0 with CD, NW
 *	and ET); INIT will use the same
 */
void minivm_reset_sregs(struct minivm_sregs *s)
{
	const struct minivm_segment data = { .limit = 0xffff, .attrib = 0x93 };

	*s = (struct minivm_sregs){
		.cs = { .base = 0xffff0000, .limit = 0xffff, .selector = 0xf000, .attrib = 0x9b },
		.ds = data, .es = data, .fs = data, .gs = data, .ss = data,
		.tr = { .limit = 0xffff, .attrib = 0x8b },
		.ldt = { .limit = 0xffff, .attrib = 0x82 },
		.gdt = { .limit = 0xffff }, .idt = { .limit = 0xffff },
		.cr0 = X86_CR0_ET | X86_CR0_NW | X86_CR0_CD,
	};
}

/**
 * minivm_pat_valid() - whether @pat is a PAT value the CPU accepts
 * @pat: the IA32_PAT value
 *
 * Each of the eight entries must be a defined memory type: UC (0), WC (1),
 * WT (4), WP (5), WB (6) or UC- (7); 2, 3 and anything above 7 raise #GP
 * on hardware (and fail VM entry if they reach the VMCS).
 */
bool minivm_pat_valid(u64 pat)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		u8 type = pat >> (i * 8);

		if (type > 7 || type == 2 || type == 3)
			return false;
	}
	return true;
}

/**
 * minivm_mtrr_def_type_valid() - whether @value is an IA32_MTRR_DEF_TYPE the
 * guest's CPU accepts
 * @value: the value written
 *
 * The default type must be UC, WC, WT, WP or WB and E (bit 11) may be set;
 * FE (bit 10) may not, as MTRRcap announces no fixed-range MTRRs, and the
 * other bits are reserved: each of these raises #GP.
 */
bool minivm_mtrr_def_type_valid(u64 value)
{
	u8 type = value & 0xff;

	if (value & ~(u64)(MTRR_TYPE_MASK | MTRR_ENABLE))
		return false;
	return type <= 1 || (type >= 4 && type <= 6);
}

/**
 * minivm_db_deliver() - what delivering a #DB does to the guest's state
 * @hit: what the hardware reported: B0-B3 for the breakpoints that matched,
 *	BD, BS (DR6's layout)
 * @dr6: the guest's DR6, updated
 * @dr7: the guest's DR7, updated
 * @rflags: the guest's RFLAGS, updated
 *
 * As the CPU would have done had the exception not made the guest exit:
 * B0-B3 name the breakpoints of this exception only (BD and BS are sticky),
 * an access that hit DR7.GD clears GD so the handler may use the debug
 * registers, and an instruction breakpoint, a fault, sets RF so that the
 * handler's IRET gets past the instruction instead of hitting it again.
 */
void minivm_db_deliver(u64 hit, u64 *dr6, u64 *dr7, u64 *rflags)
{
	unsigned int i;

	hit &= DR_TRAP_BITS | DR_STEP | MINIVM_DR6_BD;
	*dr6 = (*dr6 & ~(u64)DR_TRAP_BITS) | hit | DR6_RESERVED;
	if (hit & MINIVM_DR6_BD)
		*dr7 &= ~MINIVM_DR7_GD;
	for (i = 0; i < 4; i++) {
		unsigned int rw = (*dr7 >> (DR_CONTROL_SHIFT + i * DR_CONTROL_SIZE)) & 3;

		if ((hit & BIT_ULL(i)) && rw == DR_RW_EXECUTE)
			*rflags |= X86_EFLAGS_RF;
	}
}

/**
 * minivm_efer_write_valid() - whether WRMSR of @value to EFER succeeds
 * @efer: the guest's EFER now
 * @value: what it writes
 * @cr0: the guest's CR0
 *
 * Only the bits minivm allows, and LME may not change while paging is on
 * (the SDM's and the APM's #GP rules). LMA in @value is ignored: the CPU
 * sets it, and keeps it, whatever the write says.
 */
bool minivm_efer_write_valid(u64 efer, u64 value, u64 cr0)
{
	if (value & ~EFER_ALLOWED)
		return false;
	return !((cr0 & X86_CR0_PG) && ((value ^ efer) & EFER_LME));
}

/** minivm_pae_paging() - paging with PAE outside long mode: the PDPTEs are used */
bool minivm_pae_paging(u64 cr0, u64 cr4, u64 efer)
{
	return (cr0 & X86_CR0_PG) && (cr4 & X86_CR4_PAE) && !(efer & EFER_LMA);
}

/*
 * A present PDPTE's reserved bits: 2:1, 8:5 and from MAXPHYADDR up (SDM
 * 4.4.1); loading one with any set is a #GP, and VM entry refuses it.
 */
#define PDPTE_RESERVED	(GENMASK_ULL(2, 1) | GENMASK_ULL(8, 5))

/** minivm_pdptes_valid() - whether the four PDPTEs may be loaded */
bool minivm_pdptes_valid(const u64 *pdpte, unsigned int maxphyaddr)
{
	u64 reserved = PDPTE_RESERVED | GENMASK_ULL(63, maxphyaddr);
	unsigned int i;

	for (i = 0; i < 4; i++)
		if ((pdpte[i] & BIT_ULL(0)) && (pdpte[i] & reserved))	/* P */
			return false;
	return true;
}

/**
 * minivm_apic_base_valid() - whether the guest may write @value to
 * IA32_APIC_BASE
 * @value: the value
 * @phys_bits: the CPU's physical address width
 * @x2apic: the vCPU has an APIC that offers x2APIC mode (bit 10)
 *
 * Return: false for a reserved bit (0-7, 9, above the address width), or
 * x2APIC mode without an in-kernel APIC.
 */
bool minivm_apic_base_valid(u64 value, unsigned int phys_bits, bool x2apic)
{
	u64 reserved = GENMASK_ULL(7, 0) | BIT_ULL(9) | GENMASK_ULL(63, phys_bits);

	if (!x2apic)
		reserved |= X2APIC_ENABLE;
	return !(value & reserved);
}
