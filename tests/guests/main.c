// SPDX-License-Identifier: GPL-2.0
/*
 * The differential test guest: a multiboot kernel that must print and exit
 * exactly the same under `minivm run` as under `qemu-system-x86_64 -kernel`.
 * It reads its multiboot information, asks CPUID, uses MSRs, touches 64 MiB,
 * switches to long mode and back and to real mode and back, does port I/O
 * and MMIO, takes an APIC timer interrupt, starts the other CPUs with INIT
 * and start-up IPIs when fw_cfg says there are some, and exits through the
 * isa-debug-exit port. With "testdev" on its command line (QEMU's -device
 * pc-testdev, minivm's --device pc-testdev) it also drives that device and,
 * through its interrupt lines, the I/O APIC's edge and level pins and the
 * 8259s. It prints only what both must agree on.
 */
#include <stdint.h>

#define COM1		0x3f8
#define DEBUG_EXIT	0xf4
#define RM_BASE		0x8000

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
};

struct mb_mod {
	uint32_t start, end, string, reserved;
};

struct mb_mmap {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
} __attribute__((packed));

void load_gdt(void);
uint64_t long_mode_roundtrip(uint32_t pml4, uint32_t hi, uint32_t lo);
extern const char rm_stub_start[], rm_stub_end[];

static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static inline void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void putc(char c)
{
	while (!(inb(COM1 + 5) & 0x20))
		;
	outb(COM1, c);
}

static void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

static void puthex(uint64_t v, int digits)
{
	puts("0x");
	while (digits--)
		putc("0123456789abcdef"[(v >> (digits * 4)) & 15]);
}

static void putdec(uint32_t v)
{
	char buf[12];
	int i = 0;

	do {
		buf[i++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (i)
		putc(buf[--i]);
}

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return (uint64_t)hi << 32 | lo;
}

static void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}

static void exit_guest(uint8_t code)
{
	outb(DEBUG_EXIT, code);
	for (;;)
		asm volatile("hlt");
}

static void check(int ok, const char *what)
{
	puts("minivm-guest: ");
	puts(what);
	puts(ok ? ": ok\n" : ": FAILED\n");
	if (!ok)
		exit_guest(0x7f);
}

static void multiboot_info(uint32_t magic, const struct mb_info *mbi)
{
	check(magic == 0x2badb002, "multiboot magic");
	puts("minivm-guest: flags mem=");
	putdec(mbi->flags & 1);
	puts(" cmdline=");
	putdec(!!(mbi->flags & 4));
	puts(" mmap=");
	putdec(!!(mbi->flags & 0x40));
	puts("\nminivm-guest: mem_lower=");
	putdec(mbi->mem_lower);
	puts(" mem_upper=");
	putdec(mbi->mem_upper);
	puts("\nminivm-guest: cmdline='");
	if (mbi->flags & 4)
		puts((const char *)mbi->cmdline);
	puts("'\n");
	/*
	 * Modules (QEMU's -initrd): what is in them, not where: each loader
	 * places them where it likes, page-aligned and clear of the rest.
	 */
	if (mbi->flags & 8) {
		const struct mb_mod *m = (const struct mb_mod *)mbi->mods_addr;
		uint32_t i, sum;

		puts("minivm-guest: modules ");
		putdec(mbi->mods_count);
		puts("\n");
		for (i = 0; i < mbi->mods_count; i++, m++) {
			const uint8_t *b = (const uint8_t *)m->start;

			for (sum = 0; b < (const uint8_t *)m->end; b++)
				sum = sum * 31 + *b;
			puts("minivm-guest: module '");
			puts((const char *)m->string);
			puts("' size ");
			putdec(m->end - m->start);
			puts(" aligned ");
			putdec(!(m->start & 4095));
			puts(" hash ");
			puthex(sum, 8);
			puts("\n");
		}
	}
	if (mbi->flags & 0x40) {
		uint32_t p = mbi->mmap_addr;

		while (p < mbi->mmap_addr + mbi->mmap_length) {
			const struct mb_mmap *m = (const struct mb_mmap *)p;

			puts("minivm-guest: mmap ");
			puthex(m->addr, 10);
			puts(" ");
			puthex(m->len, 10);
			puts(" type ");
			putdec(m->type);
			puts("\n");
			p += m->size + 4;
		}
	}
}

