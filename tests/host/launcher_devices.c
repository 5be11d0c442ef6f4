// SPDX-License-Identifier: GPL-2.0
/*
 * The launcher's devices, without a guest: a device's ports may not
 * overlap another's, an unassigned port reads all ones (and is in the
 * bitmap of unclaimed ports the kernel is given) and unassigned
 * memory 0, writes reach only their device; fw_cfg gives QEMU's items byte
 * by byte; the I/O APIC's registers, its edge and level pins, masking and
 * EOI; pc-testdev's latch, I/O memory and interrupt lines; the 8259 pair's
 * initialization, masking, priorities, cascade, EOIs, level IRQs and poll;
 * the 8254's modes, latches, read-back, gate and interrupts, and the RTC's
 * registers, modes, SET, UIP and interrupts, on a clock the test moves;
 * the 8042's probing answers and its reset line; the 16550A's FIFO and
 * interrupts.
 * Prints one line per failed check; exits 1 if any failed.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "check.h"
#include "acpi_pm.h"
#include "bus.h"
#include "fw_cfg.h"
#include "i8042.h"
#include "ioapic.h"
#include "pc_testdev.h"
#include "pic.h"
#include "pit.h"
#include "rtc.h"
#include "uart.h"


static uint64_t last;

static int exit_write(void *ctx, uint64_t off, unsigned int size, uint64_t value)
{
	(void)ctx;
	(void)off;
	(void)size;
	last = value;
	return 7;
}

static uint64_t rd(const struct bus *b, uint16_t port, unsigned int size)
{
	uint64_t v = 0x1234;

	CHECK(bus_access(b, port, size, 1, &v) == 0);
	return v;
}

/* The messages the I/O APIC sent, as the module would get them. */
static struct { uint64_t address; uint32_t data; } msgs[16];
static unsigned int nmsgs;

static int record_msi(void *ctx, uint64_t address, uint32_t data)
{
	(void)ctx;
	if (nmsgs < 16)
		msgs[nmsgs] = (typeof(msgs[0])){ address, data };
	nmsgs++;
	return 1;
}

static uint32_t io_rd(struct bus *m, uint8_t reg)
{
	uint64_t v = reg;

	bus_access(m, IOAPIC_BASE, 1, 0, &v);
	bus_access(m, IOAPIC_BASE + 0x10, 4, 1, &v);
	return (uint32_t)v;
}

static void io_wr(struct bus *m, uint8_t reg, uint32_t value)
{
	uint64_t v = reg;

	bus_access(m, IOAPIC_BASE, 1, 0, &v);
	v = value;
	bus_access(m, IOAPIC_BASE + 0x10, 4, 0, &v);
}

static void ioapic_checks(void)
{
	struct bus m;
	struct ioapic io;
	uint64_t v;

	bus_init(&m, BUS_MEMORY, 0);
	CHECK(ioapic_init(&io, &m, record_msi, NULL) == 0);
	CHECK(io_rd(&m, 0x01) == 0x00170020);		/* version 0x20, 24 pins */
	CHECK(io_rd(&m, 0x00) == 0);
	io_wr(&m, 0x00, 0xff000000);
	CHECK(io_rd(&m, 0x00) == 0x0f000000);		/* a 4-bit ID */
	CHECK(io_rd(&m, 0x10 + 2 * 5) == 0x10000);	/* masked at reset */
	CHECK(io_rd(&m, 0x11 + 2 * 5) == 0);
	/* Pin 5: vector 0x55, fixed, physical, edge, to APIC 3. */
	io_wr(&m, 0x11 + 2 * 5, 0x03000000);
	io_wr(&m, 0x10 + 2 * 5, 0x55);
	CHECK(io_rd(&m, 0x10 + 2 * 5) == 0x55 && io_rd(&m, 0x11 + 2 * 5) == 0x03000000);
	io_wr(&m, 0x10 + 2 * 5, 0x55 | 0x5000 | 0xfffe0000);	/* read-only and reserved bits */
	CHECK(io_rd(&m, 0x10 + 2 * 5) == 0x55);
	nmsgs = 0;
	ioapic_set_line(&io, 5, 1);
	CHECK(nmsgs == 1 && msgs[0].address == 0xfee03000 && msgs[0].data == 0x4055);
	ioapic_set_line(&io, 5, 1);			/* no edge: nothing */
	ioapic_set_line(&io, 5, 0);
	CHECK(nmsgs == 1);
	io_wr(&m, 0x10 + 2 * 5, 0x10055);		/* masked: an edge is lost */
	ioapic_set_line(&io, 5, 1);
	ioapic_set_line(&io, 5, 0);
	io_wr(&m, 0x10 + 2 * 5, 0x55);
	CHECK(nmsgs == 1);
	/* Pin 9: level-triggered, logical destination 0x0f, lowest priority. */
	io_wr(&m, 0x11 + 2 * 9, 0x0f000000);
	io_wr(&m, 0x10 + 2 * 9, 0x10000 | 0x8000 | 0x800 | 0x100 | 0x59);
	ioapic_set_line(&io, 9, 1);
	CHECK(nmsgs == 1);				/* masked */
	io_wr(&m, 0x10 + 2 * 9, 0x8000 | 0x800 | 0x100 | 0x59);	/* unmasked while asserted */
	CHECK(nmsgs == 2 && msgs[1].address == 0xfee0f004 && msgs[1].data == 0xc159);
	CHECK(io_rd(&m, 0x10 + 2 * 9) & 0x4000);	/* Remote IRR */
	ioapic_set_line(&io, 9, 1);
	CHECK(nmsgs == 2);				/* in service: held */
	ioapic_eoi(&io, 0x58);				/* another vector: nothing */
	CHECK(nmsgs == 2 && (io_rd(&m, 0x10 + 2 * 9) & 0x4000));
	ioapic_eoi(&io, 0x59);				/* still asserted: again */
	CHECK(nmsgs == 3 && (io_rd(&m, 0x10 + 2 * 9) & 0x4000));
	ioapic_set_line(&io, 9, 0);
	v = 0x59;					/* the EOI register does the same */
	bus_access(&m, IOAPIC_BASE + 0x40, 4, 0, &v);
	CHECK(nmsgs == 3 && !(io_rd(&m, 0x10 + 2 * 9) & 0x4000));
	/* Switching a pin to edge drops its Remote IRR. */
	ioapic_set_line(&io, 9, 1);
	CHECK(nmsgs == 4);
	io_wr(&m, 0x10 + 2 * 9, 0x59);
	CHECK(!(io_rd(&m, 0x10 + 2 * 9) & 0x4000));
	CHECK(io_rd(&m, 0x10 + 2 * 24) == 0);		/* no pin 24 */
}

