/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the userspace halves of minivm's tools share: the common options,
 * the checks that turn a failure into one clear line, and the printing of
 * latency histograms as text and as JSON.
 */
#ifndef MINIVM_TOOL_COMMON_H
#define MINIVM_TOOL_COMMON_H

#include <argp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "minivm_tools.h"

struct tool_env {
	const char *name;	/* the tool's name, for messages */
	pid_t pid;		/* 0: any process */
	uint64_t vm;		/* ~0: any VM */
	uint32_t vcpu;		/* ~0: any vCPU */
	bool json;
	bool verbose;
	int interval;		/* seconds; 0: one summary at Ctrl-C */
	int count;		/* intervals to print; 0: until Ctrl-C */
};

extern struct tool_env env;
extern volatile sig_atomic_t tool_exiting;

/* -p, -m, -c, -j, -v and [INTERVAL [COUNT]]: an argp child every tool includes. */
extern const struct argp tool_common_argp;

/*
 * Before loading: the module must be there and the filtered process must
 * exist. Prints one line and returns false when not.
 */
bool tool_preflight(void);
/* After a failed open, load or attach: one line that says why, from @err. */
void tool_explain(const char *step, int err);
/* SIGINT/SIGTERM end the wait; libbpf's own messages only with -v. */
void tool_setup(void);

/* Seconds on the monotonic clock, for rates. */
double tool_now(void);
/* HH:MM:SS of the wall clock, for interval headers. */
void tool_timestamp(char *buf, size_t len);

struct bpf_object_skeleton;

/* Every skeleton's read-only globals carry the same filters (minivm_tools.bpf.h). */
#define TOOL_SET_FILTERS(rodata) do {			\
	(rodata)->filter_tgid = (uint32_t)env.pid;	\
	(rodata)->filter_vm = env.vm;			\
	(rodata)->filter_vcpu = env.vcpu;		\
} while (0)

/* Load and attach an opened skeleton; on failure, say why in one line. */
int tool_start(struct bpf_object_skeleton *s);
/*
 * Say "Tracing minivm WHAT..." and call @report(map_fd, seconds) after every
 * interval (or once, at Ctrl-C, without one) until the tool is done.
 */
void tool_loop(const char *what, void (*report)(int fd, double seconds), int fd);
void hist_print(FILE *f, const struct minivm_hist *h);
void hist_json(FILE *f, const struct minivm_hist *h);
uint64_t hist_total(const struct minivm_hist *h);
const char *tool_vendor_name(uint32_t vendor);

#endif /* MINIVM_TOOL_COMMON_H */