static void cpu_checks(void)
{
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	check(!(c & (1 << 5)), "cpuid hides vmx");
	check(d & (1 << 4), "cpuid shows tsc");
	cpuid(0x80000000, &a, &b, &c, &d);
	if (a >= 0x80000001) {
		cpuid(0x80000001, &a, &b, &c, &d);
		check(!(c & (1 << 2)), "cpuid hides svm");
		check(d & (1 << 29), "cpuid shows long mode");
	}
	check((rdmsr(0xc0000080) & ~1ULL) == 0, "efer starts clear");
	wrmsr(0x277, 0x0007040600070406ULL);
	check(rdmsr(0x277) == 0x0007040600070406ULL, "pat round trip");
	wrmsr(0x277, 0x0007010600070106ULL);
	check(rdmsr(0x277) == 0x0007010600070106ULL, "pat round trip again");
	/* As SeaBIOS leaves them (it also enables fixed MTRRs, which minivm has none of). */
	check((rdmsr(0x2ff) & 0x8ff) == 0x806, "mtrrs on, write-back by default");
	check(rdmsr(0x17a) == 0, "no machine check in progress");
}

/* Write then read back 64 MiB from 16 MiB up: every page is first-touched. */
static void memory_checks(void)
{
	volatile uint32_t *p;
	uint32_t bad = 0;

	for (p = (uint32_t *)0x1000000; p < (uint32_t *)0x5000000; p += 256)
		*p = (uint32_t)p ^ 0x5a5a5a5a;
	for (p = (uint32_t *)0x1000000; p < (uint32_t *)0x5000000; p += 256)
		bad += *p != ((uint32_t)p ^ 0x5a5a5a5a);
	check(bad == 0, "64 MiB written and read back");
}

static void mode_checks(void)
{
	uint64_t *pml4 = (uint64_t *)0x400000, *pdpt = (uint64_t *)0x401000;
	uint64_t *pd = (uint64_t *)0x402000, r;
	char *dst = (char *)RM_BASE;
	const char *src;
	int i;

	for (i = 0; i < 512; i++) {
		pml4[i] = 0;
		pdpt[i] = 0;
		pd[i] = (uint64_t)i << 21 | 0x83;	/* 2 MiB pages: the first GiB */
	}
	pml4[0] = 0x401000 | 3;
	pdpt[0] = 0x402000 | 3;
	r = long_mode_roundtrip(0x400000, 0x01234567, 0x89abcdef);
	puts("minivm-guest: long mode computed ");
	puthex(r, 16);
	puts("\n");
	check(r == (((0x0123456789abcdefULL * 3) << 13) | ((0x0123456789abcdefULL * 3) >> 51)),
	      "long mode round trip");
	check((rdmsr(0xc0000080) & 0x500) == 0, "long mode left");

	for (src = rm_stub_start; src < rm_stub_end; src++)
		*dst++ = *src;
	((void (*)(void))RM_BASE)();
	check(1, "back from real mode");
}

static void io_checks(void)
{
	volatile uint32_t *mmio = (volatile uint32_t *)0xfe000000;

	puts("minivm-guest: unassigned port reads ");
	puthex(inb(0x2f0), 2);
	puts("\nminivm-guest: com1 lsr ");
	puthex(inb(COM1 + 5), 2);
	puts("\nminivm-guest: unassigned mmio reads ");
	*mmio = 0x12345678;
	puthex(*mmio, 8);
	puts("\n");
}

