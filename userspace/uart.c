// SPDX-License-Identifier: GPL-2.0
/*
 * minivm launcher: a 16550A UART (COM1 at 0x3f8, IRQ 4). The transmitter
 * sends each byte to the output at once, so THR is always empty again by
 * the next instruction and a driver waiting for the transmitter-empty
 * interrupt gets it after every write. The receiver holds a 16-byte FIFO
 * that the launcher's input thread fills (uart_receive()) only as far as
 * there is room: input waits in the host's pipe or terminal, never
 * overruns. Interrupts, as the data sheet ranks them: line status
 * (overrun, in loopback), received data, transmitter empty; modem status
 * changes never happen. The PC gates the interrupt line with MCR's OUT2.
 */
#include <unistd.h>
#include "uart.h"

#define IER_RDI		0x01	/* received data available */
#define IER_THRI	0x02	/* transmitter holding register empty */
#define IER_RLSI	0x04	/* receiver line status */
#define IIR_NONE	0x01
#define IIR_RLSI	0x06
#define IIR_RDI		0x04
#define IIR_THRI	0x02
#define IIR_FIFO	0xc0	/* FIFOs enabled */
#define FCR_ENABLE	0x01
#define FCR_CLEAR_RX	0x02
#define FCR_KEPT	0xc9	/* enable, DMA mode, receive trigger level */
#define LSR_DR		0x01	/* a received byte is waiting */
#define LSR_OE		0x02	/* overrun */
#define LSR_THRE	0x20	/* transmit holding register empty */
#define LSR_TEMT	0x40	/* transmitter empty */
#define LCR_DLAB	0x80
#define MCR_DTR		0x01
#define MCR_RTS		0x02
#define MCR_OUT1	0x04
#define MCR_OUT2	0x08
#define MCR_LOOP	0x10
#define MSR_CTS		0x10
#define MSR_DSR		0x20
#define MSR_RI		0x40
#define MSR_DCD		0x80

/**
 * uart_init() - a UART after reset
 * @u: its state
 * @out: where transmitted bytes go
 * @set_irq: drives its interrupt line (the device lock held)
 * @ctx: passed to @set_irq
 */
void uart_init(struct uart *u, int out, void (*set_irq)(void *ctx, int level), void *ctx)
{
	*u = (struct uart){ .out = out, .set_irq = set_irq, .ctx = ctx };
}

/* The highest-ranked pending interrupt, as IIR reports it. */
static uint8_t pending(const struct uart *u)
{
	if ((u->ier & IER_RLSI) && u->lsr_errors)
		return IIR_RLSI;
	if ((u->ier & IER_RDI) && u->rx_len)
		return IIR_RDI;
	if ((u->ier & IER_THRI) && u->thr_irq)
		return IIR_THRI;
	return IIR_NONE;
}

static void update_irq(struct uart *u)
{
	int level = pending(u) != IIR_NONE && (u->mcr & MCR_OUT2) && !(u->mcr & MCR_LOOP);

	if (level != u->irq_level) {
		u->irq_level = level;
		if (u->set_irq)
			u->set_irq(u->ctx, level);
	}
}

/**
 * uart_rx_space() - how many bytes the receive FIFO can take now
 * @u: the UART
 *
 * Return: 0 to UART_FIFO; 0 while it loops back (the line is disconnected).
 */
size_t uart_rx_space(const struct uart *u)
{
	return u->mcr & MCR_LOOP ? 0 : UART_FIFO - u->rx_len;
}

static void push(struct uart *u, uint8_t byte)
{
	if (u->rx_len == UART_FIFO) {
		u->lsr_errors |= LSR_OE;	/* only a loopback can outrun the reader */
		return;
	}
	u->rx[(u->rx_head + u->rx_len++) % UART_FIFO] = byte;
}

/**
 * uart_receive() - bytes arrive on the line
 * @u: the UART
 * @data: the bytes
 * @len: at most uart_rx_space() of them
 */
void uart_receive(struct uart *u, const uint8_t *data, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		push(u, data[i]);
	update_irq(u);
}

static uint8_t modem_status(const struct uart *u)
{
	uint8_t m = u->mcr;

	if (!(m & MCR_LOOP))
		return MSR_DCD | MSR_DSR | MSR_CTS;	/* a cable is plugged in */
	return (m & MCR_DTR ? MSR_DSR : 0) | (m & MCR_RTS ? MSR_CTS : 0) |
	       (m & MCR_OUT1 ? MSR_RI : 0) | (m & MCR_OUT2 ? MSR_DCD : 0);
}

uint8_t uart_read(struct uart *u, unsigned int reg)
{
	uint8_t v;

	switch (reg) {
	case 0:
		if (u->lcr & LCR_DLAB)
			return u->dll;
		if (!u->rx_len)
			return 0;
		v = u->rx[u->rx_head];
		u->rx_head = (u->rx_head + 1) % UART_FIFO;
		u->rx_len--;
		update_irq(u);
		return v;
	case 1:
		return u->lcr & LCR_DLAB ? u->dlm : u->ier;
	case 2:
		v = pending(u);
		if (v == IIR_THRI)	/* reading IIR clears the THRE interrupt */
			u->thr_irq = 0;
		update_irq(u);
		return v | (u->fcr & FCR_ENABLE ? IIR_FIFO : 0);
	case 3:
		return u->lcr;
	case 4:
		return u->mcr;
	case 5:
		v = LSR_THRE | LSR_TEMT | (u->rx_len ? LSR_DR : 0) | u->lsr_errors;
		u->lsr_errors = 0;
		update_irq(u);
		return v;
	case 6:
		return modem_status(u);
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
			return;
		}
		if (u->mcr & MCR_LOOP)
			push(u, value);
		else if (write(u->out, &value, 1) != 1) {
			/* The reader went away: drop output, as a cable would. */
		}
		u->thr_irq = 1;		/* sent: THR is empty again */
		break;
	case 1:
		if (u->lcr & LCR_DLAB) {
			u->dlm = value;
			return;
		}
		/* Enabling the THRE interrupt with THR empty raises it. */
		if ((value & IER_THRI) && !(u->ier & IER_THRI))
			u->thr_irq = 1;
		u->ier = value & 0x0f;
		break;
	case 2:
		if ((value ^ u->fcr) & FCR_ENABLE || value & FCR_CLEAR_RX)
			u->rx_len = 0;	/* toggling the FIFOs empties them too */
		u->fcr = value & FCR_KEPT;
		break;
	case 3:
		u->lcr = value;
		return;
	case 4:
		u->mcr = value & 0x1f;
		break;
	case 7:
		u->scr = value;
		return;
	}
	update_irq(u);
}
