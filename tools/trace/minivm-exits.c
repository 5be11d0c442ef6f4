// SPDX-License-Identifier: GPL-2.0
/*
 * minivm-exits: VM exits by reason, with a log2 histogram of how long each
 * took to handle (from the exit to the vCPU's next entry, including any
 * trip to userspace). Reads minivm_exit and minivm_entry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "libminivm.h"
#include "tool_common.h"
#include "minivm-exits.skel.h"

static const char doc[] =
"Count minivm's VM exits by reason, with a log2 histogram of their handling\n"
"latency: the time from each exit to the vCPU's next entry, including any trip\n"
"to userspace. Without INTERVAL, one summary when Ctrl-C ends it; with it, one\n"
"every INTERVAL seconds (COUNT times).\n"
"\v"
"EXAMPLES:\n"
"    minivm-exits             # summary at Ctrl-C\n"
"    minivm-exits -p 1234 1   # one VMM process, every second\n"
"    minivm-exits -m 3 -c 0   # VM 3, vCPU 0 only\n"
"    minivm-exits -j 5 2      # two 5-second intervals as JSON lines\n";

static const struct argp_child children[] = {
	{ &tool_common_argp, 0, NULL, 0 },
	{ 0 },
};

static const struct argp argp = {
	.doc = doc,
	.children = children,
};

struct row {
	struct minivm_exit_key key;
	struct minivm_exit_stats stats;
};

static int by_count(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->stats.count != y->stats.count)
		return x->stats.count < y->stats.count ? 1 : -1;
	return x->key.reason < y->key.reason ? -1 : x->key.reason > y->key.reason;
}

/* Read (and with an interval, clear) the map; print it. @seconds: unused. */
static void report(int fd, double seconds)
{
	struct minivm_exit_key key, next, *prev = NULL;
	static struct row rows[1024];
	char ts[16];
	size_t n = 0, i;

	(void)seconds;
	while (n < 1024 && !bpf_map_get_next_key(fd, prev, &next)) {
		rows[n].key = next;
		if (!bpf_map_lookup_elem(fd, &next, &rows[n].stats))
			n++;
		key = next;
		prev = &key;
	}
	if (env.interval)
		for (i = 0; i < n; i++)
			bpf_map_delete_elem(fd, &rows[i].key);
	qsort(rows, n, sizeof(rows[0]), by_count);
	tool_timestamp(ts, sizeof(ts));

	for (i = 0; env.json && i < n; i++) {
		const struct row *r = &rows[i];

		printf("{\"time\":\"%s\",\"vendor\":\"%s\",\"reason\":\"%s\",\"code\":%llu,"
		       "\"count\":%llu,\"latency\":", ts, tool_vendor_name(r->key.vendor),
		       minivm_hw_exit_name(r->key.vendor, r->key.reason),
		       (unsigned long long)r->key.reason, (unsigned long long)r->stats.count);
		hist_json(stdout, &r->stats.latency);
		printf("}\n");
	}
	if (!env.json) {
		if (env.interval)
			printf("%s\n", ts);
		printf("%-6s %-24s %-8s %10s %12s\n", "VENDOR", "REASON", "CODE", "COUNT",
		       "AVG_NS");
		for (i = 0; i < n; i++) {
			const struct row *r = &rows[i];
			uint64_t handled = hist_total(&r->stats.latency);

			printf("%-6s %-24s %#-8llx %10llu %12llu\n", tool_vendor_name(r->key.vendor),
			       minivm_hw_exit_name(r->key.vendor, r->key.reason),
			       (unsigned long long)r->key.reason, (unsigned long long)r->stats.count,
			       handled ? (unsigned long long)(r->stats.latency.sum_ns / handled) : 0ULL);
		}
		for (i = 0; i < n; i++) {
			const struct row *r = &rows[i];

			if (!hist_total(&r->stats.latency))
				continue;
			printf("\nreason = %s (%s %#llx)\n",
			       minivm_hw_exit_name(r->key.vendor, r->key.reason),
			       tool_vendor_name(r->key.vendor), (unsigned long long)r->key.reason);
			hist_print(stdout, &r->stats.latency);
		}
		printf("\n");
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct minivm_exits *skel;
	int err;

	env.name = "minivm-exits";
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 2;
	tool_setup();
	if (!tool_preflight())
		return 1;
	skel = minivm_exits__open();
	if (!skel) {
		tool_explain("open", errno);
		return 1;
	}
	TOOL_SET_FILTERS(skel->rodata);
	err = tool_start(skel->skeleton);
	if (!err)
		tool_loop("exits", report, bpf_map__fd(skel->maps.exits));
	minivm_exits__destroy(skel);
	return err ? 1 : 0;
}
