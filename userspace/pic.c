// SPDX-License-Identifier: GPL-2.0
/*
 * minivm launcher: the 8259A pair (pic.h).
 *
 * As the 8259A datasheet gives it, with QEMU's choices where it is silent
 * (QEMU is the reference the tests compare with): ICW1 clears IRR, ISR and
 * IMR, makes IRQ 7 the lowest priority and starts the ICW2-ICW4 sequence on
 * the data port; then a data write is OCW1 (the mask), and a command write
 * is OCW2 (EOIs, rotation) or OCW3 (what a read returns, poll, special
 * mask mode). Priorities are fully nested from the IRQ after the lowest.
 * An edge-triggered IRQ is latched in IRR on its line's rising edge and
 * stays there until acknowledged; a level-triggered one (ELCR, or ICW1's
 * LTIM) is in IRR while its line is asserted. The slave's INT output is the
 * master's IRQ 2 line.
 */
#include "pic.h"

#define MASTER		0
#define SLAVE		1
#define CASCADE_IRQ	2
#define NONE		8	/* no IRQ */

#define ICW1		0x10
#define ICW1_IC4	0x01
#define ICW1_SNGL	0x02
#define ICW1_LTIM	0x08
#define OCW3		0x08
#define OCW3_POLL	0x04
#define OCW3_RR		0x02	/* bit 0 chooses ISR or IRR */
#define OCW3_ESMM	0x40	/* bit 5 sets or clears special mask mode */
#define ICW4_AEOI	0x02
#define ICW4_SFNM	0x10

/* The edge/level control registers, and the IRQs each may make level (the PIIX's). */
#define ELCR_PORT	0x4d0
static const uint8_t elcr_mask[2] = { 0xf8, 0xde };
static const uint16_t chip_port[2] = { 0x20, 0xa0 };

/* The IRQs in IRR now: latched edges, and level-triggered lines as they are. */
static uint8_t chip_irr(const struct pic_chip *c)
{
	uint8_t level = c->level ? 0xff : c->elcr;

	return (uint8_t)((c->irr & ~level) | (c->lines & level));
}

/* The highest-priority IRQ in @mask, or NONE. */
static unsigned int chip_highest(const struct pic_chip *c, uint8_t mask)
{
	unsigned int i, irq;

	for (i = 0; i < 8; i++) {
		irq = (c->lowest + 1 + i) & 7;
		if (mask & (1U << irq))
			return irq;
	}
	return NONE;
}

/* 0 for the highest priority, 7 for the lowest. */
static unsigned int chip_rank(const struct pic_chip *c, unsigned int irq)
{
	return (irq - c->lowest - 1) & 7;
}

/*
 * The IRQ the chip asks the CPU for, or NONE: the highest unmasked request,
 * when no IRQ of at least its priority is in service. In special mask mode
 * masked IRQs in service do not count; in the master's special fully
 * nested mode neither does IRQ 2, so the slave's higher IRQs get through.
 */
static unsigned int chip_request(const struct pic_chip *c, int master)
{
	unsigned int req = chip_highest(c, chip_irr(c) & ~c->imr), svc;
	uint8_t isr = c->isr;

	if (req == NONE)
		return NONE;
	if (c->special_mask)
		isr &= ~c->imr;
	if (master && c->sfnm)
		isr &= ~(1U << CASCADE_IRQ);
	svc = chip_highest(c, isr);
	if (svc != NONE && chip_rank(c, svc) <= chip_rank(c, req))
		return NONE;
	return req;
}

static void chip_set_line(struct pic_chip *c, unsigned int irq, int level)
{
	uint8_t bit = (uint8_t)(1U << irq);

	/* A rising edge latches an edge-triggered IRQ (level ones: chip_irr()). */
	if (level && !(c->lines & bit) && !c->level && !(c->elcr & bit))
		c->irr |= bit;
	c->lines = level ? c->lines | bit : c->lines & ~bit;
}

