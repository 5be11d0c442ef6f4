// SPDX-License-Identifier: GPL-2.0
/*
 * minivm-top, kernel half: exits per process, VM, vCPU and reason, from
 * minivm_exit.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <stdbool.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "minivm_tools.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, struct minivm_top_key);
	__type(value, __u64);
} counts SEC(".maps");

SEC("raw_tp/minivm_exit")
int BPF_PROG(on_exit, __u64 vm, __u32 vcpu, __u32 vendor, __u64 reason)
{
	struct minivm_top_key key = {
		.vm = vm, .reason = reason, .vcpu = vcpu, .vendor = vendor,
		.tgid = bpf_get_current_pid_tgid() >> 32,
	};
	static const __u64 zero;
	__u64 *n;

	if (!wanted(vm, vcpu))
		return 0;
	n = bpf_map_lookup_elem(&counts, &key);
	if (!n) {
		/* Two CPUs may both get here: only one insert wins, no add is lost. */
		bpf_map_update_elem(&counts, &key, &zero, BPF_NOEXIST);
		n = bpf_map_lookup_elem(&counts, &key);
	}
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
