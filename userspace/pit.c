// SPDX-License-Identifier: GPL-2.0
/*
 * minivm launcher: the 8254 PIT and port 0x61 (see pit.h). What each mode
 * does, after Intel's 8254 data sheet:
 *
 *   0  interrupt on terminal count: OUT low from the control word until the
 *      count runs out, then high
 *   1  one-shot: a gate edge starts it; OUT low until the count runs out
 *   2  rate generator: OUT low for one clock every count clocks
 *   3  square wave: OUT high for half the count, low for the other half
 *   4  software strobe: OUT low for one clock when the count runs out
 *   5  hardware strobe: as 4, started by a gate edge
 *
 * A low gate stops counting in modes 0, 2, 3 and 4 (and holds OUT high in
 * 2 and 3); its rising edge restarts modes 1, 2, 3 and 5 from the count.
 * Only channel 2's gate moves (port 0x61 bit 0). Channel 0's OUT drives
 * IRQ 0, which the PIC and I/O APIC take on its rising edges: each edge is
 * sent as a pulse, and edges the launcher was too late for are merged
 * into one, as with KVM's PIT when it does not reinject.
 *
 * The PIT starts idle, as no BIOS has programmed it: under QEMU, SeaBIOS
 * leaves channel 0 at 18.2 Hz; a guest of minivm's programs what it uses.
 */
#include <string.h>
#include "pit.h"

#define PIT_PORT	0x40
#define PORT_B		0x61
#define PORT_B_GATE2	0x01
#define PORT_B_WRITABLE	0x0f
#define PORT_B_REFRESH	0x10	/* toggles every 15 us: DRAM refresh, once */
#define PORT_B_OUT2	0x20
#define REFRESH_NS	15085
#define NS		1000000000ULL

static uint64_t ns_to_ticks(uint64_t ns)
{
	return (uint64_t)((unsigned __int128)ns * PIT_HZ / NS);
}

/* The first nanosecond of tick @t: ns_to_ticks(ticks_to_ns(t)) == t. */
static uint64_t ticks_to_ns(uint64_t t)
{
	return (uint64_t)(((unsigned __int128)t * NS + PIT_HZ - 1) / PIT_HZ);
}

static uint64_t ticks_now(const struct pit *p)
{
	return ns_to_ticks(p->now(p->ctx));
}

static uint32_t from_bcd(uint16_t v)
{
	return (v >> 12) * 1000 + ((v >> 8) & 15) * 100 + ((v >> 4) & 15) * 10 + (v & 15);
}

static uint16_t to_bcd(uint32_t v)
{
	return (uint16_t)((v / 1000 % 10) << 12 | (v / 100 % 10) << 8 | (v / 10 % 10) << 4 |
			  v % 10);
}

/* The counter's range: 65536 states, or 10000 in BCD. */
static uint32_t modulus(const struct pit_channel *c)
{
	return c->bcd ? 10000 : 65536;
}

/* The count in clocks: a count of 0 is the largest. */
static uint32_t period(const struct pit_channel *c)
{
	uint32_t n = c->bcd ? from_bcd(c->count) : c->count;

	return n ? n : modulus(c);
}

static int gate_stops_counting(const struct pit_channel *c)
{
	return c->mode != 1 && c->mode != 5;
}

/* Clocks counted since the count was loaded or the gate restarted it. */
static uint64_t elapsed(const struct pit_channel *c, uint64_t now)
{
	if (!c->armed)
		return 0;
	if (!c->gate && gate_stops_counting(c))
		return c->held;
	return now - c->start;
}

static uint16_t counter(const struct pit_channel *c, uint64_t d)
{
	uint32_t n = period(c), m = modulus(c), half = (n + 1) / 2, v;

	if (!c->armed)
		return c->count;
	switch (c->mode) {
	case 2:
		v = n - (uint32_t)(d % n);
		break;
	case 3:		/* by two, twice a period; an odd count loses its low bit */
		v = (uint32_t)(d % n);
		v = (n - 2 * (v < half ? v : v - half)) & ~1U;
		break;
	default:	/* down to 0, then on from the top */
		v = (n + m - (uint32_t)(d % m)) % m;
		break;
	}
	return c->bcd ? to_bcd(v % 10000) : (uint16_t)v;
}

static int output(const struct pit_channel *c, uint64_t d)
{
	uint64_t n = period(c);

	if (!c->armed)
		return c->mode != 0;
	switch (c->mode) {
	case 0:
	case 1:
		return d >= n;
	case 2:
		return !c->gate || d % n != n - 1;
	case 3:
		return !c->gate || d % n < (n + 1) / 2;
	default:
		return d != n;
	}
}

