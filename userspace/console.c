// SPDX-License-Identifier: GPL-2.0
/*
 * minivm launcher: the console on a terminal (console.h).
 *
 * When stdin is a terminal, the guest owns it as QEMU's -serial stdio
 * does: raw mode, so every key (Ctrl-C and Ctrl-Z too) goes to the guest
 * as typed and the guest echoes what it wants; output processing stays on,
 * so the launcher's own lines still start at the left. The terminal is put
 * back however the process ends: exit() from any thread (atexit), and the
 * signals that end a process by default, whose handler restores it and
 * then lets the signal do what it would have done. Ctrl-A is the escape,
 * as in QEMU: Ctrl-A x quits, Ctrl-A h prints the keys, Ctrl-A Ctrl-A
 * sends one Ctrl-A; any other key after Ctrl-A is dropped. Not on a
 * terminal, nothing here runs: bytes pass as they come, Ctrl-A included.
 */
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <stdlib.h>
#include "console.h"

const char console_help[] =
	"\r\nminivm console escape keys:\r\n"
	"  Ctrl-A h        print this help\r\n"
	"  Ctrl-A x        end the run (status 26)\r\n"
	"  Ctrl-A Ctrl-A   send Ctrl-A to the guest\r\n";

/**
 * console_filter() - take the escape sequences out of typed bytes
 * @e: the escape state, kept between calls
 * @buf: the bytes; on return, the first bytes are the guest's
 * @len: how many
 * @commands: out: %CONSOLE_HELP if Ctrl-A h was typed, %CONSOLE_QUIT if
 *	Ctrl-A x was (the bytes after it are dropped), or both, or 0
 *
 * Return: how many bytes are for the guest.
 */
size_t console_filter(struct console_escape *e, uint8_t *buf, size_t len,
		      unsigned int *commands)
{
	size_t in, out = 0;

	*commands = 0;
	for (in = 0; in < len; in++) {
		uint8_t c = buf[in];

		if (!e->armed) {
			if (c == CONSOLE_ESCAPE)
				e->armed = 1;
			else
				buf[out++] = c;
			continue;
		}
		e->armed = 0;
		if (c == CONSOLE_ESCAPE) {
			buf[out++] = c;
		} else if (c == 'x' || c == 'X') {
			*commands |= CONSOLE_QUIT;
			break;
		} else if (c == 'h' || c == 'H' || c == '?') {
			*commands |= CONSOLE_HELP;
		}
	}
	return out;
}

static struct termios saved;
static int saved_fd = -1;

/** console_restore() - put the terminal back as it was; safe in a signal handler */
void console_restore(void)
{
	if (saved_fd >= 0)
		tcsetattr(saved_fd, TCSANOW, &saved);
}

/* The signals whose default ends the process (SIGKILL cannot be caught). */
static const int fatal_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGALRM, SIGUSR1, SIGUSR2,
	SIGILL, SIGABRT, SIGFPE, SIGSEGV, SIGBUS, SIGTRAP, SIGSYS, SIGXCPU, SIGXFSZ,
};

static void restore_and_die(int sig)
{
	console_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

/**
 * console_raw_start() - give the terminal on @fd to the guest, if it is one
 * @fd: the console's input (stdin)
 *
 * Call once, before the threads that may exit start.
 *
 * Return: 1 if @fd is a terminal now in raw mode (the escape is on), 0 if
 * it is not a terminal, -1 if it could not be set.
 */
int console_raw_start(int fd)
{
	struct sigaction sa = { .sa_handler = restore_and_die };
	struct termios raw;
	unsigned int i;

	if (!isatty(fd))
		return 0;
	if (tcgetattr(fd, &saved))
		return -1;
	raw = saved;
	raw.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	raw.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	raw.c_cflag &= ~(CSIZE | PARENB);
	raw.c_cflag |= CS8;
	raw.c_oflag |= OPOST;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	saved_fd = fd;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]); i++) {
		struct sigaction old;

		/* A signal the caller ignores stays ignored. */
		if (!sigaction(fatal_signals[i], NULL, &old) && old.sa_handler == SIG_DFL)
			sigaction(fatal_signals[i], &sa, NULL);
	}
	if (atexit(console_restore) || tcsetattr(fd, TCSAFLUSH, &raw)) {
		saved_fd = -1;
		return -1;
	}
	return 1;
}