static unsigned int irq_sets[16];
static int irq_level[16];

static void record_irq(void *ctx, unsigned int irq, int level)
{
	(void)ctx;
	irq_sets[irq]++;
	irq_level[irq] = level;
}

static void pc_testdev_checks(void)
{
	static struct pc_testdev t = { .set_irq = record_irq };
	struct bus p, m;
	uint64_t v;

	bus_init(&p, BUS_PORTS, ~0ULL);
	bus_init(&m, BUS_MEMORY, 0);
	CHECK(pc_testdev_init(&t, &p, &m) == 0);
	v = 0x12345678;
	bus_access(&p, 0xe0, 4, 0, &v);
	CHECK(rd(&p, 0xe0, 1) == 0x78 && rd(&p, 0xe2, 1) == 0x34 && rd(&p, 0xe2, 2) == 0x1234);
	v = 0xab;
	bus_access(&p, 0xe9, 1, 0, &v);
	CHECK(rd(&p, 0xe0, 4) == 0x1234ab78 && rd(&p, 0xe8, 4) == 0x1234ab78);
	v = 0xcdef;					/* two bytes through the byte window */
	bus_access(&p, 0xea, 2, 0, &v);
	CHECK(rd(&p, 0xe0, 4) == 0xcdefab78);
	v = 0x1122334455667788ULL;
	bus_access(&m, PC_TESTDEV_IOMEM + 0x10, 8, 0, &v);
	v = 0;
	bus_access(&m, PC_TESTDEV_IOMEM + 0x12, 2, 1, &v);
	CHECK(v == 0x5566);
	bus_access(&m, PC_TESTDEV_IOMEM + 0xffff, 1, 1, &v);
	CHECK(v == 0);
	v = 1;
	bus_access(&p, 0x2007, 1, 0, &v);
	CHECK(irq_sets[7] == 1 && irq_level[7] == 1);
	v = 0;
	bus_access(&p, 0x2007, 1, 0, &v);
	CHECK(irq_sets[7] == 2 && irq_level[7] == 0);
	v = 1;
	bus_access(&p, 0x2007, 2, 0, &v);		/* one byte wide only */
	bus_access(&p, 0x2010, 1, 0, &v);		/* no ISA IRQ 16 */
	CHECK(irq_sets[7] == 2);
	CHECK(rd(&p, 0x2007, 1) == 0);
}

/* The master's INT output as the CPU would see it. */
static int pic_int;

static void record_pic_int(void *ctx, int level)
{
	(void)ctx;
	pic_int = level;
}

static void out8(struct bus *b, uint16_t port, uint8_t v)
{
	uint64_t x = v;

	CHECK(bus_access(b, port, 1, 0, &x) == 0);
}

/* ICW1-ICW4 of one chip: vector base, cascade, ICW4 (1: 8086 mode, 3: and auto-EOI). */
static void pic_program(struct bus *b, uint16_t port, uint8_t base, uint8_t cascade, uint8_t icw4)
{
	out8(b, port, 0x11);
	out8(b, port + 1, base);
	out8(b, port + 1, cascade);
	out8(b, port + 1, icw4);
}

static int irq4;

static void record_irq4(void *ctx, int level)
{
	(void)ctx;
	irq4 = level;
}

/*
 * The 16550A: transmission to a pipe, the transmitter-empty interrupt and
 * how IIR and THR clear and raise it, the receive FIFO and its interrupt
 * ranked above it, OUT2 gating the line, loopback, overrun.
 */
static void uart_checks(void)
{
	static struct uart u;
	int fds[2];
	char got[8] = { 0 };
	int i;

	if (pipe(fds)) {
		CHECK(!"a pipe");
		return;
	}
	uart_init(&u, fds[1], record_irq4, NULL);
	uart_write(&u, 0, 'h');				/* no interrupts enabled */
	uart_write(&u, 0, 'i');
	CHECK(read(fds[0], got, sizeof(got)) == 2 && !strcmp(got, "hi") && !irq4);
	CHECK(uart_read(&u, 5) == 0x60 && uart_read(&u, 2) == 0x01 && uart_read(&u, 6) == 0xb0);
	uart_write(&u, 2, 0x01);			/* FIFOs on */
	uart_write(&u, 1, 0x02);			/* THRE interrupt: THR is empty */
	CHECK(!irq4);					/* OUT2 off: the line stays low */
	uart_write(&u, 4, 0x0b);			/* DTR, RTS, OUT2 */
	CHECK(irq4 && uart_read(&u, 2) == 0xc2);
	CHECK(!irq4 && uart_read(&u, 2) == 0xc1);	/* IIR's read took it */
	uart_write(&u, 0, '!');				/* sent at once: empty again */
	CHECK(irq4);
	/* Received data outranks it; RBR drains the FIFO, in order. */
	uart_write(&u, 1, 0x03);
	CHECK(uart_rx_space(&u) == UART_FIFO);
	uart_receive(&u, (const uint8_t *)"ab", 2);
	CHECK(uart_rx_space(&u) == UART_FIFO - 2 && irq4);
	CHECK(uart_read(&u, 2) == 0xc4 && uart_read(&u, 5) == 0x61);
	CHECK(uart_read(&u, 0) == 'a' && uart_read(&u, 0) == 'b' && uart_read(&u, 5) == 0x60);
	CHECK(irq4 && uart_read(&u, 2) == 0xc2 && !irq4);
	uart_write(&u, 1, 0x01);			/* received data only */
	uart_receive(&u, (const uint8_t *)"c", 1);
	CHECK(irq4);
	uart_write(&u, 2, 0x03);			/* clear the receive FIFO */
	CHECK(!irq4 && !(uart_read(&u, 5) & 0x01));
	/* Loopback: MCR drives MSR, bytes come back, the line is quiet. */
	uart_write(&u, 1, 0x07);
	uart_write(&u, 4, 0x1d);			/* LOOP, OUT2, OUT1, DTR */
	CHECK(uart_read(&u, 6) == 0xe0 && uart_rx_space(&u) == 0);
	for (i = 0; i <= UART_FIFO; i++)
		uart_write(&u, 0, (uint8_t)('A' + i));
	CHECK(!irq4 && uart_read(&u, 0) == 'A');
	CHECK(uart_read(&u, 5) == 0x63 && uart_read(&u, 5) == 0x61);	/* overrun, once */
	uart_write(&u, 4, 0x08);
	CHECK(irq4 && uart_read(&u, 0) == 'B');
	close(fds[0]);
	close(fds[1]);
}

