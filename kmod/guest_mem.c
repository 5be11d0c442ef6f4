// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: guest memory by linear address, for the few instructions the
 * core emulates (INS/OUTS in io_string.c, MOV to the xAPIC page in
 * lapic_mmio.c): the guest's page tables walked in software
 * (guest_walk.c), then its RAM read or written through the host mapping.
 */
#include <linux/mm.h>
#include <asm/processor-flags.h>
#include "guest_walk.h"
#include "minivm.h"

static int walk_read(void *ctx, u64 gpa, void *buf, unsigned int len)
{
	return minivm_read_guest(ctx, gpa, buf, len);
}

/**
 * minivm_linear_to_gpa() - the guest-physical pieces of @len bytes at
 *	linear @la: one, or two when they cross a page (@plen[1] is 0 then)
 * @vcpu: the vCPU
 * @s: its segment and control registers
 * @la: the linear address
 * @len: bytes, at most a page
 * @write: the access is a write (the walk checks the guest's permissions)
 * @gpa: out: where each piece is
 * @plen: out: the bytes of each piece
 *
 * Return: 0, or -EFAULT when the guest has not mapped it so.
 */
int minivm_linear_to_gpa(struct minivm_vcpu *vcpu, const struct minivm_sregs *s, u64 la,
			 unsigned int len, bool write, u64 *gpa, u8 *plen)
{
	struct minivm_guest_paging p = {
		.cr0 = s->cr0, .cr3 = s->cr3, .cr4 = s->cr4, .efer = s->efer,
		.user = ((s->cs.attrib >> MINIVM_SEG_DPL_SHIFT) & 3) == 3 && (s->cr0 & X86_CR0_PE),
		.read = walk_read, .ctx = vcpu,
	};
	unsigned int first = min_t(u64, len, PAGE_SIZE - offset_in_page(la));

	plen[0] = first;
	plen[1] = len - first;
	if (minivm_guest_walk(&p, la, write, &gpa[0]))
		return -EFAULT;
	if (plen[1] && minivm_guest_walk(&p, la + first, write, &gpa[1]))
		return -EFAULT;
	return 0;
}

/**
 * minivm_read_linear() - read @len bytes at linear @la
 * @vcpu: the vCPU
 * @s: its segment and control registers
 * @la: the linear address
 * @buf: out
 * @len: bytes, at most a page
 *
 * Return: 0, or -EFAULT when the bytes are not mapped or not RAM.
 */
int minivm_read_linear(struct minivm_vcpu *vcpu, const struct minivm_sregs *s, u64 la,
		       void *buf, unsigned int len)
{
	u64 gpa[2];
	u8 plen[2];

	if (minivm_linear_to_gpa(vcpu, s, la, len, false, gpa, plen) ||
	    minivm_read_guest(vcpu, gpa[0], buf, plen[0]) ||
	    (plen[1] && minivm_read_guest(vcpu, gpa[1], buf + plen[0], plen[1])))
		return -EFAULT;
	return 0;
}

/**
 * minivm_fetch_insn() - the bytes of the instruction at the guest's RIP
 * @vcpu: the vCPU
 * @s: its segment and control registers
 * @rip: its RIP
 * @buf: out: %MINIVM_INSN_MAX bytes
 *
 * Up to the end of the page, then the rest if the next page is mapped too.
 *
 * Return: how many bytes were read (0 when the first page is not mapped).
 */
unsigned int minivm_fetch_insn(struct minivm_vcpu *vcpu, const struct minivm_sregs *s, u64 rip,
			       u8 *buf)
{
	bool long64 = (s->efer & EFER_LMA) && (s->cs.attrib & MINIVM_SEG_L);
	u64 la = rip + (long64 ? 0 : s->cs.base);
	unsigned int n = min_t(unsigned int, MINIVM_INSN_MAX, PAGE_SIZE - offset_in_page(la));

	if (!long64)
		la = (u32)la;
	if (minivm_read_linear(vcpu, s, la, buf, n))
		return 0;
	if (n < MINIVM_INSN_MAX &&
	    !minivm_read_linear(vcpu, s, la + n, buf + n, MINIVM_INSN_MAX - n))
		n = MINIVM_INSN_MAX;
	return n;
}
