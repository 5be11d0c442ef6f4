/* SPDX-License-Identifier: GPL-2.0 */
/* minivm: the paravirtual clock guests know as kvm-clock (pvclock.c). */
#ifndef MINIVM_PVCLOCK_H
#define MINIVM_PVCLOCK_H

#include <linux/types.h>

struct minivm_vcpu;

/* &minivm_vcpu.pvclock_pending: what the run loop still has to publish. */
#define MINIVM_PVCLOCK_SYSTEM	BIT(0)
#define MINIVM_PVCLOCK_WALL	BIT(1)

u32 minivm_pvclock_features_for(u32 tsc_khz, bool invariant);
void minivm_pvclock_init(void);
u32 minivm_pvclock_features(void);
void minivm_pvclock_scale(u64 tsc_hz, u32 *mul, s8 *shift);
bool minivm_pvclock_msr(struct minivm_vcpu *vcpu, bool write, u32 index, u64 *value,
			int *ret);
void minivm_pvclock_publish(struct minivm_vcpu *vcpu);

#endif /* MINIVM_PVCLOCK_H */