/*
 * ACPI's PM1 registers: SCI_EN reads set, status bits clear when 1s are
 * written, and only S5 with SLP_EN powers off, whatever the access width.
 */
static void acpi_pm_checks(void)
{
	static struct acpi_pm pm;
	struct bus b;
	uint64_t v;

	bus_init(&b, BUS_PORTS, ~0ULL);
	CHECK(acpi_pm_init(&pm, &b) == 0);
	CHECK(acpi_pm_init(&pm, &b) == -1);			/* 0x600 taken */
	CHECK(rd(&b, 0x604, 2) == 0x0001 && rd(&b, 0x600, 4) == 0);
	v = 0x0120;						/* PM1_EN: 16 bits */
	CHECK(bus_access(&b, 0x602, 2, 0, &v) == 0 && rd(&b, 0x602, 2) == 0x0120);
	pm.sts = 0x8001;					/* WAK_STS, TMR_STS */
	v = 0x8000;						/* 32 bits: clear WAK_STS, EN 0 */
	CHECK(bus_access(&b, 0x600, 4, 0, &v) == 0 && rd(&b, 0x600, 2) == 0x0001 &&
	      rd(&b, 0x602, 2) == 0);
	v = 5 << 10;						/* S5's type, no SLP_EN */
	CHECK(bus_access(&b, 0x604, 2, 0, &v) == 0 && rd(&b, 0x604, 2) == (5 << 10 | 1));
	v = 1 << 10 | 1 << 13;					/* S1 is not offered */
	CHECK(bus_access(&b, 0x604, 2, 0, &v) == 0 && !(rd(&b, 0x604, 2) & 1 << 13));
	v = 0x34;						/* high byte: S5 | SLP_EN */
	CHECK(bus_access(&b, 0x605, 1, 0, &v) == BUS_POWER_OFF);
	v = 5 << 10 | 1 << 13;
	CHECK(bus_access(&b, 0x604, 2, 0, &v) == BUS_POWER_OFF);
}

/* The 8042's interrupt lines as last driven, and how often each changed. */
static int i8042_line[16], i8042_edges[16];

static void i8042_set_irq(void *ctx, unsigned int irq, int level)
{
	(void)ctx;
	i8042_line[irq] = level;
	i8042_edges[irq]++;
}

/* The 8042: what Linux probes, and the two ways to reset the PC. */
static void i8042_checks(void)
{
	static struct i8042 k;
	struct bus b;
	uint64_t v;

	bus_init(&b, BUS_PORTS, ~0ULL);
	CHECK(i8042_init(&k, &b, 24, i8042_set_irq, NULL) == 0);
	CHECK(rd(&b, 0x64, 1) == 0x14);			/* system flag, unlocked, empty */
	v = 0xaa;					/* self-test */
	CHECK(bus_access(&b, 0x64, 1, 0, &v) == 0);
	CHECK(rd(&b, 0x64, 1) == 0x1d && rd(&b, 0x60, 1) == 0x55 && rd(&b, 0x64, 1) == 0x1c);
	v = 0x60;					/* write the command byte */
	bus_access(&b, 0x64, 1, 0, &v);
	v = 0x47;
	CHECK(bus_access(&b, 0x60, 1, 0, &v) == 0);
	v = 0x20;
	bus_access(&b, 0x64, 1, 0, &v);
	CHECK(rd(&b, 0x60, 1) == 0x47);
	v = 0xad;					/* keyboard off */
	bus_access(&b, 0x64, 1, 0, &v);
	v = 0x20;
	bus_access(&b, 0x64, 1, 0, &v);
	CHECK(rd(&b, 0x60, 1) == 0x57);
	v = 0xed;					/* a byte for the absent keyboard */
	CHECK(bus_access(&b, 0x60, 1, 0, &v) == 0 && !(rd(&b, 0x64, 1) & 1));
	/*
	 * Loopback, as Linux tests the mouse port: the byte comes back marked
	 * as the mouse's (status bit 5) with IRQ 12 while the command byte
	 * (0x47 above) enables it, and the line drops when the byte is read;
	 * the keyboard's loopback raises IRQ 1 and no mouse bit.
	 */
	CHECK(!i8042_line[1] && !i8042_line[12] && !i8042_edges[12]);
	i8042_edges[1] = 0;	/* the controller's own answers above raised IRQ 1 */
	v = 0xd3;
	bus_access(&b, 0x64, 1, 0, &v);
	v = 0x5a;
	CHECK(bus_access(&b, 0x60, 1, 0, &v) == 0);
	CHECK(rd(&b, 0x64, 1) == 0x35 && i8042_line[12] && !i8042_edges[1]);
	CHECK(rd(&b, 0x60, 1) == 0x5a && !i8042_line[12] && i8042_edges[12] == 2);
	v = 0xd2;
	bus_access(&b, 0x64, 1, 0, &v);
	v = 0xa5;
	bus_access(&b, 0x60, 1, 0, &v);
	CHECK(rd(&b, 0x64, 1) == 0x15 && i8042_line[1] && !i8042_line[12]);
	CHECK(rd(&b, 0x60, 1) == 0xa5 && !i8042_line[1]);
	v = 0x60;					/* interrupts off: no line moves */
	bus_access(&b, 0x64, 1, 0, &v);
	v = 0x44;
	bus_access(&b, 0x60, 1, 0, &v);
	v = 0xd3;
	bus_access(&b, 0x64, 1, 0, &v);
	v = 0x5a;
	bus_access(&b, 0x60, 1, 0, &v);
	CHECK(rd(&b, 0x64, 1) == 0x35 && !i8042_line[12] && i8042_edges[12] == 2);
	CHECK(rd(&b, 0x60, 1) == 0x5a);
	v = 0xd4;					/* a byte for the absent mouse */
	bus_access(&b, 0x64, 1, 0, &v);
	v = 0xf2;
	CHECK(bus_access(&b, 0x60, 1, 0, &v) == 0 && !(rd(&b, 0x64, 1) & 1));
	v = 0xff;					/* pulse nothing */
	CHECK(bus_access(&b, 0x64, 1, 0, &v) == 0);
	v = 0xfe;					/* pulse the reset line */
	CHECK(bus_access(&b, 0x64, 1, 0, &v) == 24);
	v = 0xd1;					/* output port: reset high, then low */
	bus_access(&b, 0x64, 1, 0, &v);
	v = 0xdf;
	CHECK(bus_access(&b, 0x60, 1, 0, &v) == 0);
	v = 0xd1;
	bus_access(&b, 0x64, 1, 0, &v);
	v = 0xde;
	CHECK(bus_access(&b, 0x60, 1, 0, &v) == 24);
}

