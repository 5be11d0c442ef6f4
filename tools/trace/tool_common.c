// SPDX-License-Identifier: GPL-2.0
/* Shared by minivm-exits, minivm-faults and minivm-top: see tool_common.h. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <linux/minivm.h>
#include "tool_common.h"

struct tool_env env = { .vm = ~0ULL, .vcpu = ~0U };
volatile sig_atomic_t tool_exiting;

static const struct argp_option common_options[] = {
	{ "pid", 'p', "PID", 0, "Only the VMM process PID", 0 },
	{ "vm", 'm', "ID", 0, "Only the VM with this id (as /sys/kernel/debug/minivm shows it)", 0 },
	{ "vcpu", 'c', "ID", 0, "Only vCPUs with this id", 0 },
	{ "json", 'j', NULL, 0, "One JSON object per line instead of tables", 0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's own messages", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show this help", 0 },
	{ 0 },
};

static int parse_number(struct argp_state *state, const char *what, const char *arg,
			unsigned long long max, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(arg, &end, 0);
	if (errno || end == arg || *end || arg[0] == '-' || *out > max)
		argp_error(state, "invalid %s: %s", what, arg);
	return 0;
}

static error_t common_parse(int key, char *arg, struct argp_state *state)
{
	unsigned long long v;

	switch (key) {
	case 'p':
		parse_number(state, "pid", arg, INT_MAX, &v);
		if (!v)
			argp_error(state, "invalid pid: 0");
		env.pid = (pid_t)v;
		return 0;
	case 'm':
		parse_number(state, "VM id", arg, ~0ULL - 1, &v);
		env.vm = v;
		return 0;
	case 'c':
		parse_number(state, "vCPU id", arg, 0xfffffffe, &v);
		env.vcpu = (uint32_t)v;
		return 0;
	case 'j':
		env.json = true;
		return 0;
	case 'v':
		env.verbose = true;
		return 0;
	case 'h':
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
		return 0;
	case ARGP_KEY_ARG:
		if (state->arg_num == 0) {
			parse_number(state, "interval", arg, 86400, &v);
			if (!v)
				argp_error(state, "invalid interval: 0");
			env.interval = (int)v;
		} else if (state->arg_num == 1) {
			parse_number(state, "count", arg, INT_MAX, &v);
			if (!v)
				argp_error(state, "invalid count: 0");
			env.count = (int)v;
		} else {
			argp_error(state, "unexpected argument: %s", arg);
		}
		return 0;
	}
	return ARGP_ERR_UNKNOWN;
}

const struct argp tool_common_argp = {
	.options = common_options,
	.parser = common_parse,
	.args_doc = "[INTERVAL [COUNT]]",
};

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG || !env.verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static void on_signal(int sig)
{
	(void)sig;
	tool_exiting = 1;
}

void tool_setup(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	libbpf_set_print(print_libbpf);
}

bool tool_preflight(void)
{
	if (access("/sys/module/minivm", F_OK)) {
		fprintf(stderr, "%s: minivm.ko is not loaded (no /sys/module/minivm)\n", env.name);
		return false;
	}
	if (env.pid && kill(env.pid, 0) && errno == ESRCH) {
		fprintf(stderr, "%s: no process with pid %d\n", env.name, (int)env.pid);
		return false;
	}
	return true;
}

void tool_explain(const char *step, int err)
{
	err = err < 0 ? -err : err;
	if (err == EPERM || err == EACCES)
		fprintf(stderr, "%s: not allowed to %s BPF programs: run as root "
			"(CAP_BPF and CAP_PERFMON)\n", env.name, step);
	else if (err == ENOENT && !access("/sys/module/minivm", F_OK))
		fprintf(stderr, "%s: cannot %s: this minivm.ko has no such tracepoint "
			"(older than the tool?)\n", env.name, step);
	else if (err == ENOENT)
		fprintf(stderr, "%s: cannot %s: minivm.ko is not loaded\n", env.name, step);
	else
		fprintf(stderr, "%s: cannot %s BPF programs: %s (this kernel needs BPF raw "
			"tracepoints in modules: Linux 5.10 or later with CONFIG_BPF_EVENTS)\n",
			env.name, step, strerror(err));
}

int tool_start(struct bpf_object_skeleton *s)
{
	int err = bpf_object__load_skeleton(s);

	if (err) {
		tool_explain("load", err);
		return err;
	}
	err = bpf_object__attach_skeleton(s);
	if (err)
		tool_explain("attach", err);
	return err;
}

/* Wait one interval (or until Ctrl-C when there is none). */
static void tool_wait(void)
{
	struct timespec ts = { .tv_sec = env.interval ? env.interval : 3600 };

	while (!tool_exiting && nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Whether to stop after the output just printed (@printed intervals so far). */
static bool tool_done(int printed)
{
	return tool_exiting || !env.interval || (env.count && printed >= env.count);
}

void tool_loop(const char *what, void (*report)(int fd, double seconds), int fd)
{
	double start = tool_now(), t;
	int printed = 0;

	fprintf(stderr, "Tracing minivm %s... Hit Ctrl-C to end.\n", what);
	do {
		tool_wait();
		t = tool_now();
		report(fd, t - start);
		start = t;
	} while (!tool_done(++printed));
}

double tool_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void tool_timestamp(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	strftime(buf, len, "%H:%M:%S", localtime_r(&t, &tm));
}

uint64_t hist_total(const struct minivm_hist *h)
{
	uint64_t n = 0;
	int i;

	for (i = 0; i < MINIVM_HIST_SLOTS; i++)
		n += h->slots[i];
	return n;
}

/* Like libbpf-tools' print_log2_hist: the filled range of slots, with stars. */
void hist_print(FILE *f, const struct minivm_hist *h)
{
	uint64_t max = 0;
	int i, first = -1, last = -1;

	for (i = 0; i < MINIVM_HIST_SLOTS; i++) {
		if (!h->slots[i])
			continue;
		if (first < 0)
			first = i;
		last = i;
		if (h->slots[i] > max)
			max = h->slots[i];
	}
	if (first < 0)
		return;
	fprintf(f, "%24s : %-10s %s\n", "nsecs", "count", "distribution");
	for (i = first; i <= last; i++) {
		unsigned long long lo = i ? 1ULL << i : 0, hi = (1ULL << (i + 1)) - 1;
		int stars = (int)(h->slots[i] * 40 / max);
		char range[48];

		if (i == MINIVM_HIST_SLOTS - 1)
			snprintf(range, sizeof(range), "%llu -> ...", lo);
		else
			snprintf(range, sizeof(range), "%llu -> %llu", lo, hi);
		fprintf(f, "%24s : %-10llu |%-40.*s|\n", range, (unsigned long long)h->slots[i],
			stars, "****************************************");
	}
}

/* {"samples": N, "sum_ns": N, "log2_ns": [slot 0, slot 1, ...]} (the last nonzero slot ends it) */
void hist_json(FILE *f, const struct minivm_hist *h)
{
	int i, last = 0;

	for (i = 0; i < MINIVM_HIST_SLOTS; i++)
		if (h->slots[i])
			last = i;
	fprintf(f, "{\"samples\":%llu,\"sum_ns\":%llu,\"log2_ns\":[",
		(unsigned long long)hist_total(h), (unsigned long long)h->sum_ns);
	for (i = 0; i <= last; i++)
		fprintf(f, "%s%llu", i ? "," : "", (unsigned long long)h->slots[i]);
	fprintf(f, "]}");
}

const char *tool_vendor_name(uint32_t vendor)
{
	return vendor == MINIVM_VENDOR_INTEL_VMX ? "vmx" :
	       vendor == MINIVM_VENDOR_AMD_SVM ? "svm" : "?";
}
