// SPDX-License-Identifier: GPL-2.0
/*
 * minivm launcher: the MC146818A real-time clock and CMOS memory (see
 * rtc.h), after its data sheet:
 *
 *   0x00-0x09  seconds, alarm seconds, minutes, alarm minutes, hours,
 *              alarm hours, day of week (Sunday 1), day, month, year
 *   0x0a       A: UIP (read-only), the divider, the periodic rate
 *   0x0b       B: SET, PIE, AIE, UIE, SQWE, DM (binary), 24/12, DSE
 *   0x0c       C: IRQF, PF, AF, UF; read-only, cleared by a read
 *   0x0d       D: VRT (the battery is good)
 *   0x32       the century, where PC firmware keeps it
 *
 * The clock is not ticked: it is a fixed offset from the host's monotonic
 * clock, turned into registers (BCD or binary, 24- or 12-hour) when the
 * guest reads them. SET freezes the registers for the guest to write; when
 * it is cleared, the clock runs on from what was written, as the chip's
 * does. UIP is set in the last 244 us before a second ends, so a guest that
 * sees it clear has that long to read a stable time. The flags in C are
 * counted up to the moment the guest reads C, or an interrupt is due:
 * PF at each periodic boundary, UF at each second, AF at a second that
 * matches the alarm (0xc0-0xff in an alarm byte matches any value). IRQ 8
 * is asserted while IRQF is set. What is not modelled: the divider bits
 * (the clock always runs), daylight saving (DSE), the square-wave output.
 */
#include <string.h>
#include <time.h>
#include "rtc.h"

#define RTC_PORT	0x70
#define REG_SEC		0x00
#define REG_MIN		0x02
#define REG_HOUR	0x04
#define REG_WDAY	0x06
#define REG_MDAY	0x07
#define REG_MONTH	0x08
#define REG_YEAR	0x09
#define REG_A		0x0a
#define REG_B		0x0b
#define REG_C		0x0c
#define REG_D		0x0d
#define REG_CENTURY	0x32
#define A_UIP		0x80
#define A_RATE		0x0f
#define B_SET		0x80
#define B_PIE		0x40
#define B_AIE		0x20
#define B_UIE		0x10
#define B_DM_BINARY	0x04
#define B_24H		0x02
#define C_IRQF		0x80
#define C_PF		0x40	/* C's PF, AF and UF sit where B's PIE, AIE, UIE do */
#define C_AF		0x20
#define C_UF		0x10
#define C_FLAGS		(C_PF | C_AF | C_UF)
#define D_VRT		0x80
#define ALARM_ANY	0xc0
#define NS		1000000000LL
#define UIP_NS		244000
#define DIVIDER_HZ	32768
#define ALARM_SCAN_MAX	86400	/* every alarm pattern recurs within a day */
/*
 * The latest second the clock can be set to, and minus it the earliest:
 * mid-1716 to mid-2223, whose nanoseconds fit in the signed 64 bits the clock
 * counts in. A guest's century byte can name the year 25599.
 */
#define CLOCK_MAX_SEC	8000000000LL

static const uint8_t clock_regs[] = {
	REG_SEC, REG_MIN, REG_HOUR, REG_WDAY, REG_MDAY, REG_MONTH, REG_YEAR, REG_CENTURY,
};

static int is_clock_reg(unsigned int reg)
{
	return memchr(clock_regs, (int)reg, sizeof(clock_regs)) != NULL;
}

/* Floor division, right for times before 1970 too. */
static int64_t floor_div(__int128 a, int64_t b)
{
	__int128 q = a / b;

	return (int64_t)(q * b > a ? q - 1 : q);
}

static int64_t guest_ns(const struct rtc *r)
{
	return (int64_t)r->now(r->ctx) + r->offset;
}

static uint8_t encode(const struct rtc *r, unsigned int v)
{
	return r->cmos[REG_B] & B_DM_BINARY ? (uint8_t)v : (uint8_t)((v / 10 % 10) << 4 | v % 10);
}

static unsigned int decode(const struct rtc *r, uint8_t v)
{
	return r->cmos[REG_B] & B_DM_BINARY ? v : (v >> 4) * 10 + (v & 15);
}

static uint8_t encode_hour(const struct rtc *r, unsigned int h)
{
	if (r->cmos[REG_B] & B_24H)
		return encode(r, h);
	return encode(r, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0);
}

