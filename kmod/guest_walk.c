// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: translating a guest linear address as the guest's MMU would.
 *
 * All four x86 modes: no paging, 32-bit paging (4 MiB pages with CR4.PSE),
 * PAE paging (the PDPTE read from CR3 as the walk goes; the CPU's cached
 * copy may differ only if the guest changed the table without reloading
 * CR3), and 4-level paging (1 GiB and 2 MiB pages). Present, writable (for
 * supervisor writes only with CR0.WP) and user bits are checked at every
 * level; accessed and dirty bits are not set, reserved bits not checked.
 * Pure: guest memory is reached only through the caller's @read.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <asm/page.h>
#include <asm/pgtable_types.h>
#include <asm/processor-flags.h>
#include <asm/msr-index.h>
#include "guest_walk.h"

#define ADDR_4K		GENMASK_ULL(51, 12)

static bool canonical48(u64 la)
{
	return ((s64)la << 16 >> 16) == (s64)la;
}

/**
 * minivm_guest_walk() - the guest-physical address behind a linear address
 * @p: the guest's paging state and a way to read its memory
 * @la: the linear address
 * @write: the access writes
 * @gpa: out: the guest-physical address
 *
 * Return: 0; -EFAULT when the guest's own MMU would raise #PF (or #GP for
 * a non-canonical address), or a table is not in guest RAM.
 */
int minivm_guest_walk(const struct minivm_guest_paging *p, u64 la, bool write, u64 *gpa)
{
	bool check_rw = write && (p->user || (p->cr0 & X86_CR0_WP));
	unsigned int level, levels, shift, step, esize = 8;
	u64 table, entry, mask = ADDR_4K;

	if (!(p->cr0 & X86_CR0_PG)) {
		*gpa = (u32)la;
		return 0;
	}
	if (p->efer & EFER_LMA) {
		if (!canonical48(la))
			return -EFAULT;
		table = p->cr3 & ADDR_4K;
		levels = 4;
		shift = 39;
	} else if (p->cr4 & X86_CR4_PAE) {
		la = (u32)la;
		entry = 0;
		if (p->read(p->ctx, (p->cr3 & 0xffffffe0) + ((la >> 30) & 3) * 8, &entry, 8) ||
		    !(entry & _PAGE_PRESENT))
			return -EFAULT;
		table = entry & ADDR_4K;
		levels = 2;
		shift = 21;
	} else {
		la = (u32)la;
		table = p->cr3 & 0xfffff000;
		mask = 0xfffff000;
		esize = 4;
		levels = 2;
		shift = 22;
	}
	step = esize == 8 ? 9 : 10;
	for (level = 0; level < levels; level++, shift -= step) {
		u64 index = (la >> shift) & (BIT_ULL(step) - 1);
		bool huge;

		entry = 0;
		if (p->read(p->ctx, table + index * esize, &entry, esize) ||
		    !(entry & _PAGE_PRESENT) ||
		    (check_rw && !(entry & _PAGE_RW)) ||
		    (p->user && !(entry & _PAGE_USER)))
			return -EFAULT;
		/* PS means a page at the PDPT (1 GiB) and PD (2 or 4 MiB) levels. */
		huge = level + 1 < levels && (entry & _PAGE_PSE) &&
		       (esize == 8 ? shift <= 30 : (p->cr4 & X86_CR4_PSE));
		if (huge) {
			*gpa = (entry & mask & ~(BIT_ULL(shift) - 1)) | (la & (BIT_ULL(shift) - 1));
			return 0;
		}
		table = entry & mask;
	}
	*gpa = table | (la & 0xfff);
	return 0;
}
