/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm: the local APIC's pure rules (apic_rules.c), kept apart from its
 * state so KUnit can check each one against the SDM (tests/apic_rules_test.c).
 */
#ifndef MINIVM_APIC_RULES_H
#define MINIVM_APIC_RULES_H

#include <linux/types.h>

/* A 256-bit APIC register (IRR, ISR, TMR): eight 32-bit words, 16 bytes apart. */
#define MINIVM_APIC_VEC_STRIDE	4	/* in u32 words */

int minivm_apic_highest_vector(const u32 *reg);
u8 minivm_apic_ppr(u8 tpr, int isr_highest);
bool minivm_apic_can_deliver(int irr_highest, u8 ppr);
unsigned int minivm_apic_timer_divisor(u32 dcr);

/**
 * enum minivm_apic_mode - how the APIC addresses itself
 * @MINIVM_APIC_XAPIC_FLAT: xAPIC, DFR flat model
 * @MINIVM_APIC_XAPIC_CLUSTER: xAPIC, DFR cluster model
 * @MINIVM_APIC_X2APIC: x2APIC (32-bit IDs, logical IDs in clusters of 16)
 */
enum minivm_apic_mode {
	MINIVM_APIC_XAPIC_FLAT,
	MINIVM_APIC_XAPIC_CLUSTER,
	MINIVM_APIC_X2APIC,
};

bool minivm_apic_match_dest(enum minivm_apic_mode mode, u32 id, u32 ldr, bool logical,
			    u32 dest);

#endif /* MINIVM_APIC_RULES_H */