static unsigned int decode_hour(const struct rtc *r, uint8_t v)
{
	if (r->cmos[REG_B] & B_24H)
		return decode(r, v);
	return decode(r, v & 0x7f) % 12 + (v & 0x80 ? 12 : 0);
}

static void broken_down(int64_t sec, struct tm *tm)
{
	time_t t = (time_t)sec;

	gmtime_r(&t, tm);
}

/* The clock's registers for second @sec since 1970, into @regs (indexed as cmos). */
static void clock_to_regs(const struct rtc *r, int64_t sec, uint8_t *regs)
{
	struct tm tm;
	unsigned int year;

	broken_down(sec, &tm);
	year = (unsigned int)tm.tm_year + 1900;
	regs[REG_SEC] = encode(r, (unsigned int)tm.tm_sec);
	regs[REG_MIN] = encode(r, (unsigned int)tm.tm_min);
	regs[REG_HOUR] = encode_hour(r, (unsigned int)tm.tm_hour);
	regs[REG_WDAY] = encode(r, (unsigned int)tm.tm_wday + 1);
	regs[REG_MDAY] = encode(r, (unsigned int)tm.tm_mday);
	regs[REG_MONTH] = encode(r, (unsigned int)tm.tm_mon + 1);
	regs[REG_YEAR] = encode(r, year % 100);
	regs[REG_CENTURY] = encode(r, year / 100);
}

/*
 * The second the registers in cmos name (out-of-range fields carry over),
 * within the clock's range.
 */
static int64_t regs_to_clock(const struct rtc *r)
{
	const uint8_t *c = r->cmos;
	struct tm tm = {
		.tm_sec = (int)decode(r, c[REG_SEC]), .tm_min = (int)decode(r, c[REG_MIN]),
		.tm_hour = (int)decode_hour(r, c[REG_HOUR]), .tm_mday = (int)decode(r, c[REG_MDAY]),
		.tm_mon = (int)decode(r, c[REG_MONTH]) - 1,
		.tm_year = (int)(decode(r, c[REG_CENTURY]) * 100 + decode(r, c[REG_YEAR])) - 1900,
	};

	int64_t sec = (int64_t)timegm(&tm);

	return sec > CLOCK_MAX_SEC ? CLOCK_MAX_SEC : sec < -CLOCK_MAX_SEC ? -CLOCK_MAX_SEC : sec;
}

/* The clock now runs from @ns (guest time); flags start from there. */
static void set_clock(struct rtc *r, int64_t ns)
{
	r->offset = ns - (int64_t)r->now(r->ctx);
	r->flags_at = ns;
}

/* The periodic rate, in cycles of the 32.768 kHz divider; 0: none. */
static unsigned int periodic_cycles(const struct rtc *r)
{
	unsigned int rs = r->cmos[REG_A] & A_RATE;

	if (!rs)
		return 0;
	return rs <= 2 ? 64U << rs : 1U << (rs - 1);	/* 1, 2: 256 Hz, 128 Hz */
}

static int64_t periodic_index(int64_t ns, unsigned int cycles)
{
	return floor_div((__int128)ns * DIVIDER_HZ, (int64_t)cycles * NS);
}

/* The first nanosecond of periodic boundary @k. */
static int64_t periodic_ns(int64_t k, unsigned int cycles)
{
	__int128 num = (__int128)k * cycles * NS;

	return -floor_div(-num, DIVIDER_HZ);
}

static int alarm_matches(const struct rtc *r, const struct tm *tm)
{
	const uint8_t *a = r->cmos;

	return ((a[1] & ALARM_ANY) == ALARM_ANY || decode(r, a[1]) == (unsigned int)tm->tm_sec) &&
	       ((a[3] & ALARM_ANY) == ALARM_ANY || decode(r, a[3]) == (unsigned int)tm->tm_min) &&
	       ((a[5] & ALARM_ANY) == ALARM_ANY ||
		decode_hour(r, a[5]) == (unsigned int)tm->tm_hour);
}

/* Whether a second after @from_sec up to @to_sec matches the alarm. */
static int alarm_between(const struct rtc *r, int64_t from_sec, int64_t to_sec)
{
	struct tm tm;
	int64_t s;

	if (to_sec - from_sec > ALARM_SCAN_MAX)
		from_sec = to_sec - ALARM_SCAN_MAX;
	for (s = from_sec + 1; s <= to_sec; s++) {
		broken_down(s, &tm);
		if (alarm_matches(r, &tm))
			return 1;
	}
	return 0;
}

