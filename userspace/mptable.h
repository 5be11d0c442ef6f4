/* SPDX-License-Identifier: GPL-2.0 */
/* minivm launcher: the MultiProcessor Specification 1.4 tables (mptable.c). */
#ifndef MINIVM_MPTABLE_H
#define MINIVM_MPTABLE_H

#include <stdint.h>

struct pc_memory;

#define MPTABLE_ADDR	0xf0000ULL	/* in the BIOS area, where kernels scan for it */
#define MPTABLE_MAX_CPUS 64

int mptable_write(const struct pc_memory *m, unsigned int cpus, uint32_t cpu_signature,
		  uint32_t cpu_features);

#endif /* MINIVM_MPTABLE_H */