/* INS and OUTS: a line sent with REP OUTSB, four bytes read with REP INSB. */
static void string_io_checks(void)
{
	static const char line[] = "minivm-guest: rep outsb reaches com1\n";
	const char *src = line;
	uint8_t buf[4] = { 0 }, *dst = buf;
	uint32_t n = sizeof(line) - 1;

	while (!(inb(COM1 + 5) & 0x40))	/* transmitter empty: room for the line */
		;
	asm volatile("rep outsb" : "+S"(src), "+c"(n) : "d"(COM1) : "memory");
	n = sizeof(buf);
	asm volatile("rep insb" : "+D"(dst), "+c"(n) : "d"(0x2f0) : "memory");
	puts("minivm-guest: rep insb of an unassigned port ");
	puthex(buf[0] | buf[1] << 8 | buf[2] << 16 | (uint32_t)buf[3] << 24, 8);
	puts(dst == buf + sizeof(buf) && n == 0 ? " (rdi and rcx stepped)\n" : " (rdi/rcx wrong)\n");
}

static int has_word(const char *start, const char *w)
{
	const char *s;

	for (s = start; *s; s++) {
		const char *a = s, *b = w;

		while (*b && *a == *b) {
			a++;
			b++;
		}
		if (!*b && (!*a || *a == ' ') && (s == start || s[-1] == ' '))
			return 1;
	}
	return 0;
}

/* "triple" on the command line: die the hard way, with no IDT at all. */
/* QEMU's fw_cfg: item @key's first @len bytes, little-endian, from port 0x511. */
static uint64_t fw_cfg(uint16_t key, unsigned int len)
{
	uint64_t v = 0;
	unsigned int i;

	outw(0x510, key);
	for (i = 0; i < len; i++)
		v |= (uint64_t)inb(0x511) << (8 * i);
	return v;
}

/* What a kernel for QEMU learns from fw_cfg: signature, RAM size, CPUs. */
static void fw_cfg_checks(void)
{
	uint64_t sig = fw_cfg(0x00, 4);

	puts("minivm-guest: fw_cfg signature '");
	putc((char)sig);
	putc((char)(sig >> 8));
	putc((char)(sig >> 16));
	putc((char)(sig >> 24));
	puts("' ram ");
	putdec((uint32_t)(fw_cfg(0x03, 8) >> 10));
	puts(" KiB cpus ");
	putdec((uint32_t)fw_cfg(0x05, 2));
	puts(" max ");
	putdec((uint32_t)fw_cfg(0x0f, 2));
	puts(" past the end ");
	fw_cfg(0x05, 2);
	putdec(inb(0x511));
	puts("\n");
}

/* The local APIC, at its reset address in every PC QEMU or minivm builds. */
#define APIC		((volatile uint32_t *)0xfee00000)
#define APIC_REG(off)	APIC[(off) / 4]
#define AP_BASE		0x9000

/* Counted by the handlers and the application processors (entry.S). */
volatile uint32_t timer_ticks[8], ipi_count, bcast_count, ap_count, ap_done, ap_seen[8];
void timer_isr(void), ipi_isr(void), bcast_isr(void), ignore_isr(void);
extern const char ap_start[], ap_end[];
static uint64_t idt[256];
struct { uint16_t limit; uint32_t base; } __attribute__((packed)) idt_desc = {
	sizeof(idt) - 1, (uint32_t)idt,
};

static void idt_gate(unsigned int vector, void (*handler)(void))
{
	uint32_t h = (uint32_t)handler;

	idt[vector] = (h & 0xffff) | (0x08 << 16) | (uint64_t)((h & 0xffff0000) | 0x8e00) << 32;
}

static void spin(uint32_t n)
{
	while (n--)
		asm volatile("pause");
}

/*
 * Interrupts from the local APIC: its timer in one-shot mode wakes a HLT;
 * with more than one CPU, INIT and start-up IPIs bring the others up and
 * each sends the bootstrap CPU an IPI. The 8259s are masked first: QEMU's
 * firmware leaves its timer on, and minivm has no PIC.
 */
