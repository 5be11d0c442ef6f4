/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm launcher: the PC's I/O APIC (82093AA, version 0x20 as QEMU's),
 * 24 pins, at 0xfec00000. It turns a pin's line into an interrupt message
 * for the local APICs, which are the module's (MINIVM_SIGNAL_MSI), as in
 * KVM's split irqchip.
 */
#ifndef MINIVM_IOAPIC_H
#define MINIVM_IOAPIC_H

#include <stdint.h>
#include "bus.h"

#define IOAPIC_BASE	0xfec00000ULL
#define IOAPIC_PINS	24

/**
 * struct ioapic - the I/O APIC's state
 * @id: its APIC ID (bits 27:24 of register 0)
 * @regsel: IOREGSEL, the register IOWIN reaches
 * @redir: the redirection table, as the guest reads it (Remote IRR in bit 14)
 * @lines: each pin's input line, asserted or not
 * @deliver: sends an interrupt message (MSI address and data); returns how
 *	many APICs took it, or a negative errno
 * @ctx: passed to @deliver
 * @lost: messages @deliver refused
 */
struct ioapic {
	uint8_t id, regsel;
	uint64_t redir[IOAPIC_PINS];
	uint32_t lines;
	int (*deliver)(void *ctx, uint64_t address, uint32_t data);
	void *ctx;
	unsigned long lost;
};

int ioapic_init(struct ioapic *io, struct bus *mmio,
		int (*deliver)(void *ctx, uint64_t address, uint32_t data), void *ctx);
void ioapic_set_line(struct ioapic *io, unsigned int pin, int level);
void ioapic_eoi(struct ioapic *io, uint8_t vector);

#endif /* MINIVM_IOAPIC_H */
