/* SPDX-License-Identifier: GPL-2.0 */
/* minivm launcher: a 16550A UART on file descriptors. */
#ifndef MINIVM_UART_H
#define MINIVM_UART_H

#include <stdint.h>

/**
 * struct uart - one 16550A's registers
 * @in: file descriptor read for received bytes (non-blocking), or -1
 * @out: file descriptor the transmitted bytes go to
 * @ier: interrupt enable (kept, no interrupt is raised: there is no PIC)
 * @lcr: line control; bit 7 selects the divisor latch
 * @mcr: modem control
 * @scr: scratch
 * @dll: divisor latch, low byte
 * @dlm: divisor latch, high byte
 * @rx: a received byte waiting in RBR, or -1
 */
struct uart {
	int in, out;
	uint8_t ier, lcr, mcr, scr, dll, dlm;
	int rx;
};

void uart_init(struct uart *u, int in, int out);
uint8_t uart_read(struct uart *u, unsigned int reg);
void uart_write(struct uart *u, unsigned int reg, uint8_t value);

#endif /* MINIVM_UART_H */