static void apic_checks(uint32_t cpus)
{
	uint32_t i, up = 0, ticks = 0;
	char *dst = (char *)AP_BASE;
	const char *src;

	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	for (i = 0; i < 256; i++)
		idt_gate(i, ignore_isr);
	idt_gate(0x40, timer_isr);
	idt_gate(0x41, ipi_isr);
	idt_gate(0x42, bcast_isr);
	asm volatile("lidt %0" : : "m"(idt_desc));
	check((rdmsr(0x1b) & 0xfffff900) == 0xfee00900, "apic enabled at 0xfee00000, bsp");
	APIC_REG(0xf0) = 0x1ff;				/* software-enabled */
	APIC_REG(0x350) = 0x10000;			/* LINT0 masked */
	puts("minivm-guest: apic id ");
	putdec(APIC_REG(0x20) >> 24);
	puts(" version ");
	puthex(APIC_REG(0x30), 8);
	puts("\n");
	APIC_REG(0x3e0) = 0xb;				/* divide by 1 */
	APIC_REG(0x320) = 0x40;				/* one-shot, vector 0x40 */
	APIC_REG(0x380) = 1000000;
	asm volatile("sti; hlt; cli");
	check(timer_ticks[0] == 1 && APIC_REG(0x390) == 0, "apic timer interrupt");
	if (cpus < 2)
		return;
	for (src = ap_start; src < ap_end; src++)
		*dst++ = *src;
	APIC_REG(0x310) = 0;
	APIC_REG(0x300) = 0xc4500;			/* INIT to all but self */
	spin(10000);
	APIC_REG(0x300) = 0xc4600 | (AP_BASE >> 12);	/* start-up, twice as the MP spec says */
	spin(10000);
	APIC_REG(0x300) = 0xc4600 | (AP_BASE >> 12);
	for (i = 0; i < 100000000 && ap_done < cpus - 1; i++)
		asm volatile("pause");
	puts("minivm-guest: smp: application processors up ");
	putdec(ap_count);
	puts(", apic ids");
	for (i = 0; i < 8; i++)
		if (ap_seen[i]) {
			puts(" ");
			putdec(i);
			up += ap_seen[i];
		}
	puts("\n");
	for (i = 1; i < 8; i++)
		ticks += timer_ticks[i];
	puts("minivm-guest: smp: timer interrupts on the application processors ");
	putdec(ticks);
	puts("\n");
	asm volatile("sti; nop; cli");
	if (!ipi_count) {
		/* Where the IPI is, for the log: requested (IRR), in service (ISR), PPR. */
		puts("minivm-guest: no ipi taken: irr[0x40-0x5f] ");
		puthex(APIC_REG(0x220), 8);
		puts(" isr ");
		puthex(APIC_REG(0x120), 8);
		puts(" ppr ");
		puthex(APIC_REG(0xa0), 2);
		puts(" ap_done ");
		putdec(ap_done);
		puts("\n");
	}
	check(up == cpus - 1 && ipi_count >= 1, "ipis from the application processors");
	/* A broadcast to all but self: each application processor takes it once. */
	APIC_REG(0x300) = 0xc4042;
	for (i = 0; i < 100000000 && bcast_count < cpus - 1; i++)
		asm volatile("pause");
	puts("minivm-guest: smp: broadcast ipi taken by ");
	putdec(bcast_count);
	puts("\n");
}

/* pc-testdev's interrupt lines reach the I/O APIC (entry.S's handlers count). */
#define IOAPIC		((volatile uint32_t *)0xfec00000)
#define TESTDEV_IRQ	0x2000
#define TESTDEV_IOMEM	((volatile uint8_t *)0xff000000)

volatile uint32_t edge_count, level_count, level_limit, pic_count;
void edge_isr(void), level_isr(void), pic_isr(void);
static volatile uint32_t flush_probe[1024] __attribute__((aligned(4096)));

static uint32_t ioapic_read(uint32_t reg)
{
	IOAPIC[0] = reg;
	return IOAPIC[4];
}

static void ioapic_write(uint32_t reg, uint32_t value)
{
	IOAPIC[0] = reg;
	IOAPIC[4] = value;
}