/* The first rising edge of OUT after @d clocks, in clocks, or PIT_NEVER. */
static uint64_t next_edge(const struct pit_channel *c, uint64_t d)
{
	uint64_t n = period(c);

	if (!c->armed || (!c->gate && gate_stops_counting(c)))
		return PIT_NEVER;
	switch (c->mode) {
	case 0:
	case 1:
		return d < n ? n : PIT_NEVER;
	case 2:
	case 3:
		return (d / n + 1) * n;
	default:
		return d <= n ? n + 1 : PIT_NEVER;
	}
}

static uint8_t status_byte(const struct pit_channel *c, uint64_t now)
{
	return (uint8_t)(output(c, elapsed(c, now)) << 7 | c->null_count << 6 | c->rw << 4 |
			 c->mode << 1 | c->bcd);
}

/* Channel 0's interrupts start over from its new state. */
static void channel0_changed(struct pit *p, const struct pit_channel *c)
{
	if (c == &p->ch[0] && p->changed)
		p->changed(p->ctx);
}

/* Counting (re)starts now: a count loaded, or a gate edge that triggers. */
static void start(struct pit *p, struct pit_channel *c)
{
	c->start = ticks_now(p);
	c->held = 0;
	c->armed = 1;
	c->irq_done = 0;
}

static void load(struct pit *p, struct pit_channel *c, uint16_t count)
{
	c->count = count;
	c->null_count = 0;
	if (gate_stops_counting(c))
		start(p, c);
	else
		c->armed = 0;	/* modes 1 and 5 wait for the gate's edge */
	channel0_changed(p, c);
}

static void latch_count(struct pit_channel *c, uint64_t now)
{
	if (c->latched)
		return;		/* the first latch holds until read */
	c->latch = counter(c, elapsed(c, now));
	c->latched = c->rw == 3 ? 2 : 1;
}

static void control(struct pit *p, uint8_t v)
{
	uint64_t now = ticks_now(p);
	unsigned int i, rw = (v >> 4) & 3;
	struct pit_channel *c;

	if ((v >> 6) == 3) {	/* read-back: bits 3:1 select the channels */
		for (i = 0; i < 3; i++) {
			c = &p->ch[i];
			if (!(v & (2 << i)))
				continue;
			if (!(v & 0x20))
				latch_count(c, now);
			if (!(v & 0x10) && c->status < 0)
				c->status = status_byte(c, now);
		}
		return;
	}
	c = &p->ch[v >> 6];
	if (!rw) {
		latch_count(c, now);
		return;
	}
	c->mode = (v >> 1) & 7;
	if (c->mode > 5)
		c->mode -= 4;	/* 6 and 7 are 2 and 3 */
	c->rw = (uint8_t)rw;
	c->bcd = v & 1;
	c->armed = 0;
	c->null_count = 1;
	c->latched = 0;
	c->status = -1;
	c->read_msb = 0;
	c->write_lsb = -1;
	channel0_changed(p, c);
}

static uint8_t counter_read(struct pit *p, struct pit_channel *c)
{
	uint16_t v;
	int msb;

	if (c->status >= 0) {
		v = (uint16_t)c->status;
		c->status = -1;
		return (uint8_t)v;
	}
	if (c->latched) {
		v = c->latch;
		msb = c->rw == 2 || (c->rw == 3 && c->latched == 1);
		c->latched--;
	} else {
		v = counter(c, elapsed(c, ticks_now(p)));
		msb = c->rw == 2 || (c->rw == 3 && c->read_msb);
		if (c->rw == 3)
			c->read_msb ^= 1;
	}
	return (uint8_t)(msb ? v >> 8 : v);
}

static void counter_write(struct pit *p, struct pit_channel *c, uint8_t v)
{
	switch (c->rw) {
	case 1:
		load(p, c, v);
		break;
	case 2:
		load(p, c, (uint16_t)(v << 8));
		break;
	default:
		if (c->write_lsb < 0) {
			c->write_lsb = v;
			if (c->mode == 0) {	/* the first byte stops mode 0 */
				c->armed = 0;
				channel0_changed(p, c);
			}
		} else {
			load(p, c, (uint16_t)(c->write_lsb | v << 8));
			c->write_lsb = -1;
		}
	}
}

static uint8_t pit_read(void *ctx, unsigned int off)
{
	struct pit *p = ctx;

	return off < 3 ? counter_read(p, &p->ch[off]) : 0xff;	/* the control port */
}

