/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm launcher: QEMU's pc-testdev (-device pc-testdev), which test
 * kernels written for QEMU and KVM (kvm-unit-tests) use: a 32-bit latch at
 * ports 0xe0-0xe3 (and byte-wide at 0xe8-0xeb), a page flush at 0xe4, the
 * ISA interrupt lines at 0x2000-0x2017 (a byte written sets line N), and
 * 64 KiB of I/O memory at 0xff000000.
 */
#ifndef MINIVM_PC_TESTDEV_H
#define MINIVM_PC_TESTDEV_H

#include <stdint.h>
#include "bus.h"

#define PC_TESTDEV_IOMEM	0xff000000ULL
#define PC_TESTDEV_IOMEM_LEN	0x10000

/**
 * struct pc_testdev - the device's state and what it reaches
 * @latch: the value behind ports 0xe0 and 0xe8
 * @iomem: the I/O memory
 * @set_irq: drives ISA interrupt line @irq (0-15) to @level
 * @page: the host address of guest page @gpa (4 KiB aligned), or NULL
 * @ctx: passed to both
 */
struct pc_testdev {
	uint32_t latch;
	uint8_t iomem[PC_TESTDEV_IOMEM_LEN];
	void (*set_irq)(void *ctx, unsigned int irq, int level);
	void *(*page)(void *ctx, uint64_t gpa);
	void *ctx;
};

int pc_testdev_init(struct pc_testdev *t, struct bus *ports, struct bus *mmio);

#endif /* MINIVM_PC_TESTDEV_H */
