/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The maps' keys and values, shared by the BPF programs and the tools that
 * read them (built into both, so they cannot disagree).
 */
#ifndef MINIVM_TOOLS_H
#define MINIVM_TOOLS_H

#include <linux/types.h>

/* log2 latency buckets in ns: slot i counts [2^i, 2^(i+1)); the last is open. */
#define MINIVM_HIST_SLOTS	32

struct minivm_hist {
	__u64 sum_ns;
	__u64 slots[MINIVM_HIST_SLOTS];
};

/* minivm-exits: per exit reason. */
struct minivm_exit_key {
	__u32 vendor;
	__u32 pad;
	__u64 reason;
};

struct minivm_exit_stats {
	__u64 count;			/* exits seen (minivm_exit) */
	struct minivm_hist latency;	/* their handling latency (minivm_entry) */
};

/* minivm-top: per VM, vCPU and reason. */
struct minivm_top_key {
	__u64 vm;
	__u64 reason;
	__u32 tgid;
	__u32 vcpu;
	__u32 vendor;
	__u32 pad;
};

#endif /* MINIVM_TOOLS_H */
