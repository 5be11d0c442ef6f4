// SPDX-License-Identifier: GPL-2.0
/*
 * ptyrun [TRIGGER KEYS]... -- COMMAND [ARG]...: run COMMAND on a new
 * pseudo-terminal, as a user at a terminal would, for the lab's console
 * tests. Its output (stdout and stderr both go to the terminal) is copied
 * to our stdout. Each time the next TRIGGER shows up in that output, the
 * matching KEYS are typed: "^A" is Ctrl-A (any "^" and a letter a control
 * key), other bytes as they are; KEYS "SIGTERM" sends COMMAND that signal
 * instead. Then a report, on stdout:
 *
 *   ptyrun: raw while running: yes|no    (at the first trigger)
 *   ptyrun: terminal restored: yes|no    (after COMMAND ended)
 *   ptyrun: exit status N | ptyrun: killed by signal N | ptyrun: timed out ...
 *
 * A trigger that does not show up within 120 s, or a COMMAND that does not
 * end within 30 s of the last keys, ends with SIGKILL and "timed out".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static char seen[1 << 16];
static size_t seen_len;

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int is_raw(int fd)
{
	struct termios t;

	return !tcgetattr(fd, &t) && !(t.c_lflag & (ICANON | ECHO | ISIG));
}

static int same(const struct termios *a, const struct termios *b)
{
	return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag &&
	       a->c_lflag == b->c_lflag && a->c_cflag == b->c_cflag;
}

/* Type @keys on @master ("^A" is Ctrl-A), or signal @pid. */
static void type_keys(int master, pid_t pid, const char *keys)
{
	char c;

	if (!strcmp(keys, "SIGTERM")) {
		kill(pid, SIGTERM);
		return;
	}
	for (; *keys; keys++) {
		c = *keys;
		if (c == '^' && keys[1]) {
			c = (char)(keys[1] & 0x1f);
			keys++;
		}
		if (write(master, &c, 1) != 1)
			return;
	}
}

/* Copy what the terminal has to stdout and to seen[]; 0 at its end. */
static int pump(int master)
{
	char buf[4096];
	ssize_t n = read(master, buf, sizeof(buf));
	size_t keep;

	if (n <= 0)
		return 0;
	fwrite(buf, 1, (size_t)n, stdout);
	fflush(stdout);
	keep = sizeof(seen) - 1 - seen_len;
	if ((size_t)n < keep)
		keep = (size_t)n;
	memcpy(seen + seen_len, buf, keep);
	seen_len += keep;
	seen[seen_len] = 0;
	return 1;
}

int main(int argc, char **argv)
{
	int master, slave, status, i, next = 1, cmd, raw = -1, ended = 0;
	struct termios before, after;
	double deadline = now() + 120;
	size_t search_from = 0;
	pid_t pid;

	for (cmd = 1; cmd < argc && strcmp(argv[cmd], "--"); cmd++)
		;
	if (cmd >= argc - 1 || (cmd - 1) % 2) {
		fprintf(stderr, "usage: ptyrun [TRIGGER KEYS]... -- COMMAND [ARG]...\n");
		return 2;
	}
	if (openpty(&master, &slave, NULL, NULL, NULL) || tcgetattr(slave, &before)) {
		perror("ptyrun: openpty");
		return 2;
	}
	pid = fork();
	if (pid < 0)
		return 2;
	if (!pid) {
		setsid();
		ioctl(slave, TIOCSCTTY, 0);
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		close(master);
		close(slave);
		execvp(argv[cmd + 1], argv + cmd + 1);
		perror("ptyrun: exec");
		_exit(127);
	}
	for (;;) {
		struct pollfd p = { .fd = master, .events = POLLIN };

		if (poll(&p, 1, 100) > 0)
			pump(master);
		if (waitpid(pid, &status, WNOHANG) == pid) {
			ended = 1;
			break;
		}
		if (next < cmd) {
			char *hit = strstr(seen + search_from, argv[next]);

			if (hit) {
				if (raw < 0)
					raw = is_raw(slave);
				search_from = (size_t)(hit - seen) + strlen(argv[next]);
				type_keys(master, pid, argv[next + 1]);
				next += 2;
				deadline = next < cmd ? now() + 120 : now() + 30;
			}
		}
		if (now() > deadline)
			break;
	}
	if (!ended) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	for (i = 0; i < 10; i++) {		/* what the terminal still holds */
		struct pollfd p = { .fd = master, .events = POLLIN };

		if (poll(&p, 1, 10) <= 0 || !pump(master))
			break;
	}
	tcgetattr(slave, &after);
	printf("\nptyrun: raw while running: %s\n", raw > 0 ? "yes" : "no");
	printf("ptyrun: terminal restored: %s\n", same(&before, &after) ? "yes" : "no");
	if (!ended)
		printf("ptyrun: timed out waiting for %s\n",
		       next < cmd ? argv[next] : "the command to end");
	else if (WIFEXITED(status))
		printf("ptyrun: exit status %d\n", WEXITSTATUS(status));
	else
		printf("ptyrun: killed by signal %d\n", WTERMSIG(status));
	return 0;
}