/* The slave's output to the master's IRQ 2, and the master's to the CPU. */
static void pic_update(struct pic *p)
{
	int out;

	chip_set_line(&p->chip[MASTER], CASCADE_IRQ, chip_request(&p->chip[SLAVE], 0) != NONE);
	out = chip_request(&p->chip[MASTER], 1) != NONE;
	if (out != p->output) {
		p->output = out;
		if (p->intr)
			p->intr(p->ctx, out);
	}
}

/* An acknowledge (INTA or poll) on one chip: its IRQ, or NONE (spurious). */
static unsigned int chip_acknowledge(struct pic_chip *c, int master)
{
	unsigned int irq = chip_request(c, master);

	if (irq == NONE)
		return NONE;
	c->irr &= (uint8_t)~(1U << irq);
	if (!c->auto_eoi)
		c->isr |= (uint8_t)(1U << irq);
	else if (c->rotate_aeoi)
		c->lowest = (uint8_t)irq;
	return irq;
}

/**
 * pic_acknowledge() - the CPU takes the interrupt the master's INT asks for
 * @p: the PICs
 *
 * Return: its vector; a request that went away before the acknowledge
 * gives IRQ 7's vector of the chip that lost it (a spurious interrupt),
 * with nothing put in service.
 */
uint8_t pic_acknowledge(struct pic *p)
{
	struct pic_chip *m = &p->chip[MASTER], *s = &p->chip[SLAVE];
	unsigned int irq = chip_acknowledge(m, 1);
	uint8_t vector;

	if (irq == NONE) {
		vector = m->vector_base + 7;
	} else if (irq == CASCADE_IRQ) {
		irq = chip_acknowledge(s, 0);
		vector = s->vector_base + (irq == NONE ? 7 : irq);
	} else {
		vector = m->vector_base + irq;
	}
	pic_update(p);
	return vector;
}

/**
 * pic_set_irq() - a device drives an ISA interrupt line
 * @p: the PICs
 * @irq: 0-15 (8-15 are the slave's; 2 is the cascade, which no device has)
 * @level: asserted (non-zero) or not
 */
void pic_set_irq(struct pic *p, unsigned int irq, int level)
{
	if (irq > 15 || irq == CASCADE_IRQ)
		return;
	chip_set_line(&p->chip[irq >> 3], irq & 7, level);
	pic_update(p);
}

static void chip_command(struct pic_chip *c, uint8_t v)
{
	unsigned int irq;

	if (v & ICW1) {
		*c = (struct pic_chip){
			.pic = c->pic, .lines = c->lines, .elcr = c->elcr,
			.vector_base = c->vector_base,
			.lowest = 7, .init_step = 2, .icw4 = v & ICW1_IC4,
			.single = !!(v & ICW1_SNGL), .level = !!(v & ICW1_LTIM),
		};
		return;
	}
	if (v & OCW3) {
		c->poll = !!(v & OCW3_POLL);
		if (v & OCW3_RR)
			c->read_isr = v & 1;
		if (v & OCW3_ESMM)
			c->special_mask = (v >> 5) & 1;
		return;
	}
	switch (v >> 5) {	/* OCW2 */
	case 0:			/* rotate in auto-EOI mode: off */
	case 4:			/* on */
		c->rotate_aeoi = v >> 7;
		break;
	case 1:			/* non-specific EOI */
	case 5:			/* and rotate */
		irq = chip_highest(c, c->isr);
		if (irq == NONE)
			break;
		c->isr &= (uint8_t)~(1U << irq);
		if (v >> 5 == 5)
			c->lowest = (uint8_t)irq;
		break;
	case 3:			/* specific EOI */
	case 7:			/* and rotate */
		c->isr &= (uint8_t)~(1U << (v & 7));
		if (v >> 5 == 7)
			c->lowest = v & 7;
		break;
	case 6:			/* set priority */
		c->lowest = v & 7;
		break;
	}
}