/* IRQF from the flags and their enables; IRQ 8 follows it. Return: 1 if raised now. */
static int update_irqf(struct rtc *r)
{
	if (!(r->cmos[REG_C] & r->cmos[REG_B] & C_FLAGS))
		return 0;
	r->cmos[REG_C] |= C_IRQF;
	if (r->irq)
		return 0;
	r->irq = 1;
	r->set_irq(r->ctx, 1);
	return 1;
}

/* Count the flags' events from flags_at up to guest time @t. Return: as update_irqf(). */
static int update_flags(struct rtc *r, int64_t t)
{
	unsigned int cycles = periodic_cycles(r);
	int64_t from = r->flags_at;

	if (t <= from)
		return 0;
	if (cycles && periodic_index(t, cycles) > periodic_index(from, cycles))
		r->cmos[REG_C] |= C_PF;
	if (!(r->cmos[REG_B] & B_SET) && floor_div(t, NS) > floor_div(from, NS)) {
		r->cmos[REG_C] |= C_UF;
		if (alarm_between(r, floor_div(from, NS), floor_div(t, NS)))
			r->cmos[REG_C] |= C_AF;
	}
	r->flags_at = t;
	return update_irqf(r);
}

static uint8_t rtc_read_reg(struct rtc *r, unsigned int reg)
{
	int64_t t = guest_ns(r);
	uint8_t regs[128], v;

	if (is_clock_reg(reg) && !(r->cmos[REG_B] & B_SET)) {
		clock_to_regs(r, floor_div(t, NS), regs);
		return regs[reg];
	}
	switch (reg) {
	case REG_A:
		v = r->cmos[REG_A];
		if (!(r->cmos[REG_B] & B_SET) && t - floor_div(t, NS) * NS >= NS - UIP_NS)
			v |= A_UIP;
		return v;
	case REG_C:
		update_flags(r, t);
		v = r->cmos[REG_C];
		r->cmos[REG_C] = 0;
		if (r->irq) {
			r->irq = 0;
			r->set_irq(r->ctx, 0);
		}
		if (r->changed)
			r->changed(r->ctx);	/* interrupts may come again */
		return v;
	default:
		return r->cmos[reg];
	}
}

static void rtc_write_reg(struct rtc *r, unsigned int reg, uint8_t v)
{
	int64_t t = guest_ns(r), frac = t - floor_div(t, NS) * NS;
	uint8_t old = r->cmos[REG_B];

	if (is_clock_reg(reg)) {
		if (!(old & B_SET))	/* a running clock goes on from the new value */
			clock_to_regs(r, floor_div(t, NS), r->cmos);
		r->cmos[reg] = v;
		if (!(old & B_SET))
			set_clock(r, regs_to_clock(r) * NS + frac);
		return;
	}
	switch (reg) {
	case REG_A:
		update_flags(r, t);	/* the old rate up to now */
		r->cmos[REG_A] = v & (uint8_t)~A_UIP;
		break;
	case REG_B:
		update_flags(r, t);
		if (v & B_SET)
			v &= (uint8_t)~B_UIE;	/* as the chip does */
		/* Registers are read in the mode they were written in, frozen in the new one. */
		if (!(v & B_SET) && (old & B_SET))
			set_clock(r, regs_to_clock(r) * NS);	/* a second starts now */
		r->cmos[REG_B] = v;
		if ((v & B_SET) && !(old & B_SET))
			clock_to_regs(r, floor_div(t, NS), r->cmos);	/* frozen for writing */
		update_irqf(r);
		break;
	case REG_C:
	case REG_D:
		return;		/* read-only */
	default:
		r->cmos[reg] = v;
		return;
	}
	if (r->changed)
		r->changed(r->ctx);
}

static uint64_t rtc_port_read(void *ctx, uint64_t off, unsigned int size)
{
	struct rtc *r = ctx;

	(void)size;
	return off ? rtc_read_reg(r, r->index) : 0xff;	/* the index is write-only */
}

