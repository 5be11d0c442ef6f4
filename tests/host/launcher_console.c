// SPDX-License-Identifier: GPL-2.0
/*
 * The launcher's console (userspace/console.c) on a pseudo-terminal, no
 * guest needed: the escape keys are taken out of what is typed and the rest
 * passes in order; raw mode is set on a terminal and nothing is done to a
 * pipe; the terminal is put back by exit() and by a fatal signal, which
 * still ends the process as it would have. Prints one line per failed
 * check; exits 1 if any failed.
 */
#define _GNU_SOURCE	/* posix_openpt and friends */
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include "check.h"
#include "console.h"

static void filter_checks(void)
{
	struct console_escape e = { 0 };
	unsigned int c;
	uint8_t b[16];
	size_t n;

	memcpy(b, "ab\001\001c", 5);			/* Ctrl-A Ctrl-A: one Ctrl-A */
	n = console_filter(&e, b, 5, &c);
	CHECK(n == 4 && !memcmp(b, "ab\001c", 4) && c == 0);
	memcpy(b, "x\001", 2);				/* an escape split over reads */
	n = console_filter(&e, b, 2, &c);
	CHECK(n == 1 && b[0] == 'x' && c == 0 && e.armed);
	memcpy(b, "hyz", 3);
	n = console_filter(&e, b, 3, &c);
	CHECK(n == 2 && !memcmp(b, "yz", 2) && c == CONSOLE_HELP && !e.armed);
	memcpy(b, "1\001q2", 4);			/* an unknown command: dropped */
	n = console_filter(&e, b, 4, &c);
	CHECK(n == 2 && !memcmp(b, "12", 2) && c == 0);
	memcpy(b, "ok\001xlost", 8);			/* quit: what follows is not sent */
	n = console_filter(&e, b, 8, &c);
	CHECK(n == 2 && !memcmp(b, "ok", 2) && c == CONSOLE_QUIT);
	memcpy(b, "\001h\001x", 4);			/* help, then quit, in one read */
	n = console_filter(&e, b, 4, &c);
	CHECK(n == 0 && c == (CONSOLE_HELP | CONSOLE_QUIT));
}

static int is_raw(int fd)
{
	struct termios t;

	return !tcgetattr(fd, &t) && !(t.c_lflag & (ICANON | ECHO | ISIG)) &&
	       !(t.c_iflag & (ICRNL | IXON)) && (t.c_oflag & OPOST);
}

static int same_termios(int fd, const struct termios *want)
{
	struct termios t;

	return !tcgetattr(fd, &t) && t.c_iflag == want->c_iflag && t.c_oflag == want->c_oflag &&
	       t.c_lflag == want->c_lflag && t.c_cflag == want->c_cflag;
}

/*
 * A child puts the terminal @slave in raw mode and tells the parent, which
 * checks that it is raw; then the child ends by exit(5) (@sig 0) when the
 * parent says so, or by the signal @sig the parent sends it. Returns the
 * child's wait status, or -1.
 */
static int child_ends(int slave, int sig)
{
	int ready[2], go[2], status;
	pid_t pid;
	char c;

	if (pipe(ready) || pipe(go))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		close(ready[0]);
		close(go[1]);
		/*
		 * The signal's default, whatever this test inherited: under
		 * nohup SIGHUP comes in ignored, and the console rightly
		 * leaves an ignored signal alone.
		 */
		if (sig)
			signal(sig, SIG_DFL);
		if (console_raw_start(slave) != 1)
			_exit(99);
		if (write(ready[1], "r", 1) != 1)
			_exit(98);
		/* Until the parent has looked: exit() would restore the terminal. */
		if (read(go[0], &c, 1) != 1)
			_exit(97);
		exit(5);
	}
	close(ready[1]);
	close(go[0]);
	if (read(ready[0], &c, 1) != 1)
		c = 0;
	close(ready[0]);
	CHECK(c == 'r' && is_raw(slave));
	if (sig)
		kill(pid, sig);		/* while it waits in read() */
	else if (write(go[1], "g", 1) != 1)
		kill(pid, SIGKILL);
	close(go[1]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

static void terminal_checks(void)
{
	struct termios before;
	int master, slave, p[2], status;

	CHECK(openpty(&master, &slave, NULL, NULL, NULL) == 0);
	CHECK(tcgetattr(slave, &before) == 0 && !is_raw(slave));
	/* Not a terminal: nothing changes. */
	CHECK(pipe(p) == 0 && console_raw_start(p[0]) == 0);
	/* exit() puts it back. */
	status = child_ends(slave, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 5);
	CHECK(same_termios(slave, &before));
	/* So do the fatal signals, which still end the process. */
	status = child_ends(slave, SIGTERM);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
	CHECK(same_termios(slave, &before));
	status = child_ends(slave, SIGHUP);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGHUP);
	CHECK(same_termios(slave, &before));
	status = child_ends(slave, SIGSEGV);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
	CHECK(same_termios(slave, &before));
	close(master);
	close(slave);
}

int main(void)
{
	filter_checks();
	terminal_checks();
	return failures != 0;
}
