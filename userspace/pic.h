/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm launcher: the PC's pair of 8259A interrupt controllers. The master
 * is at ports 0x20-0x21 and takes ISA IRQs 0-7; the slave, at 0xa0-0xa1,
 * takes IRQs 8-15 and drives the master's IRQ 2. The edge/level control
 * registers (ELCR, 0x4d0-0x4d1) make an IRQ level-triggered, as on PCs
 * since the PIIX. A guest that boots through the I/O APIC still probes and
 * masks these; one that does not takes its interrupts from here, the
 * vector given at the CPU's interrupt acknowledge (pic_acknowledge()).
 */
#ifndef MINIVM_PIC_H
#define MINIVM_PIC_H

#include <stdint.h>
#include "bus.h"

struct pic;

/**
 * struct pic_chip - one 8259A
 * @irr: interrupt request register: the latched edges (chip_irr() adds the
 *	level-triggered lines)
 * @isr: in-service register
 * @imr: interrupt mask register (OCW1)
 * @lines: the input lines, asserted or not
 * @elcr: level-triggered IRQs (ELCR; IRQs 0-2 and 8 and 13 are always edge)
 * @vector_base: ICW2: the vector of IRQ 0 of this chip (bits 7:3)
 * @init_step: 0 when initialized, else the ICW the next data write is (2-4)
 * @icw4: ICW1 said an ICW4 follows
 * @single: ICW1 said there is no slave (no ICW3)
 * @level: ICW1's LTIM: every IRQ level-triggered
 * @auto_eoi: ICW4's AEOI: acknowledge does not set ISR
 * @sfnm: ICW4's special fully nested mode (the master: see chip_request())
 * @rotate_aeoi: OCW2: an auto-EOI makes its IRQ the lowest priority
 * @special_mask: OCW3's special mask mode: masked IRQs in service do not
 *	block lower ones
 * @read_isr: OCW3: a read of the command port gives ISR, else IRR
 * @poll: OCW3's poll command: the next read of the command port acknowledges
 * @lowest: the IRQ with the lowest priority (7 after ICW1; rotation moves it)
 * @pic: the pair it belongs to
 */
struct pic_chip {
	uint8_t irr, isr, imr, lines, elcr, vector_base;
	uint8_t init_step, icw4, single, level, auto_eoi, sfnm, rotate_aeoi;
	uint8_t special_mask, read_isr, poll, lowest;
	struct pic *pic;
};

/**
 * struct pic - the master and slave, and the master's INT output
 * @chip: [0] the master, [1] the slave
 * @output: the INT line to the CPU, asserted or not
 * @intr: called when @output changes
 * @ctx: passed to @intr
 */
struct pic {
	struct pic_chip chip[2];
	int output;
	void (*intr)(void *ctx, int level);
	void *ctx;
};

int pic_init(struct pic *p, struct bus *ports, void (*intr)(void *ctx, int level), void *ctx);
void pic_set_irq(struct pic *p, unsigned int irq, int level);
uint8_t pic_acknowledge(struct pic *p);

#endif /* MINIVM_PIC_H */
