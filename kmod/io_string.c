// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: INS and OUTS, through the same MINIVM_EXIT_IO as IN and OUT.
 *
 * One element per exit, as the instruction would move it: for OUTS the
 * module reads the element from the guest's memory (seg:rSI) into
 * run->io.data; for INS userspace answers in run->io.data as for IN, and the
 * next RUN writes it to ES:rDI. rSI/rDI step by the size (backwards with
 * RFLAGS.DF), a REP prefix counts rCX down and leaves RIP on the instruction
 * until rCX reaches 0, so the guest runs it again for the next element and
 * an interrupt can come in between, as on hardware. Userspace needs nothing
 * new: a device sees a string as a series of IN or OUT.
 *
 * Neither vendor reports a segment override on every CPU (VMX only with the
 * INS/OUTS information capability, SVM only with decode assists), so the
 * instruction's prefixes are read from guest memory, the same on both.
 * An element whose memory the guest has not mapped, or an OUTS element
 * that is not RAM, ends the run with MINIVM_EXIT_UNHANDLED: without
 * exception injection there is no #PF to give the guest yet. An INS element
 * whose guest-physical address is not writable RAM is dropped. Segment limits are not checked
 * (a guest past its limit would get #GP on hardware).
 */
#include <linux/mm.h>
#include <asm/msr-index.h>
#include <asm/processor-flags.h>
#include "minivm.h"

/* rSI, rDI or rCX after adding @delta at the instruction's address size. */
static u64 io_step(u64 reg, s64 delta, unsigned int asize)
{
	if (asize == 8)
		return reg + delta;
	if (asize == 4)
		return (u32)(reg + delta);	/* a 32-bit write zero-extends */
	return (reg & ~0xffffULL) | ((reg + delta) & 0xffff);
}

struct io_insn {
	unsigned int len;	/* bytes, prefixes included */
	unsigned int asize;	/* address size: 2, 4 or 8 */
	const struct minivm_segment *seg;	/* OUTS's source segment */
};

/* The segment a prefix byte overrides to, or NULL. */
static const struct minivm_segment *io_segment_prefix(const struct minivm_sregs *s, u8 b)
{
	switch (b) {
	case 0x26:
		return &s->es;
	case 0x2e:
		return &s->cs;
	case 0x36:
		return &s->ss;
	case 0x3e:
		return &s->ds;
	case 0x64:
		return &s->fs;
	case 0x65:
		return &s->gs;
	}
	return NULL;
}

/* The prefixes in front of INS/OUTS: segment override and address size. */
static int io_decode(struct minivm_vcpu *vcpu, const struct minivm_sregs *s, u64 rip,
		     bool long64, struct io_insn *insn)
{
	u8 b[MINIVM_INSN_MAX];
	bool a32 = long64 || (s->cs.attrib & MINIVM_SEG_DB);
	unsigned int i, n = minivm_fetch_insn(vcpu, s, rip, b);

	insn->seg = &s->ds;
	for (i = 0; i < n; i++) {
		const struct minivm_segment *seg = io_segment_prefix(s, b[i]);

		if (seg)
			insn->seg = seg;
		else if (b[i] == 0x67)
			a32 = !a32;
		else if (b[i] != 0x66 && b[i] != 0xf0 && b[i] != 0xf2 && b[i] != 0xf3 &&
			 !(long64 && (b[i] & 0xf0) == 0x40))	/* REX */
			break;
	}
	if (i >= n || b[i] < 0x6c || b[i] > 0x6f)
		return -EFAULT;	/* not INS/OUTS: the guest rewrote it meanwhile */
	insn->len = i + 1;
	insn->asize = long64 ? (a32 ? 8 : 4) : (a32 ? 4 : 2);
	return 0;
}

/**
 * minivm_io_string() - an INS or OUTS exited: move one element
 * @vcpu: the vCPU; process context
 * @exit: its decoded exit (%MINIVM_KIND_IO with @exit->io.string)
 *
 * Return: true when the run page is filled for userspace (MINIVM_EXIT_IO,
 * or MINIVM_EXIT_UNHANDLED when the guest's memory operand cannot be
 * reached); false when there was nothing to move (REP with rCX = 0).
 */
bool minivm_io_string(struct minivm_vcpu *vcpu, const struct minivm_exit *exit)
{
	struct minivm_sregs s = { 0 };
	struct minivm_regs r = { 0 };
	struct io_insn insn;
	unsigned int size = exit->io.size, reg = exit->io.in ? MINIVM_RDI : MINIVM_RSI;
	bool long64;
	u64 count, la, mask, base, data = 0;

	minivm_be->get_regs(vcpu, &r);
	minivm_be->get_sregs(vcpu, &s);
	long64 = (s.efer & EFER_LMA) && (s.cs.attrib & MINIVM_SEG_L);
	if (io_decode(vcpu, &s, r.rip, long64, &insn))
		goto unhandled;
	mask = insn.asize == 8 ? ~0ULL : GENMASK_ULL(insn.asize * 8 - 1, 0);
	count = exit->io.rep ? vcpu->gpr[MINIVM_RCX] & mask : 1;
	if (!count) {
		/* REP with rCX = 0 moves nothing. */
		r.rip += insn.len;
		minivm_be->set_regs(vcpu, &r);
		return false;
	}
	if (exit->io.in)
		insn.seg = &s.es;	/* INS has no override */
	base = long64 && insn.seg != &s.fs && insn.seg != &s.gs ? 0 : insn.seg->base;
	la = base + (vcpu->gpr[reg] & mask);
	if (!long64)
		la = (u32)la;
	if (exit->io.in) {
		if (minivm_linear_to_gpa(vcpu, &s, la, size, true, vcpu->ins_gpa, vcpu->ins_len))
			goto unhandled;
	} else if (minivm_read_linear(vcpu, &s, la, &data, size)) {
		goto unhandled;
	}
	vcpu->gpr[reg] = io_step(vcpu->gpr[reg], (r.rflags & X86_EFLAGS_DF) ? -(s64)size : size,
				 insn.asize);
	if (exit->io.rep)
		vcpu->gpr[MINIVM_RCX] = io_step(vcpu->gpr[MINIVM_RCX], -1, insn.asize);
	if (count == 1)
		r.rip += insn.len;
	minivm_be->set_regs(vcpu, &r);
	minivm_exit_user_io(vcpu, exit, data);
	return true;

unhandled:
	vcpu->ins_len[0] = 0;
	minivm_exit_user(vcpu, MINIVM_EXIT_UNHANDLED, exit);
	return true;
}

/**
 * minivm_ins_complete() - put the value userspace read for an INS in place
 * @vcpu: the vCPU; process context, before the next entry, with
 *	@vcpu->ins_len[0] set by minivm_io_string()
 */
void minivm_ins_complete(struct minivm_vcpu *vcpu)
{
	u64 data = vcpu->run->io.data;
	u8 *bytes = (u8 *)&data;

	/* RAM a moment ago; if it went, the element is lost as on a bus error. */
	if (!minivm_write_guest(vcpu, vcpu->ins_gpa[0], bytes, vcpu->ins_len[0]) &&
	    vcpu->ins_len[1])
		minivm_write_guest(vcpu, vcpu->ins_gpa[1], bytes + vcpu->ins_len[0],
				   vcpu->ins_len[1]);
	vcpu->ins_len[0] = 0;
}
