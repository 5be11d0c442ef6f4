// SPDX-License-Identifier: GPL-2.0
/* minivm launcher: the port and MMIO buses (bus.h). */
#include <string.h>
#include "bus.h"

/**
 * bus_init() - an empty bus
 * @b: the bus
 * @size: one past its last address (%BUS_PORTS, %BUS_MEMORY)
 * @unassigned: what reads where no device is return
 */
void bus_init(struct bus *b, uint64_t size, uint64_t unassigned)
{
	memset(b, 0, sizeof(*b));
	b->size = size;
	b->unassigned = unassigned;
}

/**
 * bus_add() - register a device's range
 * @b: the bus
 * @d: the device (copied)
 *
 * Return: 0, or -1 when the range is empty, leaves the bus, overlaps
 * another device's, or the bus is full.
 */
int bus_add(struct bus *b, const struct bus_device *d)
{
	unsigned int i;

	if (b->n == BUS_MAX_DEVICES || !d->len || d->base >= b->size || d->len > b->size - d->base)
		return -1;
	for (i = 0; i < b->n; i++)
		if (d->base < b->dev[i].base + b->dev[i].len && b->dev[i].base < d->base + d->len)
			return -1;
	b->dev[b->n++] = *d;
	return 0;
}

/**
 * bus_access() - one access
 * @b: the bus
 * @addr: the port or guest-physical address
 * @size: 1, 2, 4 or 8 bytes
 * @read: a read (the value goes to *@data), else a write of *@data
 * @data: the value
 *
 * The device that decodes @addr gets the whole access, as on the PC's
 * buses (no device here straddles another).
 *
 * Return: 0, or the status a device's write asks the run to end with.
 */
int bus_access(const struct bus *b, uint64_t addr, unsigned int size, int read, uint64_t *data)
{
	unsigned int i;

	for (i = 0; i < b->n; i++) {
		const struct bus_device *d = &b->dev[i];

		if (addr < d->base || addr - d->base >= d->len)
			continue;
		if (read) {
			*data = d->read ? d->read(d->ctx, addr - d->base, size) : b->unassigned;
			return 0;
		}
		return d->write ? d->write(d->ctx, addr - d->base, size, *data) : 0;
	}
	if (read)
		*data = b->unassigned;
	return 0;
}

/**
 * bus_unclaimed() - the addresses no device decodes, as a bitmap
 * @b: the bus (of ports: one bit per address)
 * @bitmap: out: bit N (bit N % 8 of byte N / 8) set when no device decodes
 *	address N; @b->size / 8 bytes
 */
void bus_unclaimed(const struct bus *b, uint8_t *bitmap)
{
	unsigned int i;
	uint64_t a;

	memset(bitmap, 0xff, b->size / 8);
	for (i = 0; i < b->n; i++)
		for (a = b->dev[i].base; a < b->dev[i].base + b->dev[i].len; a++)
			bitmap[a / 8] &= ~(1U << (a % 8));
}

/**
 * bus_read_bytes() - a read from a device of byte-wide ports
 * @read_byte: reads the port at an offset into the device's range
 * @ctx: passed to @read_byte
 * @off: offset of the access into the range
 * @size: the access's size
 * @len: the range's length
 *
 * A wider access is split into bytes, one port after the other, as the
 * ISA bus does; bytes past the range read 0.
 *
 * Return: the bytes read, the first in bits 7:0.
 */
uint64_t bus_read_bytes(uint8_t (*read_byte)(void *ctx, unsigned int off), void *ctx,
			uint64_t off, unsigned int size, unsigned int len)
{
	uint64_t v = 0;
	unsigned int n;

	for (n = 0; n < size && off + n < len; n++)
		v |= (uint64_t)read_byte(ctx, (unsigned int)off + n) << (8 * n);
	return v;
}

/**
 * bus_write_bytes() - a write to a device of byte-wide ports, as bus_read_bytes()
 * @write_byte: writes the port at an offset into the device's range
 * @ctx: passed to @write_byte
 * @off: offset of the access into the range
 * @size: the access's size
 * @len: the range's length
 * @value: the bytes, the first in bits 7:0; bytes past the range are dropped
 */
void bus_write_bytes(void (*write_byte)(void *ctx, unsigned int off, uint8_t v), void *ctx,
		     uint64_t off, unsigned int size, unsigned int len, uint64_t value)
{
	unsigned int n;

	for (n = 0; n < size && off + n < len; n++)
		write_byte(ctx, (unsigned int)off + n, (uint8_t)(value >> (8 * n)));
}
