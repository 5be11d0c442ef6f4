// SPDX-License-Identifier: GPL-2.0
/*
 * minivm-faults, kernel half: EPT/NPT faults by result, with their
 * latency histogram, from minivm_fault.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <linux/minivm_trace.h>
#include "minivm_tools.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MINIVM_FAULT_NR_RESULTS);
	__type(key, __u32);
	__type(value, struct minivm_hist);
} faults SEC(".maps");

SEC("raw_tp/minivm_fault")
int BPF_PROG(on_fault, __u64 vm, __u32 vcpu, __u64 gpa, __u32 access, __u32 result,
	     __u64 latency_ns)
{
	struct minivm_hist *h;

	if (!wanted(vm, vcpu))
		return 0;
	h = bpf_map_lookup_elem(&faults, &result);
	if (h)
		hist_add(h, latency_ns);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
