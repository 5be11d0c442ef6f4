// SPDX-License-Identifier: GPL-2.0
/*
 * The launcher's devices, without a guest: a device's ports may not
 * overlap another's, an unassigned port reads all ones and unassigned
 * memory 0, writes reach only their device; fw_cfg gives QEMU's items byte
 * by byte; the I/O APIC's registers, its edge and level pins, masking and
 * EOI; pc-testdev's latch, I/O memory and interrupt lines.
 * Prints one line per failed check; exits 1 if any failed.
 */
#include <stdio.h>
#include <string.h>
#include "bus.h"
#include "fw_cfg.h"
#include "ioapic.h"
#include "pc_testdev.h"

static int failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("%s:%d: %s\n", __FILE__, __LINE__, #cond);	\
		failures++;						\
	}								\
} while (0)

static uint64_t last;

static int exit_write(void *ctx, uint64_t off, unsigned int size, uint64_t value)
{
	(void)ctx;
	(void)off;
	(void)size;
	last = value;
	return 7;
}

static uint64_t rd(const struct bus *b, uint16_t port, unsigned int size)
{
	uint64_t v = 0x1234;

	CHECK(bus_access(b, port, size, 1, &v) == 0);
	return v;
}

/* The messages the I/O APIC sent, as the module would get them. */
static struct { uint64_t address; uint32_t data; } msgs[16];
static unsigned int nmsgs;

static int record_msi(void *ctx, uint64_t address, uint32_t data)
{
	(void)ctx;
	if (nmsgs < 16)
		msgs[nmsgs] = (typeof(msgs[0])){ address, data };
	nmsgs++;
	return 1;
}

static uint32_t io_rd(struct bus *m, uint8_t reg)
{
	uint64_t v = reg;

	bus_access(m, IOAPIC_BASE, 1, 0, &v);
	bus_access(m, IOAPIC_BASE + 0x10, 4, 1, &v);
	return (uint32_t)v;
}

static void io_wr(struct bus *m, uint8_t reg, uint32_t value)
{
	uint64_t v = reg;

	bus_access(m, IOAPIC_BASE, 1, 0, &v);
	v = value;
	bus_access(m, IOAPIC_BASE + 0x10, 4, 0, &v);
}

static void ioapic_checks(void)
{
	struct bus m;
	struct ioapic io;
	uint64_t v;

	bus_init(&m, BUS_MEMORY, 0);
	CHECK(ioapic_init(&io, &m, record_msi, NULL) == 0);
	CHECK(io_rd(&m, 0x01) == 0x00170020);		/* version 0x20, 24 pins */
	CHECK(io_rd(&m, 0x00) == 0);
	io_wr(&m, 0x00, 0xff000000);
	CHECK(io_rd(&m, 0x00) == 0x0f000000);		/* a 4-bit ID */
	CHECK(io_rd(&m, 0x10 + 2 * 5) == 0x10000);	/* masked at reset */
	CHECK(io_rd(&m, 0x11 + 2 * 5) == 0);
	/* Pin 5: vector 0x55, fixed, physical, edge, to APIC 3. */
	io_wr(&m, 0x11 + 2 * 5, 0x03000000);
	io_wr(&m, 0x10 + 2 * 5, 0x55);
	CHECK(io_rd(&m, 0x10 + 2 * 5) == 0x55 && io_rd(&m, 0x11 + 2 * 5) == 0x03000000);
	io_wr(&m, 0x10 + 2 * 5, 0x55 | 0x5000 | 0xfffe0000);	/* read-only and reserved bits */
	CHECK(io_rd(&m, 0x10 + 2 * 5) == 0x55);
	nmsgs = 0;
	ioapic_set_line(&io, 5, 1);
	CHECK(nmsgs == 1 && msgs[0].address == 0xfee03000 && msgs[0].data == 0x4055);
	ioapic_set_line(&io, 5, 1);			/* no edge: nothing */
	ioapic_set_line(&io, 5, 0);
	CHECK(nmsgs == 1);
	io_wr(&m, 0x10 + 2 * 5, 0x10055);		/* masked: an edge is lost */
	ioapic_set_line(&io, 5, 1);
	ioapic_set_line(&io, 5, 0);
	io_wr(&m, 0x10 + 2 * 5, 0x55);
	CHECK(nmsgs == 1);
	/* Pin 9: level-triggered, logical destination 0x0f, lowest priority. */
	io_wr(&m, 0x11 + 2 * 9, 0x0f000000);
	io_wr(&m, 0x10 + 2 * 9, 0x10000 | 0x8000 | 0x800 | 0x100 | 0x59);
	ioapic_set_line(&io, 9, 1);
	CHECK(nmsgs == 1);				/* masked */
	io_wr(&m, 0x10 + 2 * 9, 0x8000 | 0x800 | 0x100 | 0x59);	/* unmasked while asserted */
	CHECK(nmsgs == 2 && msgs[1].address == 0xfee0f004 && msgs[1].data == 0xc159);
	CHECK(io_rd(&m, 0x10 + 2 * 9) & 0x4000);	/* Remote IRR */
	ioapic_set_line(&io, 9, 1);
	CHECK(nmsgs == 2);				/* in service: held */
	ioapic_eoi(&io, 0x58);				/* another vector: nothing */
	CHECK(nmsgs == 2 && (io_rd(&m, 0x10 + 2 * 9) & 0x4000));
	ioapic_eoi(&io, 0x59);				/* still asserted: again */
	CHECK(nmsgs == 3 && (io_rd(&m, 0x10 + 2 * 9) & 0x4000));
	ioapic_set_line(&io, 9, 0);
	v = 0x59;					/* the EOI register does the same */
	bus_access(&m, IOAPIC_BASE + 0x40, 4, 0, &v);
	CHECK(nmsgs == 3 && !(io_rd(&m, 0x10 + 2 * 9) & 0x4000));
	/* Switching a pin to edge drops its Remote IRR. */
	ioapic_set_line(&io, 9, 1);
	CHECK(nmsgs == 4);
	io_wr(&m, 0x10 + 2 * 9, 0x59);
	CHECK(!(io_rd(&m, 0x10 + 2 * 9) & 0x4000));
	CHECK(io_rd(&m, 0x10 + 2 * 24) == 0);		/* no pin 24 */
}