/* One line: "minivm-guest: @what@n@rest". */
static void say_count(const char *what, uint32_t n, const char *rest)
{
	puts("minivm-guest: ");
	puts(what);
	putdec(n);
	puts(rest);
}

/* Interrupts on until @count reaches @want (or a long while passes). */
static void wait_count(volatile uint32_t *count, uint32_t want)
{
	uint32_t i;

	asm volatile("sti");
	for (i = 0; i < 1000000 && *count < want; i++)
		asm volatile("pause");
	asm volatile("cli");
}

/* pc-testdev's line @irq up, interrupts on until @count reaches @want, line down. */
static void pulse(unsigned int irq, volatile uint32_t *count, uint32_t want)
{
	outb(TESTDEV_IRQ + irq, 1);
	wait_count(count, want);
	outb(TESTDEV_IRQ + irq, 0);
}

/*
 * The 8259s as an OS sets them up (vectors 0x60 and 0x68), with these
 * masks, reaching the CPU through LINT0 in ExtINT mode.
 */
static void pic_remap(uint8_t master_mask, uint8_t slave_mask)
{
	APIC_REG(0x350) = 0x700;		/* LINT0: ExtINT */
	outb(0x20, 0x11);
	outb(0x21, 0x60);
	outb(0x21, 0x04);
	outb(0x21, 0x01);
	outb(0xa0, 0x11);
	outb(0xa1, 0x68);
	outb(0xa1, 0x02);
	outb(0xa1, 0x01);
	outb(0x21, master_mask);
	outb(0xa1, slave_mask);
}

/*
 * The 8259s, reprogrammed as an OS does (vectors 0x60 and 0x68), take
 * pc-testdev's IRQ 10 through the slave and the master's IRQ 2, and reach
 * the CPU through LINT0 in ExtINT mode: two edges, two interrupts, each
 * EOI'd to both. The ELCR's bits for IRQs 0-2, 8 and 13 stay 0.
 */
static void pic_checks(void)
{
	idt_gate(0x6a, pic_isr);
	pic_remap(0xff, 0xff);
	outb(0x4d0, 0xff);
	outb(0x4d1, 0xff);
	puts("minivm-guest: pic elcr ");
	puthex(inb(0x4d0), 2);
	puts(" ");
	puthex(inb(0x4d1), 2);
	outb(0x4d0, 0);
	outb(0x4d1, 0);				/* IRQ 10 edge-triggered */
	outb(0x21, 0xfb);			/* the cascade only */
	outb(0xa1, 0xfb);			/* IRQ 10 only */
	puts(" masks ");
	puthex(inb(0x21), 2);
	puts(" ");
	puthex(inb(0xa1), 2);
	puts("\n");
	pulse(10, &pic_count, 1);
	pulse(10, &pic_count, 2);
	outb(0xa0, 0x0b);			/* OCW3: read ISR */
	outb(0x20, 0x0b);
	say_count("pic irq 10: ", pic_count, " interrupts for 2 edges, in service ");
	puthex(inb(0xa0), 2);
	puts(" ");
	puthex(inb(0x20), 2);
	puts("\n");
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	APIC_REG(0x350) = 0x10000;		/* LINT0 masked again */
}

/*
 * The 8254. Channel 2 as Linux calibrates its TSC with it: gate on through
 * port 0x61, mode 0, OUT (port 0x61 bit 5) low until the count runs out,
 * the read-back status. Channel 0 at 1 kHz (mode 2): its IRQ 0 through the
 * 8259s and LINT0 in ExtINT mode while the CPU sits in HLT, then through
 * the I/O APIC's pin 2, where the PC wires it. Counts of interrupts vary
 * with timing, so only "at least three" is printed.
 */
#define PIT_50MS	59659

