/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm: the x86 architecture's rules for register state, the same on
 * both vendors. Pure functions of their arguments (no vCPU, no hardware),
 * so a KUnit suite can hold them to the manuals.
 */
#ifndef MINIVM_ARCH_STATE_H
#define MINIVM_ARCH_STATE_H

#include <linux/bits.h>
#include <linux/types.h>
#include <uapi/linux/minivm.h>

/* DR6 and DR7 bits the kernel's headers do not name. */
#define MINIVM_DR6_BD		BIT_ULL(13)	/* a debug-register access hit DR7.GD */
#define MINIVM_DR7_GD		BIT_ULL(13)	/* general detect */
#define MINIVM_DR7_ENABLES	0xffULL		/* L0-L3 and G0-G3 */
#define MINIVM_DR7_RESET	0x400ULL	/* bit 10 reads as 1 */

/* The rest of the reset state that is not in &struct minivm_sregs. */
#define MINIVM_RIP_RESET	0xfff0ULL
#define MINIVM_PAT_RESET	0x0007040600070406ULL

void minivm_reset_sregs(struct minivm_sregs *s);
const char *minivm_sregs_invalid(const struct minivm_sregs *s, u64 cr4_allowed,
				 unsigned int phys_bits);
bool minivm_pat_valid(u64 pat);
bool minivm_mtrr_def_type_valid(u64 value);
bool minivm_apic_base_valid(u64 value, unsigned int phys_bits, bool x2apic);
bool minivm_efer_write_valid(u64 efer, u64 value, u64 cr0);
bool minivm_pae_paging(u64 cr0, u64 cr4, u64 efer);
bool minivm_pdptes_valid(const u64 *pdpte, unsigned int maxphyaddr);
void minivm_db_deliver(u64 hit, u64 *dr6, u64 *dr7, u64 *rflags);

#endif /* MINIVM_ARCH_STATE_H */