static void pit_write(void *ctx, unsigned int off, uint8_t v)
{
	struct pit *p = ctx;

	if (off < 3)
		counter_write(p, &p->ch[off], v);
	else
		control(p, v);
}

static uint64_t pit_ports_read(void *ctx, uint64_t off, unsigned int size)
{
	return bus_read_bytes(pit_read, ctx, off, size, 4);
}

static int pit_ports_write(void *ctx, uint64_t off, unsigned int size, uint64_t value)
{
	bus_write_bytes(pit_write, ctx, off, size, 4, value);
	return 0;
}

static void set_gate2(struct pit *p, int gate)
{
	struct pit_channel *c = &p->ch[2];
	uint64_t now = ticks_now(p);

	if (gate == c->gate)
		return;
	if (!gate) {
		c->held = elapsed(c, now);
	} else if (c->mode == 0 || c->mode == 4) {
		c->start = now - c->held;	/* resumes */
	} else if (c->null_count == 0) {
		start(p, c);			/* a trigger: from the count again */
	}
	c->gate = (uint8_t)gate;
}

static uint64_t port_b_read(void *ctx, uint64_t off, unsigned int size)
{
	struct pit *p = ctx;
	uint64_t ns = p->now(p->ctx);
	const struct pit_channel *c = &p->ch[2];

	(void)off;
	(void)size;
	return p->port61 | ((ns / REFRESH_NS) & 1 ? PORT_B_REFRESH : 0) |
	       (output(c, elapsed(c, ns_to_ticks(ns))) ? PORT_B_OUT2 : 0);
}

static int port_b_write(void *ctx, uint64_t off, unsigned int size, uint64_t value)
{
	struct pit *p = ctx;

	(void)off;
	(void)size;
	p->port61 = value & PORT_B_WRITABLE;
	set_gate2(p, value & PORT_B_GATE2);
	return 0;
}

/**
 * pit_next_irq() - when channel 0's next interrupt is due
 * @p: the PIT
 *
 * Return: the host time in ns (as @p->now tells it), or %PIT_NEVER when
 * channel 0's output has no rising edge to come.
 */
uint64_t pit_next_irq(const struct pit *p)
{
	const struct pit_channel *c = &p->ch[0];
	uint64_t edge = next_edge(c, c->irq_done), when;

	if (edge == PIT_NEVER)
		return PIT_NEVER;
	when = ticks_to_ns(c->start + edge);
	return when < p->last_irq + PIT_MIN_IRQ_NS ? p->last_irq + PIT_MIN_IRQ_NS : when;
}

/**
 * pit_expire() - send channel 0's interrupt if it is due
 * @p: the PIT
 *
 * Edges that went by since the last call are sent as one.
 *
 * Return: 1 when IRQ 0 was pulsed, else 0.
 */
int pit_expire(struct pit *p)
{
	struct pit_channel *c = &p->ch[0];
	uint64_t when = pit_next_irq(p), ns = p->now(p->ctx);

	if (when == PIT_NEVER || ns < when)
		return 0;
	c->irq_done = elapsed(c, ns_to_ticks(ns));
	p->last_irq = ns;
	p->set_irq(p->ctx, 1);
	p->set_irq(p->ctx, 0);
	return 1;
}

/**
 * pit_init() - an idle PIT, on the port bus
 * @p: the PIT
 * @ports: the port bus
 * @now: the host's monotonic time in ns
 * @set_irq: drives ISA IRQ 0
 * @changed: called when channel 0 is reprogrammed (NULL: nobody waits)
 * @ctx: passed to the three
 *
 * Return: 0, or -1 when the bus has no room or the ports are taken.
 */
int pit_init(struct pit *p, struct bus *ports, uint64_t (*now)(void *ctx),
	     void (*set_irq)(void *ctx, int level), void (*changed)(void *ctx), void *ctx)
{
	const struct bus_device devs[] = {
		{ .name = "8254 PIT", .base = PIT_PORT, .len = 4,
		  .read = pit_ports_read, .write = pit_ports_write, .ctx = p },
		{ .name = "port B", .base = PORT_B, .len = 1,
		  .read = port_b_read, .write = port_b_write, .ctx = p },
	};
	unsigned int i;

	*p = (struct pit){ .now = now, .set_irq = set_irq, .changed = changed, .ctx = ctx };
	for (i = 0; i < 3; i++)
		p->ch[i] = (struct pit_channel){ .mode = 3, .rw = 3, .status = -1,
						 .write_lsb = -1, .gate = i != 2 };
	for (i = 0; i < sizeof(devs) / sizeof(devs[0]); i++)
		if (bus_add(ports, &devs[i]))
			return -1;
	return 0;
}
