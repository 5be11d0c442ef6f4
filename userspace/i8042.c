// SPDX-License-Identifier: GPL-2.0
/*
 * minivm launcher: an 8042 keyboard controller with nothing attached
 * (i8042.h). Port 0x60 is data, 0x64 status and commands. The commands
 * answered are the ones kernels send while probing and rebooting; the
 * output port's bit 0 is the CPU's reset line, which pulsing it (0xfe) or
 * writing it low (0xd1) ends the run.
 */
#include "i8042.h"

#define DATA_PORT	0x60
#define CMD_PORT	0x64
#define ST_OUTPUT_FULL	0x01
#define ST_SYSTEM	0x04	/* the self-test passed since power-on */
#define ST_COMMAND	0x08	/* the last write was to the command port */
#define ST_UNLOCKED	0x10	/* the keylock switch is off */
#define CB_KBD_OFF	0x10
#define CB_AUX_OFF	0x20
#define OUT_RESET	0x01	/* low: the CPU is held in reset */

static void answer(struct i8042 *k, uint8_t byte)
{
	k->output = byte;
	k->full = 1;
}

static uint64_t data_read(void *ctx, uint64_t off, unsigned int size)
{
	struct i8042 *k = ctx;

	(void)off;
	(void)size;
	k->full = 0;
	return k->output;
}

static uint64_t status_read(void *ctx, uint64_t off, unsigned int size)
{
	const struct i8042 *k = ctx;

	(void)off;
	(void)size;
	return ST_SYSTEM | ST_UNLOCKED | (k->last_was_command ? ST_COMMAND : 0) |
	       (k->full ? ST_OUTPUT_FULL : 0);
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
	if (cmd == 0x60)
		k->command_byte = byte;
	else if (cmd == 0xd1 && !(byte & OUT_RESET))
		return k->reset_status;
	/* Otherwise a byte for the keyboard, which is not there: nothing answers. */
	return 0;
}

/**
 * i8042_init() - put the controller on the port bus
 * @k: its state
 * @ports: the port bus
 * @reset_status: the status a reset ends the run with
 *
 * Return: 0, or -1 when its ports are taken.
 */
int i8042_init(struct i8042 *k, struct bus *ports, int reset_status)
{
	const struct bus_device data = {
		.name = "i8042 data", .base = DATA_PORT, .len = 1,
		.read = data_read, .write = data_write, .ctx = k,
	};
	const struct bus_device cmd = {
		.name = "i8042 status/command", .base = CMD_PORT, .len = 1,
		.read = status_read, .write = command_write, .ctx = k,
	};

	*k = (struct i8042){ .command_byte = CB_AUX_OFF, .reset_status = reset_status };
	return bus_add(ports, &data) || bus_add(ports, &cmd) ? -1 : 0;
}
