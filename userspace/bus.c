// SPDX-License-Identifier: GPL-2.0
/* minivm launcher: the I/O port bus (bus.h). */
#include "bus.h"

/**
 * bus_add() - register a device's ports
 * @b: the bus
 * @d: the device (copied)
 *
 * Return: 0, or -1 when its ports overlap another device's or the bus is full.
 */
int bus_add(struct bus *b, const struct bus_device *d)
{
	unsigned int i;

	if (b->n == BUS_MAX_DEVICES || !d->len || (uint32_t)d->base + d->len > 0x10000)
		return -1;
	for (i = 0; i < b->n; i++)
		if (d->base < b->dev[i].base + b->dev[i].len && b->dev[i].base < d->base + d->len)
			return -1;
	b->dev[b->n++] = *d;
	return 0;
}

/**
 * bus_io() - one port access
 * @b: the bus
 * @port: the port
 * @size: 1, 2 or 4 bytes
 * @in: an IN (the value goes to *@data), else an OUT of *@data
 * @data: the value
 *
 * Return: 0, or the status a device's write asks the run to end with.
 */
int bus_io(const struct bus *b, uint16_t port, unsigned int size, int in, uint64_t *data)
{
	unsigned int i;

	for (i = 0; i < b->n; i++) {
		const struct bus_device *d = &b->dev[i];

		if (port < d->base || port >= d->base + d->len)
			continue;
		if (in) {
			*data = d->read ? d->read(d->ctx, port - d->base, size) : ~0ULL;
			return 0;
		}
		return d->write ? d->write(d->ctx, port - d->base, size, *data) : 0;
	}
	if (in)
		*data = ~0ULL;	/* nothing there: the bus floats high */
	return 0;
}