static void pic_checks(void)
{
	static struct pic pic;
	struct bus b;

	bus_init(&b, BUS_PORTS, ~0ULL);
	CHECK(pic_init(&pic, &b, record_pic_int, NULL) == 0);
	/* Linux's probe: the mask it writes reads back. */
	out8(&b, 0x21, 0xff);
	CHECK(rd(&b, 0x21, 1) == 0xff);
	pic_program(&b, 0x20, 0x30, 0x04, 0x01);		/* as Linux's init_8259A() */
	pic_program(&b, 0xa0, 0x38, 0x02, 0x01);
	CHECK(rd(&b, 0x21, 1) == 0 && rd(&b, 0xa1, 1) == 0);	/* ICW1 cleared the masks */
	out8(&b, 0x21, 0xfe);					/* only IRQ 0 */
	out8(&b, 0xa1, 0xff);

	/* An edge on IRQ 0: INT, acknowledged as vector 0x30, in service, INT gone. */
	pic_set_irq(&pic, 0, 1);
	CHECK(pic_int == 1);
	CHECK(pic_acknowledge(&pic) == 0x30);
	CHECK(pic_int == 0);
	out8(&b, 0x20, 0x0b);					/* OCW3: read ISR */
	CHECK(rd(&b, 0x20, 1) == 0x01);
	pic_set_irq(&pic, 0, 0);
	pic_set_irq(&pic, 0, 1);				/* again, while in service */
	CHECK(pic_int == 0);
	out8(&b, 0x20, 0x20);					/* non-specific EOI */
	CHECK(rd(&b, 0x20, 1) == 0 && pic_int == 1);		/* ... then it comes */
	CHECK(pic_acknowledge(&pic) == 0x30);
	out8(&b, 0x20, 0x60);					/* specific EOI, IRQ 0 */
	pic_set_irq(&pic, 0, 0);

	/* A masked IRQ waits in IRR; unmasked, it comes. */
	pic_set_irq(&pic, 1, 1);
	CHECK(pic_int == 0);
	out8(&b, 0x20, 0x0a);					/* OCW3: read IRR */
	CHECK(rd(&b, 0x20, 1) == 0x02);
	out8(&b, 0x21, 0xfc);
	CHECK(pic_int == 1 && pic_acknowledge(&pic) == 0x31);

	/* Fully nested: IRQ 0 preempts IRQ 1 in service; IRQ 3 waits for both. */
	out8(&b, 0x21, 0xf0);					/* IRQs 0-3: 0, 1, 3 and the cascade */
	pic_set_irq(&pic, 3, 1);
	CHECK(pic_int == 0);
	pic_set_irq(&pic, 0, 1);
	CHECK(pic_int == 1 && pic_acknowledge(&pic) == 0x30);
	out8(&b, 0x20, 0x20);					/* ends IRQ 0, the highest */
	CHECK(pic_int == 0);
	out8(&b, 0x20, 0x20);					/* ends IRQ 1 */
	CHECK(pic_int == 1 && pic_acknowledge(&pic) == 0x33);
	out8(&b, 0x20, 0x20);
	pic_set_irq(&pic, 0, 0);
	pic_set_irq(&pic, 1, 0);
	pic_set_irq(&pic, 3, 0);

	/* The slave's IRQ 12 through the master's IRQ 2: vector 0x3c, both in service. */
	out8(&b, 0xa1, 0xef);
	pic_set_irq(&pic, 12, 1);
	CHECK(pic_int == 1 && pic_acknowledge(&pic) == 0x3c);
	out8(&b, 0xa0, 0x0b);
	CHECK(rd(&b, 0xa0, 1) == 0x10);
	out8(&b, 0x20, 0x0b);
	CHECK(rd(&b, 0x20, 1) == 0x04);
	out8(&b, 0xa0, 0x20);
	out8(&b, 0x20, 0x20);
	CHECK(rd(&b, 0xa0, 1) == 0 && rd(&b, 0x20, 1) == 0);
	pic_set_irq(&pic, 12, 0);

	/* Level-triggered through the ELCR: back after the EOI while the line stays up. */
	out8(&b, 0x4d1, 0xff);
	CHECK(rd(&b, 0x4d1, 1) == 0xde);			/* IRQs 8 and 13 stay edge */
	pic_set_irq(&pic, 12, 1);
	CHECK(pic_int == 1 && pic_acknowledge(&pic) == 0x3c);
	out8(&b, 0xa0, 0x20);
	out8(&b, 0x20, 0x20);
	CHECK(pic_int == 1 && pic_acknowledge(&pic) == 0x3c);
	pic_set_irq(&pic, 12, 0);				/* the device is satisfied */
	out8(&b, 0xa0, 0x20);
	out8(&b, 0x20, 0x20);
	CHECK(pic_int == 0);

	/*
	 * A request gone before the acknowledge is spurious. The slave's: the
	 * master latched the edge on its IRQ 2, the slave has nothing: IRQ 15,
	 * only the master's IRQ 2 in service. The master's own: IRQ 7,
	 * nothing in service.
	 */
	pic_set_irq(&pic, 12, 1);
	pic_set_irq(&pic, 12, 0);
	CHECK(pic_int == 1 && pic_acknowledge(&pic) == 0x3f);
	CHECK(rd(&b, 0xa0, 1) == 0 && rd(&b, 0x20, 1) == 0x04);	/* both read ISR */
	out8(&b, 0x20, 0x20);
	CHECK(pic_int == 0);
	pic_set_irq(&pic, 0, 1);
	out8(&b, 0x21, 0xff);					/* masked after INT rose */
	CHECK(pic_acknowledge(&pic) == 0x37);
	out8(&b, 0x20, 0x0b);
	CHECK(rd(&b, 0x20, 1) == 0);

	/* The poll command acknowledges the highest request: 0x80 | IRQ. */
	out8(&b, 0x21, 0xfe);					/* IRQ 0 latched above */
	out8(&b, 0x20, 0x0c);
	CHECK(rd(&b, 0x20, 1) == 0x80);
	out8(&b, 0x20, 0x0c);
	CHECK(rd(&b, 0x20, 1) == 0);				/* nothing more */
	out8(&b, 0x20, 0x20);

	/* Auto-EOI: acknowledged, never in service. */
	pic_set_irq(&pic, 0, 0);
	pic_program(&b, 0x20, 0x30, 0x04, 0x03);
	out8(&b, 0x21, 0xfe);
	pic_set_irq(&pic, 0, 1);
	CHECK(pic_acknowledge(&pic) == 0x30);
	out8(&b, 0x20, 0x0b);
	CHECK(rd(&b, 0x20, 1) == 0);
}

