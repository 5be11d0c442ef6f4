// SPDX-License-Identifier: GPL-2.0
/*
 * minivm-top: a live view of exit rates per process, VM, vCPU and reason,
 * busiest first, in the spirit of kvm_stat. Reads minivm_exit.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "libminivm.h"
#include "tool_common.h"
#include "minivm-top.skel.h"

#define MAX_ROWS	16384

static const char doc[] =
"Show minivm's exit rates per VMM process, VM, vCPU and exit reason, busiest\n"
"first, refreshed every INTERVAL seconds (default 1), COUNT times or until\n"
"Ctrl-C.\n"
"\v"
"EXAMPLES:\n"
"    minivm-top               # refresh every second\n"
"    minivm-top -C -n 5 2 10  # top 5 rows every 2 s, 10 times, no clearing\n"
"    minivm-top -j 1 3        # three 1-second intervals as JSON lines\n";

static struct {
	int rows;
	bool noclear;
} opt = { .rows = 20 };

static const struct argp_option options[] = {
	{ "rows", 'n', "N", 0, "Show at most N rows (default 20)", 0 },
	{ "noclear", 'C', NULL, 0, "Do not clear the screen between intervals", 0 },
	{ 0 },
};

static error_t parse(int key, char *arg, struct argp_state *state)
{
	char *end;

	switch (key) {
	case 'n':
		errno = 0;
		opt.rows = (int)strtol(arg, &end, 10);
		if (errno || *end || opt.rows < 1 || opt.rows > MAX_ROWS)
			argp_error(state, "invalid number of rows: %s", arg);
		return 0;
	case 'C':
		opt.noclear = true;
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

static const struct argp_child children[] = {
	{ &tool_common_argp, 0, NULL, 0 },
	{ 0 },
};

static const struct argp argp = {
	.options = options,
	.parser = parse,
	.doc = doc,
	.children = children,
};

struct row {
	struct minivm_top_key key;
	uint64_t count;
};

static int by_count(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (x->key.vm != y->key.vm)
		return x->key.vm < y->key.vm ? -1 : 1;
	return x->key.vcpu < y->key.vcpu ? -1 : x->key.vcpu > y->key.vcpu;
}

static void report(int fd, double seconds)
{
	static struct row rows[MAX_ROWS];
	struct minivm_top_key key, next, *prev = NULL;
	uint64_t total = 0;
	char ts[16];
	int n = 0, i;

	while (n < MAX_ROWS && !bpf_map_get_next_key(fd, prev, &next)) {
		rows[n].key = next;
		if (!bpf_map_lookup_elem(fd, &next, &rows[n].count))
			total += rows[n++].count;
		key = next;
		prev = &key;
	}
	for (i = 0; i < n; i++)
		bpf_map_delete_elem(fd, &rows[i].key);
	qsort(rows, (size_t)n, sizeof(rows[0]), by_count);
	if (n > opt.rows)
		n = opt.rows;
	tool_timestamp(ts, sizeof(ts));

	if (env.json) {
		printf("{\"time\":\"%s\",\"seconds\":%.3f,\"total\":%llu,\"rows\":[", ts, seconds,
		       (unsigned long long)total);
		for (i = 0; i < n; i++) {
			const struct row *r = &rows[i];

			printf("%s{\"pid\":%u,\"vm\":%llu,\"vcpu\":%u,\"vendor\":\"%s\","
			       "\"reason\":\"%s\",\"count\":%llu}", i ? "," : "", r->key.tgid,
			       (unsigned long long)r->key.vm, r->key.vcpu,
			       tool_vendor_name(r->key.vendor),
			       minivm_hw_exit_name(r->key.vendor, r->key.reason),
			       (unsigned long long)r->count);
		}
		printf("]}\n");
		fflush(stdout);
		return;
	}
	if (!opt.noclear && isatty(STDOUT_FILENO))
		printf("\033[H\033[2J");
	printf("%s  %llu exits in %.1f s (%.0f/s)\n\n", ts, (unsigned long long)total, seconds,
	       seconds > 0 ? total / seconds : 0.0);
	printf("%7s %6s %5s %-6s %-24s %10s %10s\n", "PID", "VM", "VCPU", "VENDOR", "REASON",
	       "COUNT", "PER_SEC");
	for (i = 0; i < n; i++) {
		const struct row *r = &rows[i];

		printf("%7u %6llu %5u %-6s %-24s %10llu %10.0f\n", r->key.tgid,
		       (unsigned long long)r->key.vm, r->key.vcpu, tool_vendor_name(r->key.vendor),
		       minivm_hw_exit_name(r->key.vendor, r->key.reason),
		       (unsigned long long)r->count, seconds > 0 ? r->count / seconds : 0.0);
	}
	printf("\n");
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct minivm_top *skel;
	int err;

	env.name = "minivm-top";
	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 2;
	if (!env.interval)
		env.interval = 1;
	tool_setup();
	if (!tool_preflight())
		return 1;
	skel = minivm_top__open();
	if (!skel) {
		tool_explain("open", errno);
		return 1;
	}
	TOOL_SET_FILTERS(skel->rodata);
	err = tool_start(skel->skeleton);
	if (!err)
		tool_loop("exits", report, bpf_map__fd(skel->maps.counts));
	minivm_top__destroy(skel);
	return err ? 1 : 0;
}
