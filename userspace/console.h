/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm launcher: the console on a terminal (console.c): raw mode while
 * the guest runs, put back on every way out, and QEMU's Ctrl-A escape.
 */
#ifndef MINIVM_CONSOLE_H
#define MINIVM_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#define CONSOLE_ESCAPE	0x01	/* Ctrl-A */

/* What the user asked for with the escape key: a mask, typed keys may hold both. */
#define CONSOLE_HELP	0x1	/* Ctrl-A h */
#define CONSOLE_QUIT	0x2	/* Ctrl-A x */

/**
 * struct console_escape - where the escape sequence stands
 * @armed: the last byte was Ctrl-A: the next one is a command
 */
struct console_escape {
	int armed;
};

extern const char console_help[];

size_t console_filter(struct console_escape *e, uint8_t *buf, size_t len,
		      unsigned int *commands);
int console_raw_start(int fd);
void console_restore(void);

#endif /* MINIVM_CONSOLE_H */
