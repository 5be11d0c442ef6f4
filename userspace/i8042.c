// SPDX-License-Identifier: GPL-2.0
/*
 * minivm launcher: an 8042 keyboard controller with nothing attached
 * (i8042.h). Port 0x60 is data, 0x64 status and commands. The commands
 * answered are the ones kernels send while probing and rebooting; the
 * output port's bit 0 is the CPU's reset line, which pulsing it (0xfe) or
 * writing it low (0xd1) ends the run.
 *
 * The loopback commands (0xd2, 0xd3) answer as on a real controller, with
 * the byte's interrupt (IRQ 1 or 12) when the command byte enables it:
 * Linux tests the mouse port with them, and a controller that ignored them
 * cost every boot two 500 ms timeouts and a 250 ms wait for IRQ 12 (0.8 s
 * of Debian's kernel's boot, where QEMU's answers at once).
 */
#include "i8042.h"

#define DATA_PORT	0x60
#define CMD_PORT	0x64
#define KBD_IRQ		1
#define AUX_IRQ		12
#define ST_OUTPUT_FULL	0x01
#define ST_SYSTEM	0x04	/* the self-test passed since power-on */
#define ST_COMMAND	0x08	/* the last write was to the command port */
#define ST_UNLOCKED	0x10	/* the keylock switch is off */
#define ST_AUX_DATA	0x20	/* the output byte came from the mouse port */
#define CB_KBD_INT	0x01
#define CB_AUX_INT	0x02
#define CB_KBD_OFF	0x10
#define CB_AUX_OFF	0x20
#define OUT_RESET	0x01	/* low: the CPU is held in reset */

/* The two interrupt lines follow the output buffer and the command byte. */
static void update_irqs(struct i8042 *k)
{
	int kbd = k->full && !k->aux && (k->command_byte & CB_KBD_INT);
	int aux = k->full && k->aux && (k->command_byte & CB_AUX_INT);

	if (!k->set_irq)
		return;
	if (kbd != k->kbd_irq)
		k->set_irq(k->irq_ctx, KBD_IRQ, kbd);
	if (aux != k->aux_irq)
		k->set_irq(k->irq_ctx, AUX_IRQ, aux);
	k->kbd_irq = kbd;
	k->aux_irq = aux;
}

/* A byte from the controller itself or the keyboard port (@aux 0), or the mouse port. */
static void answer_from(struct i8042 *k, uint8_t byte, int aux)
{
	k->output = byte;
	k->full = 1;
	k->aux = aux;
	update_irqs(k);
}

static void answer(struct i8042 *k, uint8_t byte)
{
	answer_from(k, byte, 0);
}

static uint64_t data_read(void *ctx, uint64_t off, unsigned int size)
{
	struct i8042 *k = ctx;

	(void)off;
	(void)size;
	k->full = 0;
	update_irqs(k);
	return k->output;
}

static uint64_t status_read(void *ctx, uint64_t off, unsigned int size)
{
	const struct i8042 *k = ctx;

	(void)off;
	(void)size;
	return ST_SYSTEM | ST_UNLOCKED | (k->last_was_command ? ST_COMMAND : 0) |
	       (k->full ? ST_OUTPUT_FULL : 0) | (k->full && k->aux ? ST_AUX_DATA : 0);
}

static int command_write(void *ctx, uint64_t off, unsigned int size, uint64_t value)
{
	struct i8042 *k = ctx;
	uint8_t cmd = (uint8_t)value;

	(void)off;
	(void)size;
	k->last_was_command = 1;
	k->pending = 0;
	switch (cmd) {
	case 0x20:			/* read the command byte */
		answer(k, k->command_byte);
		break;
	case 0x60:			/* write it: the data byte follows */
	case 0xd1:			/* write the output port */
	case 0xd2:			/* the next byte comes back as the keyboard's */
	case 0xd3:			/* ... as the mouse's */
	case 0xd4:			/* the next byte goes to the mouse */
		k->pending = cmd;
		break;
	case 0xa7: k->command_byte |= CB_AUX_OFF; break;
	case 0xa8: k->command_byte &= ~CB_AUX_OFF; break;
	case 0xad: k->command_byte |= CB_KBD_OFF; break;
	case 0xae: k->command_byte &= ~CB_KBD_OFF; break;
	case 0xa9:			/* test the mouse and keyboard lines: fine */
	case 0xab:
		answer(k, 0x00);
		break;
	case 0xaa:			/* self-test: passed */
		answer(k, 0x55);
		break;
	default:
		/* 0xf0-0xff pulse the output port's low bits: bit 0 is reset. */
		if (cmd >= 0xf0 && !(cmd & OUT_RESET))
			return k->reset_status;
		break;			/* anything else: no answer */
	}
	return 0;
}

static int data_write(void *ctx, uint64_t off, unsigned int size, uint64_t value)
{
	struct i8042 *k = ctx;
	uint8_t byte = (uint8_t)value, cmd = k->pending;

	(void)off;
	(void)size;
	k->last_was_command = 0;
	k->pending = 0;
	if (cmd == 0x60) {
		k->command_byte = byte;
		update_irqs(k);
	} else if (cmd == 0xd1 && !(byte & OUT_RESET)) {
		return k->reset_status;
	} else if (cmd == 0xd2 || cmd == 0xd3) {
		answer_from(k, byte, cmd == 0xd3);
	}
	/* Otherwise a byte for the keyboard or mouse, which are not there: nothing answers. */
	return 0;
}

/**
 * i8042_init() - put the controller on the port bus
 * @k: its state
 * @ports: the port bus
 * @reset_status: the status a reset ends the run with
 * @set_irq: drives ISA IRQ 1 (keyboard port) and 12 (mouse port); may be NULL
 * @irq_ctx: its first argument
 *
 * Return: 0, or -1 when its ports are taken.
 */
int i8042_init(struct i8042 *k, struct bus *ports, int reset_status,
	       void (*set_irq)(void *ctx, unsigned int irq, int level), void *irq_ctx)
{
	const struct bus_device data = {
		.name = "i8042 data", .base = DATA_PORT, .len = 1,
		.read = data_read, .write = data_write, .ctx = k,
	};
	const struct bus_device cmd = {
		.name = "i8042 status/command", .base = CMD_PORT, .len = 1,
		.read = status_read, .write = command_write, .ctx = k,
	};

	*k = (struct i8042){ .command_byte = CB_AUX_OFF, .reset_status = reset_status,
			     .set_irq = set_irq, .irq_ctx = irq_ctx };
	return bus_add(ports, &data) || bus_add(ports, &cmd) ? -1 : 0;
}