/* The PIT's clock, moved by the test; IRQ 0's rising edges, counted. */
static uint64_t pit_ns;
static unsigned int irq0_edges, pit_changes;
static int irq0;

static uint64_t pit_clock(void *ctx)
{
	(void)ctx;
	return pit_ns;
}

static void record_irq0(void *ctx, int level)
{
	(void)ctx;
	irq0_edges += level && !irq0;
	irq0 = level;
}

static void record_pit_change(void *ctx)
{
	(void)ctx;
	pit_changes++;
}

/* The first nanosecond at which @ticks PIT clocks have gone by since @ns0. */
static uint64_t after_ticks(uint64_t ns0, uint64_t ticks)
{
	return ns0 + (ticks * 1000000000ULL + PIT_HZ - 1) / PIT_HZ;
}

static uint16_t pit_latched(struct bus *b, unsigned int ch)
{
	uint16_t v;

	out8(b, 0x43, (uint8_t)(ch << 6));			/* counter latch */
	v = (uint16_t)rd(b, 0x40 + ch, 1);
	return v | (uint16_t)(rd(b, 0x40 + ch, 1) << 8);
}

static void pit_checks(void)
{
	static struct pit pit;
	const uint64_t t0 = 1000000000;	/* one second: a whole number of clocks */
	uint64_t next;
	struct bus b;

	bus_init(&b, BUS_PORTS, ~0ULL);
	pit_ns = t0;
	CHECK(pit_init(&pit, &b, pit_clock, record_irq0, record_pit_change, NULL) == 0);
	CHECK(pit_next_irq(&pit) == PIT_NEVER);			/* idle until programmed */

	/* Channel 0 as Linux's periodic PIT: mode 2, LSB then MSB, 1193 (1 kHz). */
	out8(&b, 0x43, 0x34);
	out8(&b, 0x40, 1193 & 0xff);
	CHECK(pit_next_irq(&pit) == PIT_NEVER);			/* half a count loads nothing */
	out8(&b, 0x40, 1193 >> 8);
	CHECK(pit_changes == 2);
	next = pit_next_irq(&pit);
	CHECK(next == after_ticks(t0, 1193));
	pit_ns = after_ticks(t0, 100);
	CHECK(pit_latched(&b, 0) == 1193 - 100);
	/* The live count, LSB then MSB, without a latch. */
	CHECK(rd(&b, 0x40, 1) == ((1193 - 100) & 0xff) && rd(&b, 0x40, 1) == (1193 - 100) >> 8);
	pit_ns = next - 1;
	CHECK(pit_expire(&pit) == 0 && irq0_edges == 0);
	pit_ns = next;
	CHECK(pit_expire(&pit) == 1 && irq0_edges == 1 && irq0 == 0);	/* a pulse */
	CHECK(pit_expire(&pit) == 0);
	CHECK(pit_next_irq(&pit) == after_ticks(t0, 2 * 1193));
	/* Ten periods late: one interrupt for them all, the next on the beat. */
	pit_ns = after_ticks(t0, 11 * 1193 + 5);
	CHECK(pit_expire(&pit) == 1 && irq0_edges == 2);
	CHECK(pit_next_irq(&pit) == after_ticks(t0, 12 * 1193));
	/* Read-back of channel 0's status: OUT high, count loaded, LSB/MSB, mode 2. */
	out8(&b, 0x43, 0xe2);
	CHECK(rd(&b, 0x40, 1) == 0xb4);
	/* Read-back of count and status: the status comes first. */
	out8(&b, 0x43, 0xc2);
	CHECK(rd(&b, 0x40, 1) == 0xb4 && rd(&b, 0x40, 1) == ((1193 - 5) & 0xff));
	CHECK(rd(&b, 0x40, 1) == (1193 - 5) >> 8);

	/* A count of 2 asks for 600,000 interrupts a second: 200 us apart at most. */
	out8(&b, 0x43, 0x34);
	out8(&b, 0x40, 2);
	out8(&b, 0x40, 0);
	next = pit_next_irq(&pit);
	CHECK(next == pit.last_irq + PIT_MIN_IRQ_NS);
	pit_ns = next;
	CHECK(pit_expire(&pit) == 1 && pit_next_irq(&pit) == next + PIT_MIN_IRQ_NS);

	/* Mode 0, one shot: OUT low until the count runs out, one interrupt. */
	pit_ns = 2 * t0;
	out8(&b, 0x43, 0x30);
	out8(&b, 0x40, 0x10);
	out8(&b, 0x40, 0x00);
	out8(&b, 0x43, 0xe2);
	CHECK(rd(&b, 0x40, 1) == 0x30);				/* OUT low, mode 0 */
	pit_ns = after_ticks(2 * t0, 16);
	CHECK(pit_expire(&pit) == 1 && pit_next_irq(&pit) == PIT_NEVER);
	out8(&b, 0x43, 0xe2);
	CHECK(rd(&b, 0x40, 1) == 0xb0);				/* OUT high */
	CHECK(pit_latched(&b, 0) == 0);
	pit_ns = after_ticks(2 * t0, 17);
	CHECK(pit_latched(&b, 0) == 0xffff);			/* on from the top */

	/* Channel 2 as Linux's TSC calibration: gate on, mode 0, OUT in port 0x61. */
	pit_ns = 3 * t0;
	out8(&b, 0x61, 0x01);					/* gate on, speaker off */
	out8(&b, 0x43, 0xb0);
	CHECK((rd(&b, 0x61, 1) & ~0x10) == 0x01);		/* mode 0: OUT low until counted */
	out8(&b, 0x42, 0x2e);
	out8(&b, 0x42, 0x9b);					/* 39726 clocks, 33.3 ms */
	pit_ns = after_ticks(3 * t0, 39725);
	CHECK(!(rd(&b, 0x61, 1) & 0x20));
	pit_ns = after_ticks(3 * t0, 39726);
	CHECK(rd(&b, 0x61, 1) & 0x20);
	/* The gate low stops mode 0; high again, it goes on where it was. */
	pit_ns = 4 * t0;
	out8(&b, 0x42, 100);
	out8(&b, 0x42, 0);
	pit_ns = after_ticks(4 * t0, 40);
	out8(&b, 0x61, 0x00);
	pit_ns = after_ticks(4 * t0, 500);
	CHECK(pit_latched(&b, 2) == 60 && !(rd(&b, 0x61, 1) & 0x20));
	out8(&b, 0x61, 0x01);
	pit_ns = after_ticks(4 * t0, 560);
	CHECK(pit_latched(&b, 2) == 0 && (rd(&b, 0x61, 1) & 0x20));
	/* A latched count holds until read; a second latch does not replace it. */
	out8(&b, 0x43, 0x80);
	pit_ns = after_ticks(4 * t0, 570);
	out8(&b, 0x43, 0x80);
	CHECK(rd(&b, 0x42, 1) == 0 && rd(&b, 0x42, 1) == 0);

	/* Mode 3 counts down by two, twice a period; OUT high the first half. */
	pit_ns = 5 * t0;
	out8(&b, 0x43, 0xb6);
	out8(&b, 0x42, 100);
	out8(&b, 0x42, 0);
	pit_ns = after_ticks(5 * t0, 10);
	CHECK(pit_latched(&b, 2) == 80 && (rd(&b, 0x61, 1) & 0x20));
	pit_ns = after_ticks(5 * t0, 60);
	CHECK(pit_latched(&b, 2) == 80 && !(rd(&b, 0x61, 1) & 0x20));
	/* Mode 2 with the gate low: OUT forced high, and the gate's edge reloads. */
	out8(&b, 0x43, 0xb4);
	out8(&b, 0x42, 50);
	out8(&b, 0x42, 0);
	out8(&b, 0x61, 0x00);
	CHECK(rd(&b, 0x61, 1) & 0x20);
	pit_ns = after_ticks(5 * t0, 1000);
	out8(&b, 0x61, 0x01);
	pit_ns = after_ticks(5 * t0, 1049);
	CHECK(pit_latched(&b, 2) == 1 && !(rd(&b, 0x61, 1) & 0x20));	/* the low clock */

	/* LSB-only access, BCD counting. */
	out8(&b, 0x43, 0x91);					/* channel 2, LSB, mode 0, BCD */
	pit_ns = 6 * t0;
	out8(&b, 0x42, 0x25);					/* 25 in BCD */
	pit_ns = after_ticks(6 * t0, 7);
	out8(&b, 0x43, 0x80);
	CHECK(rd(&b, 0x42, 1) == 0x18);
	pit_ns = after_ticks(6 * t0, 26);
	out8(&b, 0x43, 0x80);
	CHECK(rd(&b, 0x42, 1) == 0x99);				/* 9999, LSB */
	/* Port 0x61: bits 3:0 as written, bit 4 toggles with time. */
	out8(&b, 0x61, 0xff);
	CHECK((rd(&b, 0x61, 1) & 0xcf) == 0x0f);
	pit_ns = 7 * t0;
	next = rd(&b, 0x61, 1) & 0x10;
	pit_ns += 15085;
	CHECK((rd(&b, 0x61, 1) & 0x10) != next);
}