static unsigned int irq_sets[16];
static int irq_level[16];

static void record_irq(void *ctx, unsigned int irq, int level)
{
	(void)ctx;
	irq_sets[irq]++;
	irq_level[irq] = level;
}

static void pc_testdev_checks(void)
{
	static struct pc_testdev t = { .set_irq = record_irq };
	struct bus p, m;
	uint64_t v;

	bus_init(&p, BUS_PORTS, ~0ULL);
	bus_init(&m, BUS_MEMORY, 0);
	CHECK(pc_testdev_init(&t, &p, &m) == 0);
	v = 0x12345678;
	bus_access(&p, 0xe0, 4, 0, &v);
	CHECK(rd(&p, 0xe0, 1) == 0x78 && rd(&p, 0xe2, 1) == 0x34 && rd(&p, 0xe2, 2) == 0x1234);
	v = 0xab;
	bus_access(&p, 0xe9, 1, 0, &v);
	CHECK(rd(&p, 0xe0, 4) == 0x1234ab78 && rd(&p, 0xe8, 4) == 0x1234ab78);
	v = 0xcdef;					/* two bytes through the byte window */
	bus_access(&p, 0xea, 2, 0, &v);
	CHECK(rd(&p, 0xe0, 4) == 0xcdefab78);
	v = 0x1122334455667788ULL;
	bus_access(&m, PC_TESTDEV_IOMEM + 0x10, 8, 0, &v);
	v = 0;
	bus_access(&m, PC_TESTDEV_IOMEM + 0x12, 2, 1, &v);
	CHECK(v == 0x5566);
	bus_access(&m, PC_TESTDEV_IOMEM + 0xffff, 1, 1, &v);
	CHECK(v == 0);
	v = 1;
	bus_access(&p, 0x2007, 1, 0, &v);
	CHECK(irq_sets[7] == 1 && irq_level[7] == 1);
	v = 0;
	bus_access(&p, 0x2007, 1, 0, &v);
	CHECK(irq_sets[7] == 2 && irq_level[7] == 0);
	v = 1;
	bus_access(&p, 0x2007, 2, 0, &v);		/* one byte wide only */
	bus_access(&p, 0x2010, 1, 0, &v);		/* no ISA IRQ 16 */
	CHECK(irq_sets[7] == 2);
	CHECK(rd(&p, 0x2007, 1) == 0);
}

int main(void)
{
	struct bus_device d = { .name = "exit", .base = 0xf4, .len = 4, .write = exit_write };
	struct bus b;
	struct fw_cfg f;
	uint64_t v;
	int i;

	bus_init(&b, BUS_PORTS, ~0ULL);
	CHECK(bus_add(&b, &d) == 0);
	d.base = 0xf7;
	CHECK(bus_add(&b, &d) == -1);		/* overlaps 0xf4-0xf7 */
	d.base = 0xfff0;
	d.len = 0x20;
	CHECK(bus_add(&b, &d) == -1);		/* past port 0xffff */
	d.len = 0;
	CHECK(bus_add(&b, &d) == -1);
	CHECK(fw_cfg_init(&f, &b, 128ULL << 20, 2) == 0);
	CHECK(fw_cfg_init(&f, &b, 128ULL << 20, 2) == -1);	/* 0x510 taken */

	CHECK(rd(&b, 0x80, 1) == ~0ULL);	/* nothing there */
	v = 0x21;
	CHECK(bus_access(&b, 0xf4, 1, 0, &v) == 7 && last == 0x21);
	v = 0x22;
	CHECK(bus_access(&b, 0xf8, 1, 0, &v) == 0 && last == 0x21);

	v = 0;					/* signature */
	CHECK(bus_access(&b, 0x510, 2, 0, &v) == 0);
	CHECK(rd(&b, 0x511, 1) == 'Q' && rd(&b, 0x511, 1) == 'E' && rd(&b, 0x511, 1) == 'M' &&
	      rd(&b, 0x511, 1) == 'U' && rd(&b, 0x511, 1) == 0);
	v = 3;					/* RAM size, little-endian */
	bus_access(&b, 0x510, 2, 0, &v);
	for (v = 0, i = 0; i < 8; i++)
		v |= rd(&b, 0x511, 1) << (8 * i);
	CHECK(v == 128ULL << 20);
	v = 5;					/* CPUs */
	bus_access(&b, 0x510, 2, 0, &v);
	CHECK(rd(&b, 0x511, 1) == 2 && rd(&b, 0x511, 1) == 0 && rd(&b, 0x511, 1) == 0);
	v = 0x4242;				/* an item QEMU's PC does not have */
	bus_access(&b, 0x510, 2, 0, &v);
	CHECK(rd(&b, 0x511, 1) == 0);
	CHECK(rd(&b, 0x510, 2) == ~0ULL);	/* the selector is write-only */
	ioapic_checks();
	pc_testdev_checks();
	return failures != 0;
}
