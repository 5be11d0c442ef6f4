// SPDX-License-Identifier: GPL-2.0
/*
 * minivm-exits, kernel half: count exits by reason at minivm_exit and
 * histogram their handling latency at minivm_entry.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "minivm_tools.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct minivm_exit_key);
	__type(value, struct minivm_exit_stats);
} exits SEC(".maps");

static struct minivm_exit_stats *stats_of(__u32 vendor, __u64 reason)
{
	struct minivm_exit_key key = { .vendor = vendor, .reason = reason };
	static const struct minivm_exit_stats zero;
	struct minivm_exit_stats *s;

	s = bpf_map_lookup_elem(&exits, &key);
	if (s)
		return s;
	bpf_map_update_elem(&exits, &key, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&exits, &key);
}

SEC("raw_tp/minivm_exit")
int BPF_PROG(on_exit, __u64 vm, __u32 vcpu, __u32 vendor, __u64 reason)
{
	struct minivm_exit_stats *s;

	if (!wanted(vm, vcpu))
		return 0;
	s = stats_of(vendor, reason);
	if (s)
		__sync_fetch_and_add(&s->count, 1);
	return 0;
}

SEC("raw_tp/minivm_entry")
int BPF_PROG(on_entry, __u64 vm, __u32 vcpu, __u32 vendor, __u64 reason, __u64 latency_ns)
{
	struct minivm_exit_stats *s;

	if (!wanted(vm, vcpu))
		return 0;
	s = stats_of(vendor, reason);
	if (s)
		hist_add(&s->latency, latency_ns);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
