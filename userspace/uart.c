// SPDX-License-Identifier: GPL-2.0
/*
 * minivm launcher: the COM1 UART (16550A at 0x3f8), polled. The transmitter
 * is always ready and writes each byte straight to the output; the receiver
 * reports a byte when the input has one. Enough for any polling driver:
 * multiboot kernels, and Linux's early console.
 */
#include <poll.h>
#include <unistd.h>
#include "uart.h"

#define LSR_DR		0x01	/* a received byte is waiting */
#define LSR_THRE	0x20	/* transmit holding register empty */
#define LSR_TEMT	0x40	/* transmitter empty */
#define LCR_DLAB	0x80
#define IIR_NONE	0x01
#define IIR_FIFO	0xc0
#define MSR_IDLE	0xb0	/* DCD, DSR, CTS: a cable is plugged in */

void uart_init(struct uart *u, int in, int out)
{
	*u = (struct uart){ .in = in, .out = out, .rx = -1 };
}

/*
 * Take a byte from the input if one is there. poll() rather than
 * O_NONBLOCK: the input may be shared with the shell that started us.
 */
static void uart_poll(struct uart *u)
{
	struct pollfd p = { .fd = u->in, .events = POLLIN };
	unsigned char c;

	if (u->rx >= 0 || u->in < 0 || poll(&p, 1, 0) != 1)
		return;
	if (read(u->in, &c, 1) == 1)
		u->rx = c;
	else
		u->in = -1;	/* end of input: no more bytes will come */
}

uint8_t uart_read(struct uart *u, unsigned int reg)
{
	uint8_t v;

	switch (reg) {
	case 0:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		uart_poll(u);
		v = u->rx < 0 ? 0 : u->rx;
		u->rx = -1;
		return v;
	case 1:
		return u->lcr & LCR_DLAB ? u->dlm : u->ier;
	case 2:
		return IIR_NONE | IIR_FIFO;
	case 3:
		return u->lcr;
	case 4:
		return u->mcr;
	case 5:
		uart_poll(u);
		return LSR_THRE | LSR_TEMT | (u->rx >= 0 ? LSR_DR : 0);
	case 6:
		return MSR_IDLE;
	default:
		return u->scr;
	}
}

void uart_write(struct uart *u, unsigned int reg, uint8_t value)
{
	switch (reg) {
	case 0:
		if (u->lcr & LCR_DLAB) {
			u->dll = value;
		} else if (write(u->out, &value, 1) != 1) {
			/* The reader went away: drop output, as a cable would. */
		}
		break;
	case 1:
		if (u->lcr & LCR_DLAB)
			u->dlm = value;
		else
			u->ier = value & 0x0f;
		break;
	case 3:
		u->lcr = value;
		break;
	case 4:
		u->mcr = value & 0x1f;
		break;
	case 7:
		u->scr = value;
		break;
	}
}
