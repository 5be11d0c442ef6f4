/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm: the guest's own page tables, walked in software (for emulated
 * accesses to guest memory by linear address: INS/OUTS, later MMIO).
 */
#ifndef MINIVM_GUEST_WALK_H
#define MINIVM_GUEST_WALK_H

#include <linux/types.h>

/**
 * struct minivm_guest_paging - the guest state a walk depends on
 * @cr0: CR0 (PG, WP)
 * @cr3: CR3
 * @cr4: CR4 (PAE, PSE)
 * @efer: EFER (LMA)
 * @user: the access is made at CPL 3
 * @read: reads @len (4 or 8) bytes of guest-physical memory at @gpa
 * @ctx: passed to @read
 */
struct minivm_guest_paging {
	u64 cr0, cr3, cr4, efer;
	bool user;
	int (*read)(void *ctx, u64 gpa, void *buf, unsigned int len);
	void *ctx;
};

int minivm_guest_walk(const struct minivm_guest_paging *p, u64 la, bool write, u64 *gpa);

#endif /* MINIVM_GUEST_WALK_H */
