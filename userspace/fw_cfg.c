// SPDX-License-Identifier: GPL-2.0
/*
 * minivm launcher: fw_cfg (fw_cfg.h), the items QEMU's x86 PC gives a
 * kernel that boots without firmware tables: the signature, the interface
 * version (1: the port interface only, no DMA), the RAM size and the CPU
 * count. Any other item reads as zeroes, as does reading past an item's
 * end, as in QEMU.
 */
#include <string.h>
#include "fw_cfg.h"

/* Item keys (QEMU's docs/specs/fw_cfg.txt). */
#define FW_CFG_SIGNATURE	0x00
#define FW_CFG_ID		0x01
#define FW_CFG_RAM_SIZE		0x03
#define FW_CFG_NB_CPUS		0x05
#define FW_CFG_MAX_CPUS		0x0f

/* The item's bytes (little-endian numbers, as QEMU stores them): its length. */
static unsigned int fw_cfg_item(const struct fw_cfg *f, uint8_t *buf)
{
	uint64_t v;

	switch (f->key) {
	case FW_CFG_SIGNATURE:
		memcpy(buf, "QEMU", 4);
		return 4;
	case FW_CFG_ID:
		v = 1;
		memcpy(buf, &v, 4);
		return 4;
	case FW_CFG_RAM_SIZE:
		memcpy(buf, &f->ram_size, 8);
		return 8;
	case FW_CFG_NB_CPUS:
	case FW_CFG_MAX_CPUS:
		memcpy(buf, &f->nb_cpus, 2);
		return 2;
	}
	return 0;
}

static uint64_t fw_cfg_read(void *ctx, uint64_t off, unsigned int size)
{
	struct fw_cfg *f = ctx;
	uint8_t buf[8];
	unsigned int len;

	(void)size;	/* the data port is 8 bits wide: each access reads one byte */
	if (off != 1)
		return ~0ULL;	/* the selector is write-only */
	len = fw_cfg_item(f, buf);
	return f->off < len ? buf[f->off++] : 0;
}

static int fw_cfg_write(void *ctx, uint64_t off, unsigned int size, uint64_t value)
{
	struct fw_cfg *f = ctx;

	if (off == 0 && size == 2) {
		f->key = (uint16_t)value;
		f->off = 0;
	}
	return 0;
}

/**
 * fw_cfg_init() - the device, on @b at ports 0x510-0x511
 * @f: its state
 * @b: the bus
 * @ram_size: the guest's RAM, as QEMU's -m gives it
 * @nb_cpus: its vCPUs
 *
 * Return: 0, or -1 when the ports are taken.
 */
int fw_cfg_init(struct fw_cfg *f, struct bus *b, uint64_t ram_size, uint16_t nb_cpus)
{
	struct bus_device d = {
		.name = "fw_cfg", .base = FW_CFG_PORT, .len = 2,
		.read = fw_cfg_read, .write = fw_cfg_write, .ctx = f,
	};

	*f = (struct fw_cfg){ .ram_size = ram_size, .nb_cpus = nb_cpus };
	return bus_add(b, &d);
}
