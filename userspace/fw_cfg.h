/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm launcher: QEMU's firmware configuration device (fw_cfg), its port
 * interface: a 16-bit selector at 0x510, the selected item's bytes read one
 * at a time from 0x511. Test kernels written for QEMU learn the RAM size and
 * the CPU count there.
 */
#ifndef MINIVM_FW_CFG_H
#define MINIVM_FW_CFG_H

#include <stdint.h>
#include "bus.h"

#define FW_CFG_PORT	0x510

/**
 * struct fw_cfg - the device's state
 * @ram_size: FW_CFG_RAM_SIZE
 * @nb_cpus: FW_CFG_NB_CPUS and FW_CFG_MAX_CPUS
 * @key: the selected item
 * @off: the next byte of it to read
 */
struct fw_cfg {
	uint64_t ram_size;
	uint16_t nb_cpus;
	uint16_t key;
	uint32_t off;
};

int fw_cfg_init(struct fw_cfg *f, struct bus *b, uint64_t ram_size, uint16_t nb_cpus);

#endif /* MINIVM_FW_CFG_H */
