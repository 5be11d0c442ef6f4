// SPDX-License-Identifier: GPL-2.0
/*
 * minivm launcher: QEMU's pc-testdev (pc_testdev.h), register for register
 * as hw/misc/pc-testdev.c behaves (bhyve's pctestdev.c is the same idea).
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "pc_testdev.h"

#define PORT_LATCH	0xe0
#define PORT_FLUSH	0xe4
#define PORT_LATCH_BYTE	0xe8
#define PORT_IRQ	0x2000
#define IRQ_PORTS	24
#define ISA_IRQS	16

/* @size bytes of the latch at byte @off (0-3), as QEMU computes them. */
static uint32_t latch_mask(uint64_t off, unsigned int size)
{
	return (0xffffffffU >> (32 - size * 8)) << ((off & 3) * 8);
}

static uint64_t latch_read(void *ctx, uint64_t off, unsigned int size)
{
	const struct pc_testdev *t = ctx;

	if (size > 4)
		return 0;
	return (t->latch & latch_mask(off, size)) >> ((off & 3) * 8);
}

static int latch_write(void *ctx, uint64_t off, unsigned int size, uint64_t value)
{
	struct pc_testdev *t = ctx;

	if (size > 4)
		return 0;
	t->latch = (t->latch & ~latch_mask(off, size)) |
		   ((uint32_t)value << ((off & 3) * 8) & latch_mask(off, size));
	return 0;
}

/* The byte-wide window: a wider access is that many byte accesses in a row. */
static uint64_t latch_byte_read(void *ctx, uint64_t off, unsigned int size)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < size && i < 4; i++)
		v |= latch_read(ctx, off + i, 1) << (8 * i);
	return v;
}

static int latch_byte_write(void *ctx, uint64_t off, unsigned int size, uint64_t value)
{
	unsigned int i;

	for (i = 0; i < size && i < 4; i++)
		latch_write(ctx, off + i, 1, (value >> (8 * i)) & 0xff);
	return 0;
}

/*
 * A 32-bit write of a guest-physical address: the page's mapping is taken
 * away and given back, so the module must drop its EPT/NPT entry (an MMU
 * notifier invalidation) and fault the page in again on the next access.
 */
static int flush_write(void *ctx, uint64_t off, unsigned int size, uint64_t value)
{
	struct pc_testdev *t = ctx;
	void *page;

	if (off || size != 4)
		return 0;
	page = t->page(t->ctx, value & ~0xfffULL);
	/* A page left without access would stop the guest later, far from here: say it now. */
	if (page && !mprotect(page, 4096, PROT_NONE) &&
	    mprotect(page, 4096, PROT_READ | PROT_WRITE))
		perror("minivm: pc-testdev: cannot give a flushed page back");
	return 0;
}

static uint64_t zero_read(void *ctx, uint64_t off, unsigned int size)
{
	(void)ctx;
	(void)off;
	(void)size;
	return 0;
}

/* Port 0x2000 + N, one byte: ISA interrupt line N goes to (value != 0). */
static int irq_write(void *ctx, uint64_t off, unsigned int size, uint64_t value)
{
	struct pc_testdev *t = ctx;

	if (size == 1 && off < ISA_IRQS)
		t->set_irq(t->ctx, (unsigned int)off, value != 0);
	return 0;
}

static uint64_t iomem_read(void *ctx, uint64_t off, unsigned int size)
{
	const struct pc_testdev *t = ctx;
	uint64_t v = 0;

	if (off + size <= PC_TESTDEV_IOMEM_LEN)
		memcpy(&v, &t->iomem[off], size);
	return v;
}

static int iomem_write(void *ctx, uint64_t off, unsigned int size, uint64_t value)
{
	struct pc_testdev *t = ctx;

	if (off + size <= PC_TESTDEV_IOMEM_LEN)
		memcpy(&t->iomem[off], &value, size);
	return 0;
}

/**
 * pc_testdev_init() - the device on the port and MMIO buses
 * @t: its state; set_irq, page and ctx filled in by the caller
 * @ports: the port bus
 * @mmio: the MMIO bus
 *
 * Return: 0, or -1 when a range is taken.
 */
int pc_testdev_init(struct pc_testdev *t, struct bus *ports, struct bus *mmio)
{
	const struct bus_device devs[] = {
		{ .name = "pc-testdev latch", .base = PORT_LATCH, .len = 4,
		  .read = latch_read, .write = latch_write, .ctx = t },
		{ .name = "pc-testdev flush", .base = PORT_FLUSH, .len = 4,
		  .read = zero_read, .write = flush_write, .ctx = t },
		{ .name = "pc-testdev latch (bytes)", .base = PORT_LATCH_BYTE, .len = 4,
		  .read = latch_byte_read, .write = latch_byte_write, .ctx = t },
		{ .name = "pc-testdev irq", .base = PORT_IRQ, .len = IRQ_PORTS,
		  .read = zero_read, .write = irq_write, .ctx = t },
	};
	const struct bus_device iomem = {
		.name = "pc-testdev iomem", .base = PC_TESTDEV_IOMEM, .len = PC_TESTDEV_IOMEM_LEN,
		.read = iomem_read, .write = iomem_write, .ctx = t,
	};
	unsigned int i;

	t->latch = 0;
	memset(t->iomem, 0, sizeof(t->iomem));
	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		if (bus_add(ports, &devs[i]))
			return -1;
	return bus_add(mmio, &iomem);
}