static void chip_data(struct pic_chip *c, uint8_t v)
{
	switch (c->init_step) {
	case 2:			/* ICW2: the vector base */
		c->vector_base = v & 0xf8;
		c->init_step = c->single ? (c->icw4 ? 4 : 0) : 3;
		break;
	case 3:			/* ICW3: the cascade, fixed on a PC */
		c->init_step = c->icw4 ? 4 : 0;
		break;
	case 4:			/* ICW4 */
		c->auto_eoi = !!(v & ICW4_AEOI);
		c->sfnm = !!(v & ICW4_SFNM);
		c->init_step = 0;
		break;
	default:		/* OCW1 */
		c->imr = v;
		break;
	}
}

/* A read of one of a chip's two ports (@ctx: the chip). */
static uint8_t chip_read(void *ctx, unsigned int port)
{
	struct pic_chip *c = ctx;
	unsigned int irq;

	if (port == 1)
		return c->imr;
	if (c->poll) {
		/* The poll command: an acknowledge without INTA; bit 7 says one was there. */
		c->poll = 0;
		irq = chip_acknowledge(c, c == &c->pic->chip[MASTER]);
		pic_update(c->pic);
		return irq == NONE ? 0 : (uint8_t)(0x80 | irq);
	}
	return c->read_isr ? c->isr : chip_irr(c);
}

static void chip_write(void *ctx, unsigned int port, uint8_t v)
{
	struct pic_chip *c = ctx;

	if (port == 0)
		chip_command(c, v);
	else
		chip_data(c, v);
	pic_update(c->pic);
}

/* The ELCR pair (@ctx: the PICs): port 0 the master's, port 1 the slave's. */
static uint8_t elcr_read(void *ctx, unsigned int port)
{
	return ((struct pic *)ctx)->chip[port].elcr;
}

static void elcr_write(void *ctx, unsigned int port, uint8_t v)
{
	struct pic *p = ctx;

	p->chip[port].elcr = v & elcr_mask[port];
	pic_update(p);
}

static uint64_t chip_ports_read(void *ctx, uint64_t off, unsigned int size)
{
	return bus_read_bytes(chip_read, ctx, off, size, 2);
}

static int chip_ports_write(void *ctx, uint64_t off, unsigned int size, uint64_t value)
{
	bus_write_bytes(chip_write, ctx, off, size, 2, value);
	return 0;
}

static uint64_t elcr_ports_read(void *ctx, uint64_t off, unsigned int size)
{
	return bus_read_bytes(elcr_read, ctx, off, size, 2);
}

static int elcr_ports_write(void *ctx, uint64_t off, unsigned int size, uint64_t value)
{
	bus_write_bytes(elcr_write, ctx, off, size, 2, value);
	return 0;
}

/**
 * pic_init() - the two PICs at their reset state, on the port bus
 * @p: the PICs
 * @ports: the port bus
 * @intr: called when the master's INT output changes (NULL: not wired)
 * @ctx: passed to @intr
 *
 * Return: 0, or -1 when the bus has no room or the ports are taken.
 */
int pic_init(struct pic *p, struct bus *ports, void (*intr)(void *ctx, int level), void *ctx)
{
	const struct bus_device devs[] = {
		{ .name = "8259 master", .base = chip_port[MASTER], .len = 2,
		  .read = chip_ports_read, .write = chip_ports_write, .ctx = &p->chip[MASTER] },
		{ .name = "8259 slave", .base = chip_port[SLAVE], .len = 2,
		  .read = chip_ports_read, .write = chip_ports_write, .ctx = &p->chip[SLAVE] },
		{ .name = "ELCR", .base = ELCR_PORT, .len = 2,
		  .read = elcr_ports_read, .write = elcr_ports_write, .ctx = p },
	};
	unsigned int i;

	*p = (struct pic){ .intr = intr, .ctx = ctx };
	for (i = 0; i < 2; i++)
		p->chip[i] = (struct pic_chip){ .pic = p, .lowest = 7 };
	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		if (bus_add(ports, &devs[i]))
			return -1;
	return 0;
}