static int irq8;

static void record_irq8(void *ctx, int level)
{
	(void)ctx;
	irq8 = level;
}

static uint8_t cmos_rd(struct bus *b, uint8_t reg)
{
	out8(b, 0x70, reg);
	return (uint8_t)rd(b, 0x71, 1);
}

static void cmos_wr(struct bus *b, uint8_t reg, uint8_t v)
{
	out8(b, 0x70, reg);
	out8(b, 0x71, v);
}

static void rtc_checks(void)
{
	static struct rtc rtc;
	struct tm start = { .tm_year = 2026 - 1900, .tm_mon = 11, .tm_mday = 4, .tm_hour = 13,
			    .tm_min = 2, .tm_sec = 3 };	/* a Friday */
	const uint64_t t0 = 5000000000ULL;		/* the host's monotonic clock */
	struct rtc_platform pc = { .ram_size = 128 << 20, .cpus = 2,
				   .unix_ns = (int64_t)timegm(&start) * 1000000000LL + 500000000 };
	uint64_t next;
	struct bus b;

	bus_init(&b, BUS_PORTS, ~0ULL);
	pit_ns = t0;
	CHECK(rtc_init(&rtc, &b, &pc, pit_clock, record_irq8, record_pit_change, NULL) == 0);
	/* The host's time, BCD, 24-hour; status registers at their reset values. */
	CHECK(cmos_rd(&b, 0) == 0x03 && cmos_rd(&b, 2) == 0x02 && cmos_rd(&b, 4) == 0x13);
	CHECK(cmos_rd(&b, 6) == 6 && cmos_rd(&b, 7) == 0x04 && cmos_rd(&b, 8) == 0x12);
	CHECK(cmos_rd(&b, 9) == 0x26 && cmos_rd(&b, 0x32) == 0x20);
	CHECK(cmos_rd(&b, 0x0a) == 0x26 && cmos_rd(&b, 0x0b) == 0x02 && cmos_rd(&b, 0x0c) == 0);
	CHECK(cmos_rd(&b, 0x0d) == 0x80 && rd(&b, 0x70, 1) == 0xff);
	/* What SeaBIOS reads: 640 KiB, 127 MiB above 1 MiB (capped), 112 MiB above 16 MiB, CPUs - 1. */
	CHECK(cmos_rd(&b, 0x15) == 0x80 && cmos_rd(&b, 0x16) == 0x02);
	CHECK(cmos_rd(&b, 0x17) == 0xff && cmos_rd(&b, 0x18) == 0xff && cmos_rd(&b, 0x31) == 0xff);
	CHECK(cmos_rd(&b, 0x34) == 0x00 && cmos_rd(&b, 0x35) == 0x07 && cmos_rd(&b, 0x5f) == 1);
	cmos_wr(&b, 0x40, 0x5a);
	CHECK(cmos_rd(&b, 0x40) == 0x5a);
	cmos_wr(&b, 0x0d, 0);					/* read-only */
	CHECK(cmos_rd(&b, 0x0d) == 0x80);
	/* UIP in the last 244 us of a second; the next second after. */
	pit_ns = t0 + 499800000;
	CHECK(cmos_rd(&b, 0x0a) == 0xa6 && cmos_rd(&b, 0) == 0x03);
	pit_ns = t0 + 500000000;
	CHECK(cmos_rd(&b, 0x0a) == 0x26 && cmos_rd(&b, 0) == 0x04);
	/* Binary, then 12-hour: 13:02 is 1 PM. */
	cmos_wr(&b, 0x0b, 0x06);
	CHECK(cmos_rd(&b, 0) == 4 && cmos_rd(&b, 9) == 26 && cmos_rd(&b, 0x32) == 20);
	cmos_wr(&b, 0x0b, 0x04);
	CHECK(cmos_rd(&b, 4) == 0x81);
	/* SET freezes the clock for writing; cleared, it runs from what was written. */
	cmos_wr(&b, 0x0b, 0x82);
	cmos_wr(&b, 9, 0x99);
	cmos_wr(&b, 0, 0x58);
	pit_ns += 3000000000ULL;
	CHECK(cmos_rd(&b, 9) == 0x99 && cmos_rd(&b, 0) == 0x58 && !(cmos_rd(&b, 0x0a) & 0x80));
	cmos_wr(&b, 0x0b, 0x02);
	pit_ns += 2000000000ULL;
	CHECK(cmos_rd(&b, 0) == 0x00 && cmos_rd(&b, 2) == 0x03 && cmos_rd(&b, 9) == 0x99);
	/* A write to a running clock: it goes on from there, same phase. */
	cmos_wr(&b, 2, 0x30);
	CHECK(cmos_rd(&b, 2) == 0x30 && cmos_rd(&b, 0) == 0x00);

	/*
	 * Update-ended interrupt. Flags count whether enabled or not: UF and PF
	 * are set by now, and enabling UIE with UF set would interrupt at
	 * once, so C is read first, as drivers do. Then: at the next second;
	 * reading C clears it and IRQ 8.
	 */
	CHECK(rtc_next_irq(&rtc) == RTC_NEVER);
	CHECK(cmos_rd(&b, 0x0c) == 0x50);			/* PF, UF; no IRQF */
	cmos_wr(&b, 0x0b, 0x12);
	next = rtc_next_irq(&rtc);
	CHECK(next == pit_ns + 1000000000ULL);
	pit_ns = next - 1;
	CHECK(rtc_expire(&rtc) == 0 && !irq8);
	pit_ns = next;
	CHECK(rtc_expire(&rtc) == 1 && irq8 && rtc_next_irq(&rtc) == RTC_NEVER);
	CHECK(cmos_rd(&b, 0x0c) == 0xd0 && !irq8 && cmos_rd(&b, 0x0c) == 0);	/* PF too */
	/* Periodic at 1024 Hz: PF within 977 us; UF counts too, without UIE no IRQ. */
	cmos_wr(&b, 0x0b, 0x42);
	next = rtc_next_irq(&rtc);
	CHECK(next > pit_ns && next <= pit_ns + 976563);
	pit_ns = next;
	CHECK(rtc_expire(&rtc) == 1 && cmos_rd(&b, 0x0c) == 0xc0);
	cmos_wr(&b, 0x0a, 0x20);				/* rate 0: none */
	CHECK(rtc_next_irq(&rtc) == RTC_NEVER);
	/* The alarm: two seconds on; minutes and hours "any". */
	cmos_wr(&b, 0x0b, 0x22);
	cmos_wr(&b, 1, (uint8_t)(cmos_rd(&b, 0) + 2));
	cmos_wr(&b, 3, 0xff);
	cmos_wr(&b, 5, 0xc0);
	pit_ns = rtc_next_irq(&rtc);
	CHECK(rtc_expire(&rtc) == 0 && !irq8);			/* one second on: UF only */
	pit_ns = rtc_next_irq(&rtc);
	CHECK(rtc_expire(&rtc) == 1 && irq8);
	CHECK(cmos_rd(&b, 0x0c) == 0xb0 && !irq8);
	/* SET clears UIE, as the chip does. */
	cmos_wr(&b, 0x0b, 0x92);
	CHECK(cmos_rd(&b, 0x0b) == 0x82);
	/*
	 * A year past the clock's range (century 0xff, binary: 25599) stops at
	 * its last year, 2223, instead of overflowing the nanosecond count.
	 */
	cmos_wr(&b, 0x0b, 0x86);
	cmos_wr(&b, 0x32, 0xff);
	cmos_wr(&b, 9, 99);
	cmos_wr(&b, 0x0b, 0x06);
	CHECK(cmos_rd(&b, 0x32) == 22 && cmos_rd(&b, 9) == 23);
	pit_ns += 1000000000ULL;
	CHECK(cmos_rd(&b, 0x32) == 22 && rtc_next_irq(&rtc) == RTC_NEVER);
	cmos_wr(&b, 0x0b, 0x86);
	cmos_wr(&b, 0x32, 0);					/* year 99: before the range */
	cmos_wr(&b, 0x0b, 0x06);
	CHECK(cmos_rd(&b, 0x32) == 17);
}

