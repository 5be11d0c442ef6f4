/* SPDX-License-Identifier: GPL-2.0 */
/* minivm: the CPUID policy (cpuid.c), a pure function a KUnit suite can hold. */
#ifndef MINIVM_CPUID_H
#define MINIVM_CPUID_H

#include <linux/types.h>

/* The highest leaves a guest is told of. */
#define MINIVM_CPUID_MAX_BASIC	0x16
#define MINIVM_CPUID_MAX_EXT	0x80000008

/**
 * struct minivm_cpuid_regs - one CPUID answer
 * @a: EAX
 * @b: EBX
 * @c: ECX
 * @d: EDX
 */
struct minivm_cpuid_regs {
	u32 a, b, c, d;
};

void minivm_cpuid_allow(u32 leaf, u32 sub, struct minivm_cpuid_regs *r);

#endif /* MINIVM_CPUID_H */
