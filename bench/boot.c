// SPDX-License-Identifier: GPL-2.0
/*
 * bench-boot GUEST_MIB MARKER -- VMM [ARG]...: how long VMM takes to boot
 * a guest to the first console line holding MARKER, and how much memory
 * the VMM itself holds by then. One line on stdout:
 *
 *   bench boot NS ns vmm_kib=N guest_kib=N rss_kib=N
 *
 * NS runs from the fork to the marker's line on the VMM's stdout (in the
 * icount lab, the guest clock: emulated instructions, plus idle time the
 * clock skips to the next timer). At that moment the VMM's resident memory
 * is read from /proc/PID/smaps: guest_kib is what its guest RAM mappings
 * (those of GUEST_MIB MiB or more) hold, i.e. guest RAM the guest touched,
 * vmm_kib all the rest: the VMM's own code, data, heap, stacks and
 * firmware. Then the VMM is killed. Exits non-zero, with a line on stderr,
 * if the marker never shows up (within 20 minutes of guest time).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

/* Resident KiB of @pid: all of it, and of the mappings of @big_kib or more. */
static int resident(pid_t pid, unsigned long long big_kib, unsigned long long *all,
		    unsigned long long *big)
{
	char path[64], line[512];
	unsigned long long start, end, kib;
	int in_big = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	*all = *big = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx-%llx ", &start, &end) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			in_big = (end - start) / 1024 >= big_kib;
			continue;
		}
		if (sscanf(line, "Rss: %llu kB", &kib) == 1) {
			*all += kib;
			if (in_big)
				*big += kib;
		}
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned long long guest_mib, all = 0, big = 0;
	const char *marker;
	char buf[65536];
	size_t have = 0;
	uint64_t t0, t1 = 0;
	int out[2], found = 0;
	pid_t pid;

	if (argc < 5 || strcmp(argv[3], "--")) {
		fprintf(stderr, "usage: bench-boot GUEST_MIB MARKER -- VMM [ARG]...\n");
		return 2;
	}
	guest_mib = strtoull(argv[1], NULL, 0);
	marker = argv[2];
	if (pipe(out))
		return 1;
	t0 = now_ns();
	pid = fork();
	if (pid < 0)
		return 1;
	if (!pid) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(out[1], 1);
		dup2(null, 2);
		close(out[0]);
		execvp(argv[4], argv + 4);
		_exit(127);
	}
	close(out[1]);
	while (!found && now_ns() - t0 < 1200 * 1000000000ULL) {
		struct pollfd p = { .fd = out[0], .events = POLLIN };
		ssize_t n;
		char *nl;

		if (poll(&p, 1, 1000) <= 0)
			continue;
		n = read(out[0], buf + have, sizeof(buf) - 1 - have);
		if (n <= 0)
			break;
		have += (size_t)n;
		buf[have] = 0;
		/* Whole lines only: the marker's line is complete when its newline is in. */
		while ((nl = strchr(buf, '\n'))) {
			*nl = 0;
			if (strstr(buf, marker)) {
				t1 = now_ns();
				found = 1;
				break;
			}
			have -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, have + 1);
		}
		if (have == sizeof(buf) - 1)
			have = 0;	/* a line longer than the buffer: not the marker's */
	}
	if (found && resident(pid, guest_mib * 1024, &all, &big))
		found = 0;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (!found) {
		fprintf(stderr, "bench-boot: no line with '%s' from %s\n", marker, argv[4]);
		return 1;
	}
	printf("bench boot %llu ns vmm_kib=%llu guest_kib=%llu rss_kib=%llu\n",
	       (unsigned long long)(t1 - t0), all - big, big, all);
	return 0;
}
