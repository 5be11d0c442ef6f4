/* SPDX-License-Identifier: GPL-2.0 */
/* minivm launcher: a 16550A UART with its FIFOs and interrupts. */
#ifndef MINIVM_UART_H
#define MINIVM_UART_H

#include <stddef.h>
#include <stdint.h>

#define UART_FIFO	16

/**
 * struct uart - one 16550A
 * @out: file descriptor the transmitted bytes go to
 * @ier: interrupt enable
 * @lcr: line control; bit 7 selects the divisor latch
 * @mcr: modem control; OUT2 gates the interrupt line, LOOP loops back
 * @fcr: the FIFO control bits kept (enable, receive trigger level)
 * @lsr_errors: overrun, reported once by a read of LSR
 * @scr: scratch
 * @dll: divisor latch, low byte
 * @dlm: divisor latch, high byte
 * @thr_irq: the transmitter-empty interrupt is pending (until IIR
 *	reports it or THR is written)
 * @rx: received bytes, @rx_len of them from @rx_head
 * @rx_head: first byte
 * @rx_len: bytes waiting
 * @irq_level: the interrupt line as last driven
 * @set_irq: drives the interrupt line
 * @ctx: passed to @set_irq
 */
struct uart {
	int out;
	uint8_t ier, lcr, mcr, fcr, lsr_errors, scr, dll, dlm;
	int thr_irq;
	uint8_t rx[UART_FIFO];
	unsigned int rx_head, rx_len;
	int irq_level;
	void (*set_irq)(void *ctx, int level);
	void *ctx;
};

void uart_init(struct uart *u, int out, void (*set_irq)(void *ctx, int level), void *ctx);
uint8_t uart_read(struct uart *u, unsigned int reg);
void uart_write(struct uart *u, unsigned int reg, uint8_t value);
size_t uart_rx_space(const struct uart *u);
void uart_receive(struct uart *u, const uint8_t *data, size_t len);

#endif /* MINIVM_UART_H */
