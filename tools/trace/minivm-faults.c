// SPDX-License-Identifier: GPL-2.0
/*
 * minivm-faults: EPT/NPT faults the module resolved, per result (mapped
 * 4 KiB, mapped 2 MiB, MMIO, error, raced), with their rate and a log2
 * histogram of the time each took. Reads minivm_fault.
 */
#include <errno.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/minivm_trace.h>
#include "tool_common.h"
#include "minivm-faults.skel.h"

static const char doc[] =
"Count the EPT/NPT faults minivm resolves, by result, with their rate and a\n"
"log2 histogram of how long each took. Without INTERVAL, one summary when\n"
"Ctrl-C ends it; with it, one every INTERVAL seconds (COUNT times).\n"
"\n"
"Results: mapped_4k and mapped_2m (a host page was mapped), mmio (no region:\n"
"an MMIO exit), error (the backing could not be had), raced (another vCPU\n"
"mapped it first).\n"
"\v"
"EXAMPLES:\n"
"    minivm-faults            # summary at Ctrl-C\n"
"    minivm-faults -p 1234 1  # one VMM process, every second\n"
"    minivm-faults -j 1 10    # ten 1-second intervals as JSON lines\n";

static const struct argp_child children[] = {
	{ &tool_common_argp, 0, NULL, 0 },
	{ 0 },
};

static const struct argp argp = {
	.doc = doc,
	.children = children,
};

static const char *const result_names[MINIVM_FAULT_NR_RESULTS] = {
	[MINIVM_FAULT_MAPPED_4K] = "mapped_4k",
	[MINIVM_FAULT_MAPPED_2M] = "mapped_2m",
	[MINIVM_FAULT_MMIO] = "mmio",
	[MINIVM_FAULT_ERROR] = "error",
	[MINIVM_FAULT_RACED] = "raced",
};

static void report(int fd, double seconds)
{
	static const struct minivm_hist zero;
	struct minivm_hist h[MINIVM_FAULT_NR_RESULTS];
	char ts[16];
	uint32_t i;

	for (i = 0; i < MINIVM_FAULT_NR_RESULTS; i++) {
		if (bpf_map_lookup_elem(fd, &i, &h[i]))
			h[i] = zero;
		if (env.interval)
			bpf_map_update_elem(fd, &i, &zero, BPF_ANY);
	}
	tool_timestamp(ts, sizeof(ts));
	if (env.json) {
		printf("{\"time\":\"%s\",\"seconds\":%.3f,\"results\":{", ts, seconds);
		for (i = 0; i < MINIVM_FAULT_NR_RESULTS; i++) {
			printf("%s\"%s\":", i ? "," : "", result_names[i]);
			hist_json(stdout, &h[i]);
		}
		printf("}}\n");
		fflush(stdout);
		return;
	}
	if (env.interval)
		printf("%s\n", ts);
	printf("%-10s %10s %12s %12s\n", "RESULT", "COUNT", "PER_SEC", "AVG_NS");
	for (i = 0; i < MINIVM_FAULT_NR_RESULTS; i++) {
		uint64_t n = hist_total(&h[i]);

		printf("%-10s %10llu %12.1f %12llu\n", result_names[i], (unsigned long long)n,
		       seconds > 0 ? n / seconds : 0.0,
		       n ? (unsigned long long)(h[i].sum_ns / n) : 0ULL);
	}
	for (i = 0; i < MINIVM_FAULT_NR_RESULTS; i++) {
		if (!hist_total(&h[i]))
			continue;
		printf("\nresult = %s\n", result_names[i]);
		hist_print(stdout, &h[i]);
	}
	printf("\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct minivm_faults *skel;
	int err;

	env.name = "minivm-faults";
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 2;
	tool_setup();
	if (!tool_preflight())
		return 1;
	skel = minivm_faults__open();
	if (!skel) {
		tool_explain("open", errno);
		return 1;
	}
	TOOL_SET_FILTERS(skel->rodata);
	err = tool_start(skel->skeleton);
	if (!err)
		tool_loop("faults", report, bpf_map__fd(skel->maps.faults));
	minivm_faults__destroy(skel);
	return err ? 1 : 0;
}
