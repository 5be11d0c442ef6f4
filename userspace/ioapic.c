// SPDX-License-Identifier: GPL-2.0
/*
 * minivm launcher: the I/O APIC (ioapic.h).
 *
 * Registers as the 82093AA datasheet gives them, with the version 0x20
 * EOI register QEMU's has: IOREGSEL at 0x00, IOWIN at 0x10 (32-bit
 * accesses), EOI at 0x40. A pin in edge mode sends its message on each
 * rising edge of its line while unmasked (an edge while masked is lost, as
 * the datasheet says); a pin in level mode sends it while the line is
 * asserted and Remote IRR is clear, sets Remote IRR, and sends again after
 * the EOI if the line is still asserted. The EOI comes from the guest's
 * local APIC (MINIVM_EXIT_EOI) or from the EOI register. Polarity is kept
 * but not applied: lines here are logical (asserted or not), as QEMU's are.
 */
#include "ioapic.h"

#define REG_ID		0x00
#define REG_VER		0x01
#define REG_ARB		0x02
#define REG_REDIR	0x10

#define IOREGSEL	0x00
#define IOWIN		0x10
#define IOEOI		0x40

#define VERSION		0x20

#define RTE_VECTOR	0xffULL
#define RTE_MODE	(7ULL << 8)
#define RTE_LOGICAL	(1ULL << 11)
#define RTE_PENDING	(1ULL << 12)	/* delivery status: messages go at once, always 0 */
#define RTE_REMOTE_IRR	(1ULL << 14)
#define RTE_LEVEL	(1ULL << 15)
#define RTE_MASKED	(1ULL << 16)
#define RTE_DEST_SHIFT	56
/* What the guest may write: all but Remote IRR, delivery status and bits 55:17. */
#define RTE_WRITABLE	((0xff00000000000000ULL | 0x1ffffULL) & ~(RTE_PENDING | RTE_REMOTE_IRR))

/* Send pin @pin's message; for a level-triggered pin, Remote IRR until the EOI. */
static void ioapic_send(struct ioapic *io, unsigned int pin)
{
	uint64_t e = io->redir[pin];
	uint64_t address = 0xfee00000ULL | ((e >> RTE_DEST_SHIFT) << 12) |
			   ((e & RTE_LOGICAL) ? 1ULL << 2 : 0);
	/* The message data: vector, delivery mode, assert, trigger mode. */
	uint32_t data = (uint32_t)(e & (RTE_VECTOR | RTE_MODE | RTE_LEVEL)) | (1U << 14);

	if (e & RTE_LEVEL)
		io->redir[pin] |= RTE_REMOTE_IRR;
	if (io->deliver(io->ctx, address, data) < 0)
		io->lost++;
}

/* A level-triggered pin whose line is asserted, unmasked, not in service: send. */
static void ioapic_service_level(struct ioapic *io, unsigned int pin)
{
	uint64_t e = io->redir[pin];

	if ((e & RTE_LEVEL) && !(e & (RTE_MASKED | RTE_REMOTE_IRR)) && (io->lines & (1U << pin)))
		ioapic_send(io, pin);
}

/**
 * ioapic_set_line() - a device drives a pin's input line
 * @io: the I/O APIC
 * @pin: 0-23 (the PC routes ISA IRQ 0 to pin 2, every other ISA IRQ to its own)
 * @level: asserted (non-zero) or not
 */
void ioapic_set_line(struct ioapic *io, unsigned int pin, int level)
{
	uint32_t bit = 1U << pin, was;

	if (pin >= IOAPIC_PINS)
		return;
	was = io->lines & bit;
	io->lines = level ? io->lines | bit : io->lines & ~bit;
	if (io->redir[pin] & RTE_LEVEL)
		ioapic_service_level(io, pin);
	else if (level && !was && !(io->redir[pin] & RTE_MASKED))
		ioapic_send(io, pin);
}

/**
 * ioapic_eoi() - a local APIC's EOI of @vector: level-triggered pins with
 *	that vector leave Remote IRR and send again if their line is asserted
 * @io: the I/O APIC
 * @vector: the vector the guest ended
 */
