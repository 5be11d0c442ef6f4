/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the BPF halves of minivm's tools share: the filters userspace sets
 * before loading, and the log2 histogram slot of a latency.
 */
#ifndef MINIVM_TOOLS_BPF_H
#define MINIVM_TOOLS_BPF_H

#include "minivm_tools.h"

/* Set by userspace before load; 0 / ~0 mean "any". */
const volatile __u32 filter_tgid;
const volatile __u64 filter_vm = ~0ULL;
const volatile __u32 filter_vcpu = ~0U;

static __always_inline bool wanted(__u64 vm, __u32 vcpu)
{
	if (filter_tgid && (bpf_get_current_pid_tgid() >> 32) != filter_tgid)
		return false;
	if (filter_vm != ~0ULL && vm != filter_vm)
		return false;
	return filter_vcpu == ~0U || vcpu == filter_vcpu;
}

/* floor(log2(v)), 0 for 0 and 1, capped to the last slot. */
static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xffffffffULL) << 5; v >>= shift; r |= shift;
	shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r < MINIVM_HIST_SLOTS ? r : MINIVM_HIST_SLOTS - 1;
}

static __always_inline void hist_add(struct minivm_hist *h, __u64 ns)
{
	__sync_fetch_and_add(&h->slots[log2_slot(ns)], 1);
	__sync_fetch_and_add(&h->sum_ns, ns);
}

#endif /* MINIVM_TOOLS_BPF_H */
