// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: the guest's MOVs to and from the xAPIC register page.
 *
 * The page at IA32_APIC_BASE is never mapped in the EPT/NPT, so every
 * access faults; the run loop hands the fault here, which reads the
 * instruction at RIP, decodes it (mov_decode.c: MOV is how OSes reach the
 * APIC), performs the register access and steps over it. Anything else
 * (another instruction, a size other than 32 bits, an offset inside a
 * register) ends the run with MINIVM_EXIT_UNHANDLED: the guest stops only
 * itself.
 */
#include "lapic.h"
#include "minivm.h"
#include "mov_decode.h"

/**
 * minivm_lapic_mmio() - emulate the access that faulted on the xAPIC page
 * @vcpu: the vCPU (minivm_lapic_mmio_hit() said yes); process context
 * @exit: the EPT/NPT fault
 *
 * Return: 0 when the guest may go on; 1 when the run page holds an exit
 * for userspace (an unhandled access, or the EOI of a level-triggered
 * interrupt, after which RIP is past the MOV).
 */
int minivm_lapic_mmio(struct minivm_vcpu *vcpu, const struct minivm_exit *exit)
{
	struct minivm_sregs s = { 0 };
	struct minivm_regs r = { 0 };
	struct minivm_mov mov;
	u8 insn[MINIVM_INSN_MAX];
	u32 offset = exit->gpa & ~PAGE_MASK;
	unsigned int n;
	bool long64;
	u64 value;

	minivm_be->get_regs(vcpu, &r);
	minivm_be->get_sregs(vcpu, &s);
	long64 = (s.efer & EFER_LMA) && (s.cs.attrib & MINIVM_SEG_L);
	n = minivm_fetch_insn(vcpu, &s, r.rip, insn);
	if (minivm_decode_mov(insn, n, long64, s.cs.attrib & MINIVM_SEG_DB, &mov) ||
	    mov.size != 4 || (offset & 0xf) ||
	    mov.store != !!(exit->access & MINIVM_ACCESS_WRITE)) {
		minivm_exit_user(vcpu, MINIVM_EXIT_UNHANDLED, exit);
		return 1;
	}
	if (mov.store) {
		if (mov.reg < 0)
			value = mov.imm;
		else
			value = mov.reg == MINIVM_RSP ? r.rsp : vcpu->gpr[mov.reg];
		minivm_lapic_write(vcpu->lapic, offset, (u32)value, false);
	} else {
		minivm_lapic_read(vcpu->lapic, offset, &value, false);
		/* A 32-bit load zero-extends into the 64-bit register. */
		if (mov.reg == MINIVM_RSP)
			r.rsp = (u32)value;
		else
			vcpu->gpr[mov.reg] = (u32)value;
	}
	r.rip += mov.len;
	if (!long64)
		r.rip = (u32)r.rip;
	minivm_be->set_regs(vcpu, &r);
	return minivm_lapic_eoi_exit(vcpu);
}
