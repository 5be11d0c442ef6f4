/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm launcher: the I/O port bus. Each device registers the ports it
 * decodes; a port I/O exit goes to the one device there, or reads all ones
 * (the ISA bus floats high) and is dropped when nothing is.
 */
#ifndef MINIVM_BUS_H
#define MINIVM_BUS_H

#include <stdint.h>

/**
 * struct bus_device - ports a device decodes
 * @name: for messages
 * @base: first port
 * @len: how many ports
 * @read: an IN of @size bytes at @base + @off
 * @write: an OUT; returns 0, or a status that ends the run (isa-debug-exit)
 * @ctx: the device's state, passed to both
 */
struct bus_device {
	const char *name;
	uint16_t base, len;
	uint64_t (*read)(void *ctx, uint16_t off, unsigned int size);
	int (*write)(void *ctx, uint16_t off, unsigned int size, uint64_t value);
	void *ctx;
};

#define BUS_MAX_DEVICES	16

struct bus {
	struct bus_device dev[BUS_MAX_DEVICES];
	unsigned int n;
};

int bus_add(struct bus *b, const struct bus_device *d);
int bus_io(const struct bus *b, uint16_t port, unsigned int size, int in, uint64_t *data);

#endif /* MINIVM_BUS_H */