void ioapic_eoi(struct ioapic *io, uint8_t vector)
{
	unsigned int pin;

	for (pin = 0; pin < IOAPIC_PINS; pin++) {
		uint64_t e = io->redir[pin];

		if ((e & RTE_VECTOR) != vector || !(e & RTE_LEVEL) || !(e & RTE_REMOTE_IRR))
			continue;
		io->redir[pin] &= ~RTE_REMOTE_IRR;
		ioapic_service_level(io, pin);
	}
}

static uint32_t ioapic_read_reg(struct ioapic *io)
{
	unsigned int pin;

	switch (io->regsel) {
	case REG_ID:
	case REG_ARB:
		return (uint32_t)io->id << 24;
	case REG_VER:
		return VERSION | ((IOAPIC_PINS - 1) << 16);
	default:
		pin = (io->regsel - REG_REDIR) / 2;
		if (io->regsel < REG_REDIR || pin >= IOAPIC_PINS)
			return 0;
		return (uint32_t)(io->redir[pin] >> (io->regsel & 1 ? 32 : 0));
	}
}

static void ioapic_write_reg(struct ioapic *io, uint32_t value)
{
	unsigned int pin;
	uint64_t e;

	if (io->regsel == REG_ID) {
		io->id = (value >> 24) & 0xf;
		return;
	}
	pin = (io->regsel - REG_REDIR) / 2;
	if (io->regsel < REG_REDIR || pin >= IOAPIC_PINS)
		return;		/* the version and arbitration registers are read-only */
	e = io->redir[pin];
	if (io->regsel & 1)
		e = (e & 0xffffffffULL) | ((uint64_t)value << 32);
	else
		e = (e & ~0xffffffffULL) | value;
	e = (e & RTE_WRITABLE) | (io->redir[pin] & RTE_REMOTE_IRR);
	/* An edge-triggered pin has no Remote IRR. */
	if (!(e & RTE_LEVEL))
		e &= ~RTE_REMOTE_IRR;
	io->redir[pin] = e;
	/* Unmasked with its line asserted: a level-triggered pin sends now. */
	ioapic_service_level(io, pin);
}

static uint64_t ioapic_mmio_read(void *ctx, uint64_t off, unsigned int size)
{
	struct ioapic *io = ctx;

	switch (off) {
	case IOREGSEL:
		return io->regsel;
	case IOWIN:
		return size == 4 ? ioapic_read_reg(io) : 0;
	default:
		return 0;
	}
}

static int ioapic_mmio_write(void *ctx, uint64_t off, unsigned int size, uint64_t value)
{
	struct ioapic *io = ctx;

	switch (off) {
	case IOREGSEL:
		io->regsel = (uint8_t)value;
		break;
	case IOWIN:
		if (size == 4)
			ioapic_write_reg(io, (uint32_t)value);
		break;
	case IOEOI:
		ioapic_eoi(io, (uint8_t)value);
		break;
	}
	return 0;
}

/**
 * ioapic_init() - the I/O APIC at reset (ID 0, every pin masked), on @mmio
 * @io: its state
 * @mmio: the MMIO bus: it decodes 0xfec00000-0xfec00fff
 * @deliver: how its messages reach the local APICs
 * @ctx: for @deliver
 *
 * Return: 0, or -1 when the range is taken.
 */
int ioapic_init(struct ioapic *io, struct bus *mmio,
		int (*deliver)(void *ctx, uint64_t address, uint32_t data), void *ctx)
{
	const struct bus_device d = {
		.name = "ioapic", .base = IOAPIC_BASE, .len = 0x1000,
		.read = ioapic_mmio_read, .write = ioapic_mmio_write, .ctx = io,
	};
	unsigned int pin;

	*io = (struct ioapic){ .deliver = deliver, .ctx = ctx };
	for (pin = 0; pin < IOAPIC_PINS; pin++)
		io->redir[pin] = RTE_MASKED;
	return bus_add(mmio, &d);
}
