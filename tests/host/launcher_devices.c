// SPDX-License-Identifier: GPL-2.0
/*
 * The launcher's port bus and fw_cfg, without a guest: a device's ports
 * may not overlap another's, an unassigned port reads all ones, writes
 * reach only their device, and fw_cfg gives QEMU's items byte by byte.
 * Prints one line per failed check; exits 1 if any failed.
 */
#include <stdio.h>
#include "bus.h"
#include "fw_cfg.h"

static int failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		printf("%s:%d: %s\n", __FILE__, __LINE__, #cond);	\
		failures++;						\
	}								\
} while (0)

static uint64_t last;

static int exit_write(void *ctx, uint16_t off, unsigned int size, uint64_t value)
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

	CHECK(bus_io(b, port, size, 1, &v) == 0);
	return v;
}

int main(void)
{
	struct bus_device d = { .name = "exit", .base = 0xf4, .len = 4, .write = exit_write };
	struct bus b = { 0 };
	struct fw_cfg f;
	uint64_t v;
	int i;

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
	CHECK(bus_io(&b, 0xf4, 1, 0, &v) == 7 && last == 0x21);
	v = 0x22;
	CHECK(bus_io(&b, 0xf8, 1, 0, &v) == 0 && last == 0x21);

	v = 0;					/* signature */
	CHECK(bus_io(&b, 0x510, 2, 0, &v) == 0);
	CHECK(rd(&b, 0x511, 1) == 'Q' && rd(&b, 0x511, 1) == 'E' && rd(&b, 0x511, 1) == 'M' &&
	      rd(&b, 0x511, 1) == 'U' && rd(&b, 0x511, 1) == 0);
	v = 3;					/* RAM size, little-endian */
	bus_io(&b, 0x510, 2, 0, &v);
	for (v = 0, i = 0; i < 8; i++)
		v |= rd(&b, 0x511, 1) << (8 * i);
	CHECK(v == 128ULL << 20);
	v = 5;					/* CPUs */
	bus_io(&b, 0x510, 2, 0, &v);
	CHECK(rd(&b, 0x511, 1) == 2 && rd(&b, 0x511, 1) == 0 && rd(&b, 0x511, 1) == 0);
	v = 0x4242;				/* an item QEMU's PC does not have */
	bus_io(&b, 0x510, 2, 0, &v);
	CHECK(rd(&b, 0x511, 1) == 0);
	CHECK(rd(&b, 0x510, 2) == ~0ULL);	/* the selector is write-only */
	return failures != 0;
}
