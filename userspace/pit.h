/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm launcher: the PC's 8254 programmable interval timer at ports
 * 0x40-0x43, and port 0x61 (system control port B), where channel 2's
 * gate and output are. Three channels count down at 1.193182 MHz: channel
 * 0's output is ISA IRQ 0, channel 1 once refreshed DRAM, channel 2 feeds
 * the speaker and is what kernels calibrate their TSC against.
 *
 * The counters are not ticked: each channel keeps the host time at which it
 * started counting, and its count and output are worked out from the time
 * read when the guest looks. Channel 0's interrupts are the launcher's job:
 * it sleeps until pit_next_irq() and then calls pit_expire().
 */
#ifndef MINIVM_PIT_H
#define MINIVM_PIT_H

#include <stdint.h>
#include "bus.h"

#define PIT_HZ		1193182ULL
#define PIT_NEVER	UINT64_MAX
/*
 * Channel 0 interrupts no more often than this (ns), whatever the count: a
 * guest that programs a count of 2 would otherwise ask for 600,000 a
 * second. KVM's in-kernel PIT has the same floor (min_timer_period_us).
 */
#define PIT_MIN_IRQ_NS	200000ULL

/**
 * struct pit_channel - one counter
 * @count: the count last written (0 stands for 65536, or 10000 in BCD)
 * @latch: the count latched by a latch or read-back command
 * @mode: 0-5 (the control word's 6 and 7 are modes 2 and 3)
 * @rw: access: 1 LSB only, 2 MSB only, 3 LSB then MSB
 * @bcd: the count is four BCD digits
 * @status: the status byte a read-back latched, or -1
 * @latched: bytes of @latch still to be read (0: none latched)
 * @read_msb: the next read of the live count (@rw 3) gives the MSB
 * @write_lsb: the LSB written, waiting for the MSB (@rw 3), or -1
 * @null_count: a control word or count was written and not loaded yet
 * @gate: the gate input (channels 0 and 1: always high)
 * @armed: a count is loaded and, in modes 1 and 5, the gate triggered it
 * @start: the PIT tick at which counting started
 * @held: ticks counted when the gate went low (modes 0, 2, 3 and 4 stop)
 * @irq_done: ticks after @start up to which OUT's rising edges were sent as
 *	interrupts (channel 0)
 */
struct pit_channel {
	uint16_t count, latch;
	uint8_t mode, rw, bcd;
	int status;
	uint8_t latched, read_msb;
	int write_lsb;
	uint8_t null_count, gate, armed;
	uint64_t start, held, irq_done;
};

/**
 * struct pit - the 8254 and port 0x61
 * @ch: the three channels
 * @port61: bits 3:0 of port 0x61 as the guest wrote them (bit 0: channel
 *	2's gate, bit 1: speaker data)
 * @last_irq: host time (ns) of channel 0's last interrupt
 * @now: the host's monotonic time in ns
 * @set_irq: drives ISA IRQ 0
 * @changed: channel 0 was reprogrammed: pit_next_irq() may have moved
 * @ctx: passed to @now, @set_irq and @changed
 */
struct pit {
	struct pit_channel ch[3];
	uint8_t port61;
	uint64_t last_irq;
	uint64_t (*now)(void *ctx);
	void (*set_irq)(void *ctx, int level);
	void (*changed)(void *ctx);
	void *ctx;
};

int pit_init(struct pit *p, struct bus *ports, uint64_t (*now)(void *ctx),
	     void (*set_irq)(void *ctx, int level), void (*changed)(void *ctx), void *ctx);
uint64_t pit_next_irq(const struct pit *p);
int pit_expire(struct pit *p);

#endif /* MINIVM_PIT_H */