int main(void)
{
	struct bus_device d = { .name = "exit", .base = 0xf4, .len = 4, .write = exit_write };
	struct bus b;
	struct fw_cfg f;
	uint64_t v;
	int i;

	bus_init(&b, BUS_PORTS, ~0ULL);
	CHECK(bus_add(&b, &d) == 0);
	d.base = 0xf7;
	CHECK(bus_add(&b, &d) == -1);		/* overlaps 0xf4-0xf7 */
	d.base = 0xfff0;
	d.len = 0x20;
	CHECK(bus_add(&b, &d) == -1);		/* past port 0xffff */
	d.len = 0;
	CHECK(bus_add(&b, &d) == -1);
	CHECK(fw_cfg_init(&f, &b, 128ULL << 20, 2) == 0);
	CHECK(fw_cfg_init(&f, &b, 128ULL << 20, 2) == -1);	/* 0x510 taken */

	CHECK(rd(&b, 0x80, 1) == ~0ULL);	/* nothing there */
	{
		static uint8_t bits[BUS_PORTS / 8];
		unsigned int p, n = 0;

		/* Unclaimed, for the kernel: all but 0xf4-0xf7 and 0x510-0x511. */
		bus_unclaimed(&b, bits);
		for (p = 0; p < BUS_PORTS; p++)
			n += !(bits[p / 8] & (1U << (p % 8)));
		CHECK(n == 6);
		CHECK(!(bits[0xf4 / 8] & 0xf0) && (bits[0xf4 / 8] & 0x0f) == 0x0f);
		CHECK(bits[0xf8 / 8] == 0xff && bits[0xfff8 / 8] == 0xff && (bits[0] & 1));
		CHECK(!(bits[0x510 / 8] & 3) && (bits[0x510 / 8] & 0xfc) == 0xfc);
	}
	v = 0x21;
	CHECK(bus_access(&b, 0xf4, 1, 0, &v) == 7 && last == 0x21);
	v = 0x22;
	CHECK(bus_access(&b, 0xf8, 1, 0, &v) == 0 && last == 0x21);

	v = 0;					/* signature */
	CHECK(bus_access(&b, 0x510, 2, 0, &v) == 0);
	CHECK(rd(&b, 0x511, 1) == 'Q' && rd(&b, 0x511, 1) == 'E' && rd(&b, 0x511, 1) == 'M' &&
	      rd(&b, 0x511, 1) == 'U' && rd(&b, 0x511, 1) == 0);
	v = 3;					/* RAM size, little-endian */
	bus_access(&b, 0x510, 2, 0, &v);
	for (v = 0, i = 0; i < 8; i++)
		v |= rd(&b, 0x511, 1) << (8 * i);
	CHECK(v == 128ULL << 20);
	v = 5;					/* CPUs */
	bus_access(&b, 0x510, 2, 0, &v);
	CHECK(rd(&b, 0x511, 1) == 2 && rd(&b, 0x511, 1) == 0 && rd(&b, 0x511, 1) == 0);
	v = 0x4242;				/* an item QEMU's PC does not have */
	bus_access(&b, 0x510, 2, 0, &v);
	CHECK(rd(&b, 0x511, 1) == 0);
	CHECK(rd(&b, 0x510, 2) == ~0ULL);	/* the selector is write-only */
	ioapic_checks();
	pc_testdev_checks();
	pic_checks();
	pit_checks();
	acpi_pm_checks();
	rtc_checks();
	i8042_checks();
	uart_checks();
	return failures != 0;
}
