/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm launcher: the PC's real-time clock and CMOS memory (MC146818A, as
 * in the PIIX) at ports 0x70 (index; bit 7 masks NMIs) and 0x71 (data).
 * The clock starts at the host's time (UTC, as QEMU's default) and runs on
 * the host's monotonic clock; a guest that sets it moves only its own. Its
 * interrupts (periodic, alarm, update-ended) go out on ISA IRQ 8.
 */
#ifndef MINIVM_RTC_H
#define MINIVM_RTC_H

#include <stdint.h>
#include "bus.h"

#define RTC_NEVER	UINT64_MAX

/**
 * struct rtc - the clock's state
 * @index: the register port 0x71 reaches (bits 6:0 of port 0x70)
 * @nmi_masked: bit 7 of the last write to port 0x70
 * @cmos: the 128 bytes; the clock's own registers (0x00-0x0d and the
 *	century at 0x32) are kept here only while SET holds the clock
 * @offset: the guest's time (ns since 1970) minus @now
 * @flags_at: guest time (ns) up to which register C's flags are counted
 * @irq: IRQ 8 is asserted (IRQF is set)
 * @now: the host's monotonic time in ns
 * @set_irq: drives ISA IRQ 8
 * @changed: the next interrupt may have moved (a register was written)
 * @ctx: passed to the three
 */
struct rtc {
	uint8_t index, nmi_masked;
	uint8_t cmos[128];
	int64_t offset;
	int64_t flags_at;
	int irq;
	uint64_t (*now)(void *ctx);
	void (*set_irq)(void *ctx, int level);
	void (*changed)(void *ctx);
	void *ctx;
};

/**
 * struct rtc_platform - what the CMOS memory tells firmware about the PC
 * @ram_size: bytes of RAM
 * @ram_above_4g: of which above 4 GiB
 * @cpus: how many CPUs
 * @unix_ns: the time to start from, in ns since 1970 (UTC)
 */
struct rtc_platform {
	uint64_t ram_size, ram_above_4g;
	unsigned int cpus;
	int64_t unix_ns;
};

int rtc_init(struct rtc *r, struct bus *ports, const struct rtc_platform *pc,
	     uint64_t (*now)(void *ctx), void (*set_irq)(void *ctx, int level),
	     void (*changed)(void *ctx), void *ctx);
uint64_t rtc_next_irq(struct rtc *r);
int rtc_expire(struct rtc *r);

#endif /* MINIVM_RTC_H */