static void pit_checks(void)
{
	uint32_t i, out_low, latched;

	outb(0x61, (inb(0x61) & ~0x02) | 0x01);	/* gate on, speaker off */
	outb(0x43, 0xb0);			/* channel 2, LSB then MSB, mode 0 */
	/*
	 * 50 ms, as Linux's calibration takes: the launcher's thread may be
	 * held up for a millisecond or more in the nested lab, and a count
	 * that ran out before the next read would fail the check.
	 */
	outb(0x42, PIT_50MS & 0xff);
	outb(0x42, PIT_50MS >> 8);
	out_low = !(inb(0x61) & 0x20);
	outb(0x43, 0x80);			/* latch */
	latched = inb(0x42);
	latched |= inb(0x42) << 8;
	for (i = 0; i < 10000000 && !(inb(0x61) & 0x20); i++)
		;
	check(out_low && latched <= PIT_50MS && (inb(0x61) & 0x20),
	      "pit channel 2 counts down to out high");
	outb(0x43, 0xe8);			/* read-back: channel 2's status */
	puts("minivm-guest: pit channel 2 status ");
	puthex(inb(0x42), 2);
	puts("\n");

	idt_gate(0x60, pic_isr);
	pic_remap(0xfe, 0xff);			/* IRQ 0 only */
	pic_count = 0;
	outb(0x43, 0x34);			/* channel 0, LSB then MSB, mode 2 */
	outb(0x40, 1193 & 0xff);
	outb(0x40, 1193 >> 8);
	for (i = 0; i < 1000 && pic_count < 3; i++)
		asm volatile("sti; hlt; cli");
	outb(0x21, 0xff);
	APIC_REG(0x350) = 0x10000;		/* LINT0 masked */
	check(pic_count >= 3, "pit irq 0 through the 8259s, woken from hlt");

	idt_gate(0x61, edge_isr);
	edge_count = 0;
	ioapic_write(0x10 + 2 * 2, 0x61);	/* pin 2: vector 0x61, edge, to APIC 0 */
	ioapic_write(0x11 + 2 * 2, 0);
	for (i = 0; i < 1000 && edge_count < 3; i++)
		asm volatile("sti; hlt; cli");
	ioapic_write(0x10 + 2 * 2, 0x10000);
	check(edge_count >= 3, "pit irq 0 through the ioapic's pin 2");
	outb(0x43, 0x30);			/* channel 0: mode 0, no count: idle */
}

volatile uint32_t rtc_count;
void rtc_isr(void);

