// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: the local APIC's rules that depend on nothing but their inputs:
 * the highest vector of IRR or ISR, the processor priority, whether an
 * interrupt can be delivered, the timer's divisor, and which APICs a
 * destination names (Intel SDM vol. 3, chapter 11). The APIC itself, its
 * registers and timer, builds on them.
 */
#include <linux/bitops.h>
#include "apic_rules.h"

/**
 * minivm_apic_highest_vector() - the highest vector set in IRR, ISR or TMR
 * @reg: the register's first word; word i (vectors 32i to 32i+31) is at
 *	reg[i * MINIVM_APIC_VEC_STRIDE]
 *
 * Return: the vector, or -1 when no bit is set.
 */
int minivm_apic_highest_vector(const u32 *reg)
{
	int i;

	for (i = 7; i >= 0; i--) {
		u32 w = reg[i * MINIVM_APIC_VEC_STRIDE];

		if (w)
			return i * 32 + fls(w) - 1;
	}
	return -1;
}

/**
 * minivm_apic_ppr() - the processor priority (SDM 11.8.3.1)
 * @tpr: the task priority
 * @isr_highest: the highest vector in service, or -1
 *
 * Return: TPR when its class is at least the in-service vector's, else
 * that vector's class with a zero subclass.
 */
u8 minivm_apic_ppr(u8 tpr, int isr_highest)
{
	u8 isrv = isr_highest < 0 ? 0 : isr_highest;

	return (tpr & 0xf0) >= (isrv & 0xf0) ? tpr : isrv & 0xf0;
}

/**
 * minivm_apic_can_deliver() - whether the highest requested vector beats
 * the processor priority (SDM 11.8.3.1: its class must be higher)
 * @irr_highest: the highest vector in IRR, or -1
 * @ppr: the processor priority
 *
 * Return: true when the vector can be dispatched now.
 */
bool minivm_apic_can_deliver(int irr_highest, u8 ppr)
{
	return irr_highest >= 0 && (irr_highest & 0xf0) > (ppr & 0xf0);
}

/**
 * minivm_apic_timer_divisor() - the timer's divide value (SDM 11.5.4)
 * @dcr: the divide configuration register; bits 0, 1 and 3 count
 *
 * Return: 1, 2, 4, ... 128.
 */
unsigned int minivm_apic_timer_divisor(u32 dcr)
{
	unsigned int v = ((dcr & 8) >> 1) | (dcr & 3);

	return 1U << ((v + 1) & 7);
}

/**
 * minivm_apic_match_dest() - whether an APIC is named by a destination
 * @mode: the APIC's addressing (xAPIC flat or cluster model, x2APIC)
 * @id: its APIC ID (xAPIC: 8 bits; x2APIC: 32 bits)
 * @ldr: its logical destination register (xAPIC: the ID in bits 31:24)
 * @logical: logical destination mode, else physical
 * @dest: the destination field (xAPIC: 8 bits; x2APIC: 32 bits)
 *
 * Physical: the ID, or the broadcast value (0xff, or 0xffffffff in x2APIC
 * mode). Logical flat: any bit shared with the LDR's eight. Logical
 * cluster: the same cluster (xAPIC: bits 7:4 of 15 clusters, 0xf being a
 * broadcast; x2APIC: bits 31:16) and a member bit shared. (SDM 11.6.2,
 * 10.12.10.)
 *
 * Return: true when the APIC is a destination.
 */
bool minivm_apic_match_dest(enum minivm_apic_mode mode, u32 id, u32 ldr, bool logical,
			    u32 dest)
{
	if (mode == MINIVM_APIC_X2APIC) {
		if (dest == 0xffffffff)
			return true;
		if (!logical)
			return dest == id;
		return (dest >> 16) == (ldr >> 16) && (dest & ldr & 0xffff);
	}
	dest &= 0xff;
	if (dest == 0xff)
		return true;
	if (!logical)
		return dest == (id & 0xff);
	ldr >>= 24;
	if (mode == MINIVM_APIC_XAPIC_FLAT)
		return dest & ldr;
	return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
}
