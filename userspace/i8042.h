/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm launcher: the PC's 8042 keyboard controller, with no keyboard or
 * mouse behind it: what Linux probes, and the line the PC's reset is
 * wired to, which is how a kernel without ACPI reboots (Linux's
 * reboot=kbd, its default after ACPI) and how panic=N restarts.
 */
#ifndef MINIVM_I8042_H
#define MINIVM_I8042_H

#include <stdint.h>
#include "bus.h"

/**
 * struct i8042 - the controller's state
 * @command_byte: its configuration byte (commands 0x20 and 0x60)
 * @output: the byte port 0x60 reads next, when @full
 * @full: @output waits to be read (status bit 0)
 * @pending: the command whose data byte port 0x60 takes next, or 0
 * @last_was_command: the last write went to port 0x64 (status bit 3)
 * @aux: @output came from the mouse port (status bit 5)
 * @reset_status: what a write that resets the PC returns: the run's status
 * @set_irq: drives an ISA interrupt line, or NULL
 * @irq_ctx: @set_irq's first argument
 * @kbd_irq: IRQ 1's level as last driven
 * @aux_irq: IRQ 12's level as last driven
 */
struct i8042 {
	uint8_t command_byte, output, pending;
	int full, aux, last_was_command, reset_status;
	void (*set_irq)(void *ctx, unsigned int irq, int level);
	void *irq_ctx;
	int kbd_irq, aux_irq;
};

int i8042_init(struct i8042 *k, struct bus *ports, int reset_status,
	       void (*set_irq)(void *ctx, unsigned int irq, int level), void *irq_ctx);

#endif /* MINIVM_I8042_H */