static uint8_t cmos(uint8_t reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static void cmos_set(uint8_t reg, uint8_t v)
{
	outb(0x70, reg);
	outb(0x71, v);
}

static int bcd_in(uint8_t v, uint32_t lo, uint32_t hi)
{
	uint32_t n = (v >> 4) * 10 + (v & 15);

	return (v & 15) <= 9 && (v >> 4) <= 9 && n >= lo && n <= hi;
}

static void say_bcd(const char *before, uint8_t v)
{
	puts(before);
	putc('0' + (v >> 4));
	putc('0' + (v & 15));
}

/*
 * CMOS memory as firmware reads it (RAM sizes, CPUs), the RTC's status
 * registers and a time read between updates (UIP clear), in BCD and in
 * binary; then the clock set to the last seconds of 2099 (SET) and two
 * update-ended interrupts later, through IRQ 8 on the slave 8259, read as
 * 2100; then periodic interrupts at 1024 Hz. The host's own date is not
 * printed: QEMU's run is the oracle, made at another time.
 */
static void rtc_checks(void)
{
	uint8_t t[10];
	uint32_t i;

	puts("minivm-guest: cmos base ");
	puthex(cmos(0x16) << 8 | cmos(0x15), 4);
	puts(" ext ");
	puthex(cmos(0x18) << 8 | cmos(0x17), 4);
	puts(" ");
	puthex(cmos(0x31) << 8 | cmos(0x30), 4);
	puts(" above 16m ");
	puthex(cmos(0x35) << 8 | cmos(0x34), 4);
	puts(" above 4g ");
	puthex(cmos(0x5d) << 16 | cmos(0x5c) << 8 | cmos(0x5b), 6);
	puts(" cpus-1 ");
	puthex(cmos(0x5f), 2);
	puts("\nminivm-guest: rtc status a ");
	puthex(cmos(0x0a) & 0x7f, 2);
	puts(" b ");
	puthex(cmos(0x0b), 2);
	puts(" c ");
	puthex(cmos(0x0c) & 0x0f, 2);
	puts(" d ");
	puthex(cmos(0x0d), 2);
	puts("\n");
	for (i = 0; i < 1000000 && (cmos(0x0a) & 0x80); i++)
		;
	for (i = 0; i < 10; i++)
		t[i] = cmos(i);
	check(bcd_in(t[0], 0, 59) && bcd_in(t[2], 0, 59) && bcd_in(t[4], 0, 23) &&
	      bcd_in(t[6], 1, 7) && bcd_in(t[7], 1, 31) && bcd_in(t[8], 1, 12) &&
	      bcd_in(t[9], 0, 99) && cmos(0x32) == 0x20, "rtc time in bcd, 24-hour, 20th century byte");
	cmos_set(0x0b, 0x06);			/* binary */
	check(cmos(4) < 24 && cmos(0x32) == 20, "rtc time in binary");

	idt_gate(0x68, rtc_isr);
	pic_remap(0xfb, 0xfe);			/* IRQ 8 on the slave, through IRQ 2 */
	cmos(0x0c);
	cmos_set(0x0b, 0x82);			/* SET, BCD, 24-hour */
	cmos_set(0, 0x58);
	cmos_set(2, 0x59);
	cmos_set(4, 0x23);
	cmos_set(6, 0x05);
	cmos_set(7, 0x31);
	cmos_set(8, 0x12);
	cmos_set(9, 0x99);
	cmos_set(0x32, 0x20);
	rtc_count = 0;
	cmos_set(0x0b, 0x12);			/* running, update-ended interrupts */
	for (i = 0; i < 1000 && rtc_count < 2; i++)
		asm volatile("sti; hlt; cli");
	cmos_set(0x0b, 0x02);
	say_bcd("minivm-guest: rtc after two update interrupts ", cmos(0x32));
	say_bcd("", cmos(9));
	say_bcd("-", cmos(8));
	say_bcd("-", cmos(7));
	say_bcd(" ", cmos(4));
	say_bcd(":", cmos(2));
	say_bcd(":", cmos(0));
	say_bcd(" day of week ", cmos(6));
	puts("\n");
	cmos(0x0c);
	cmos_set(0x0b, 0x42);			/* periodic, 1024 Hz */
	for (i = 0; i < 1000 && rtc_count < 5; i++)
		asm volatile("sti; hlt; cli");
	cmos_set(0x0b, 0x02);
	check(rtc_count >= 5, "rtc periodic interrupts through irq 8");
	outb(0x21, 0xff);
	outb(0xa1, 0xff);
	APIC_REG(0x350) = 0x10000;		/* LINT0 masked */
}

static void testdev_checks(void)
{
	volatile uint32_t *iomem32 = (volatile uint32_t *)(TESTDEV_IOMEM + 0x10);

	outl(0xe0, 0x12345678);
	puts("minivm-guest: testdev latch ");
	puthex(inb(0xe0), 2);
	puts(" ");
	puthex(inb(0xe2), 2);
	puts(" ");
	puthex(inb(0xe3), 2);
	outb(0xe9, 0xab);
	puts(" ");
	puthex(inl(0xe0), 8);
	puts("\nminivm-guest: testdev iomem ");
	*iomem32 = 0x11223344;
	puthex(*(volatile uint16_t *)(TESTDEV_IOMEM + 0x12), 4);
	puts(" ");
	puthex(TESTDEV_IOMEM[0x11], 2);
	puts(" ");
	puthex(*iomem32, 8);
	puts("\n");
	flush_probe[3] = 0xfeedface;
	outl(0xe4, (uint32_t)flush_probe);
	check(flush_probe[3] == 0xfeedface, "testdev page flush keeps the page's contents");

	puts("minivm-guest: ioapic version ");
	puthex(ioapic_read(1), 8);
	puts(" id ");
	puthex(ioapic_read(0), 8);
	puts(" pin 5 at reset ");
	puthex(ioapic_read(0x10 + 2 * 5), 8);
	puts(" ");
	puthex(ioapic_read(0x11 + 2 * 5), 8);
	puts("\n");
	idt_gate(0x50, edge_isr);
	idt_gate(0x59, level_isr);

	/* Pin 5, edge, vector 0x50 to APIC 0: one interrupt per rising edge. */
	ioapic_write(0x11 + 2 * 5, 0);
	ioapic_write(0x10 + 2 * 5, 0x50);
	pulse(5, &edge_count, 1);
	pulse(5, &edge_count, 2);
	/* Masked, an edge is lost: unmasking later sends nothing. */
	ioapic_write(0x10 + 2 * 5, 0x10050);
	outb(TESTDEV_IRQ + 5, 1);
	outb(TESTDEV_IRQ + 5, 0);
	ioapic_write(0x10 + 2 * 5, 0x50);
	wait_count(&edge_count, 3);
	say_count("ioapic edge pin: ", edge_count, " interrupts for 2 edges and 1 masked\n");

	/*
	 * Pin 9, level, vector 0x59: sent while the line is asserted, again
	 * after each EOI, until the handler lowers the line on its third.
	 */
	level_limit = 3;
	ioapic_write(0x11 + 2 * 9, 0);
	ioapic_write(0x10 + 2 * 9, 0x8059);
	outb(TESTDEV_IRQ + 9, 1);
	wait_count(&level_count, 3);
	wait_count(&level_count, 4);
	say_count("ioapic level pin: ", level_count, " interrupts, remote irr ");
	putdec((ioapic_read(0x10 + 2 * 9) >> 14) & 1);
	puts("\n");
	/* Asserted while masked: sent when unmasked. */
	ioapic_write(0x10 + 2 * 9, 0x18059);
	level_limit = 4;
	outb(TESTDEV_IRQ + 9, 1);
	ioapic_write(0x10 + 2 * 9, 0x8059);
	wait_count(&level_count, 4);
	say_count("ioapic level pin unmasked while asserted: ", level_count, "\n");
	pic_checks();
}

static void triple_fault(void)
{
	static const struct { uint16_t limit; uint32_t base; } __attribute__((packed)) none;

	puts("minivm-guest: triple fault coming\n");
	asm volatile("lidt %0; int3" : : "m"(none));
}

/*
 * "spin" on the command line: read one key from COM1 (polling, so typed
 * bytes must reach the guest as they are), say which, then spin with
 * interrupts off: only the launcher (a signal, the console escape) can end
 * the run now.
 */
static void __attribute__((noreturn)) spin_with_interrupts_off(void)
{
	puts("minivm-guest: type a key\n");
	while (!(inb(0x3fd) & 1))	/* LSR: data ready */
		;
	puts("minivm-guest: got ");
	puthex(inb(0x3f8), 2);
	puts("\nminivm-guest: spinning with interrupts off\n");
	for (;;)
		asm volatile("cli");
}

void main32(uint32_t magic, const struct mb_info *mbi)
{
	load_gdt();
	puts("minivm-guest: hello from protected mode\n");
	if ((mbi->flags & 4) && has_word((const char *)mbi->cmdline, "triple"))
		triple_fault();
	if ((mbi->flags & 4) && has_word((const char *)mbi->cmdline, "spin"))
		spin_with_interrupts_off();
	multiboot_info(magic, mbi);
	cpu_checks();
	memory_checks();
	mode_checks();
	io_checks();
	string_io_checks();
	fw_cfg_checks();
	apic_checks((uint32_t)fw_cfg(0x05, 2));
	if ((mbi->flags & 4) && has_word((const char *)mbi->cmdline, "testdev"))
		testdev_checks();
	pit_checks();
	rtc_checks();
	puts("minivm-guest: bye\n");
	exit_guest(0x21);
}