static int rtc_port_write(void *ctx, uint64_t off, unsigned int size, uint64_t value)
{
	struct rtc *r = ctx;

	(void)size;
	if (off) {
		rtc_write_reg(r, r->index, (uint8_t)value);
	} else {
		r->index = value & 0x7f;
		r->nmi_masked = (value >> 7) & 1;
	}
	return 0;
}

/**
 * rtc_next_irq() - when the clock's next interrupt is due
 * @r: the clock
 *
 * Return: host monotonic time in ns, or %RTC_NEVER while IRQ 8 is asserted
 * (the guest must read C first) or no interrupt is enabled.
 */
uint64_t rtc_next_irq(struct rtc *r)
{
	unsigned int cycles = periodic_cycles(r);
	uint8_t b = r->cmos[REG_B];
	int64_t t = guest_ns(r), next = INT64_MAX;

	if (r->irq)
		return RTC_NEVER;
	if ((b & B_PIE) && cycles)
		next = periodic_ns(periodic_index(t, cycles) + 1, cycles);
	if ((b & (B_AIE | B_UIE)) && !(b & B_SET) && (floor_div(t, NS) + 1) * NS < next)
		next = (floor_div(t, NS) + 1) * NS;
	if (next == INT64_MAX)
		return RTC_NEVER;
	next -= r->offset;
	return next < 0 ? 0 : (uint64_t)next;
}

/**
 * rtc_expire() - count the flags up to now and raise IRQ 8 if one is due
 * @r: the clock
 *
 * Return: 1 when IRQ 8 was raised, else 0.
 */
int rtc_expire(struct rtc *r)
{
	return update_flags(r, guest_ns(r));
}

static void cmos_word(uint8_t *cmos, unsigned int reg, uint64_t v)
{
	cmos[reg] = (uint8_t)v;
	cmos[reg + 1] = (uint8_t)(v >> 8);
}

/**
 * rtc_init() - the clock at the given time, and CMOS memory as QEMU's PC fills it
 * @r: the clock
 * @ports: the port bus
 * @pc: RAM sizes and CPUs (what SeaBIOS reads from CMOS), the start time
 * @now: the host's monotonic time in ns
 * @set_irq: drives ISA IRQ 8
 * @changed: called when the next interrupt may have moved (NULL: nobody waits)
 * @ctx: passed to the three
 *
 * Return: 0, or -1 when the bus has no room or the ports are taken.
 */
int rtc_init(struct rtc *r, struct bus *ports, const struct rtc_platform *pc,
	     uint64_t (*now)(void *ctx), void (*set_irq)(void *ctx, int level),
	     void (*changed)(void *ctx), void *ctx)
{
	const struct bus_device dev = {
		.name = "RTC", .base = RTC_PORT, .len = 2,
		.read = rtc_port_read, .write = rtc_port_write, .ctx = r,
	};
	uint64_t below_4g = pc->ram_size - pc->ram_above_4g, kib;

	*r = (struct rtc){ .now = now, .set_irq = set_irq, .changed = changed, .ctx = ctx };
	r->cmos[REG_A] = 0x26;		/* 32.768 kHz divider, 1024 Hz rate */
	r->cmos[REG_B] = B_24H;		/* BCD, 24-hour */
	r->cmos[REG_D] = D_VRT;
	r->cmos[0x14] = 0x06;		/* equipment: FPU, PS/2 mouse, no floppy */
	cmos_word(r->cmos, 0x15, 640);	/* base memory, KiB */
	kib = below_4g > (1 << 20) ? (below_4g - (1 << 20)) >> 10 : 0;
	cmos_word(r->cmos, 0x17, kib > 0xffff ? 0xffff : kib);	/* above 1 MiB, KiB */
	cmos_word(r->cmos, 0x30, kib > 0xffff ? 0xffff : kib);
	kib = below_4g > (16 << 20) ? (below_4g - (16 << 20)) >> 16 : 0;
	cmos_word(r->cmos, 0x34, kib > 0xffff ? 0xffff : kib);	/* above 16 MiB, 64 KiB */
	kib = pc->ram_above_4g >> 16;				/* above 4 GiB, 64 KiB */
	cmos_word(r->cmos, 0x5b, kib);
	r->cmos[0x5d] = (uint8_t)(kib >> 16);
	r->cmos[0x5f] = (uint8_t)(pc->cpus - 1);
	set_clock(r, pc->unix_ns);
	return bus_add(ports, &dev);
}
