/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm launcher: a bus of devices, one for I/O ports and one for MMIO.
 * Each device registers the range it decodes; an access goes to the one
 * device there, or reads the bus's "unassigned" value and is dropped when
 * nothing is (the ISA port bus floats high; the PC's unassigned memory
 * reads 0).
 */
#ifndef MINIVM_BUS_H
#define MINIVM_BUS_H

#include <stdint.h>

/**
 * struct bus_device - a range a device decodes
 * @name: for messages
 * @base: first port or guest-physical address
 * @len: how many
 * @read: a read of @size bytes at @base + @off
 * @write: a write; returns 0, or a status that ends the run (isa-debug-exit),
 *	%BUS_POWER_OFF for status 0
 * @ctx: the device's state, passed to both
 */
struct bus_device {
	const char *name;
	uint64_t base, len;
	uint64_t (*read)(void *ctx, uint64_t off, unsigned int size);
	int (*write)(void *ctx, uint64_t off, unsigned int size, uint64_t value);
	void *ctx;
};

#define BUS_MAX_DEVICES	16
#define BUS_POWER_OFF	0x100	/* a write that ends the run with status 0 */

/**
 * struct bus - the devices of one address space
 * @dev: the devices
 * @n: how many
 * @size: addresses run from 0 to @size - 1 (0x10000 for ports)
 * @unassigned: what a read where no device is returns
 */
struct bus {
	struct bus_device dev[BUS_MAX_DEVICES];
	unsigned int n;
	uint64_t size, unassigned;
};

#define BUS_PORTS	0x10000ULL
#define BUS_MEMORY	(1ULL << 52)	/* the architectural physical-address limit */

void bus_init(struct bus *b, uint64_t size, uint64_t unassigned);
int bus_add(struct bus *b, const struct bus_device *d);
int bus_access(const struct bus *b, uint64_t addr, unsigned int size, int read, uint64_t *data);
void bus_unclaimed(const struct bus *b, uint8_t *bitmap);
uint64_t bus_read_bytes(uint8_t (*read_byte)(void *ctx, unsigned int off), void *ctx,
			uint64_t off, unsigned int size, unsigned int len);
void bus_write_bytes(void (*write_byte)(void *ctx, unsigned int off, uint8_t v), void *ctx,
		     uint64_t off, unsigned int size, unsigned int len, uint64_t value);

#endif /* MINIVM_BUS_H */
