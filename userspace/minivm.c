// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: the launcher.
 *
 *   minivm info    what the module offers
 *   minivm run     run a multiboot kernel as `qemu-system-x86_64 -kernel`
 *                  would: COM1 on stdin/stdout, isa-debug-exit at 0xf4,
 *                  fw_cfg, the I/O APIC, and pc-testdev when asked
 *
 * The devices live here, in userspace, not in the module: a bug in them can
 * only hurt this process's guest. Each vCPU runs in its own thread (vCPU 0
 * in the main one); the devices are shared, behind one lock. The local
 * APICs are the module's (MINIVM_VM_LAPIC): the other vCPUs wait there for
 * the bootstrap CPU's INIT and start-up IPIs, as on a PC. Devices raise ISA
 * interrupt lines; the platform routes them to the 8259s, whose output
 * reaches vCPU 0, and to the I/O APIC, whose messages go to the module's
 * APICs. A timer thread fires the PIT's interrupts.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "libminivm.h"
#include "bus.h"
#include "fw_cfg.h"
#include "ioapic.h"
#include "multiboot.h"
#include "pc_testdev.h"
#include "pic.h"
#include "pit.h"
#include "rtc.h"
#include "uart.h"

/*
 * Exit statuses, documented in Documentation/launcher.rst. All even: a
 * guest's isa-debug-exit status, (value << 1) | 1 as with QEMU, is odd.
 */
enum {
	EXIT_USAGE = 2,
	EXIT_HW_BUSY = 4,
	EXIT_NO_MODULE = 6,
	EXIT_BAD_IMAGE = 8,
	EXIT_TRIPLE_FAULT = 10,
	EXIT_HALTED = 12,
	EXIT_UNHANDLED = 14,
	EXIT_MEMORY = 16,
	EXIT_SYSTEM = 18,
};

#define COM1		0x3f8
#define DEBUG_EXIT	0xf4	/* QEMU's isa-debug-exit,iobase=0xf4,iosize=4 */
#define LOW_RAM_END	0xa0000	/* the legacy hole up to 1 MiB is not RAM */
#define HIGH_RAM	0x100000

static void usage(FILE *out)
{
	fprintf(out,
		"usage: minivm COMMAND [options]\n"
		"\n"
		"commands:\n"
		"  info            print the module's API version and capabilities, then\n"
		"                  create and destroy one VM to prove the hardware can be\n"
		"                  enabled (fails if another hypervisor holds VMX/SVM)\n"
		"  run [--mem SIZE] [--cpus N] [--initrd FILE] IMAGE [-- CMDLINE...]\n"
		"                  run the multiboot v1 kernel IMAGE (32-bit ELF, or a.out\n"
		"                  addresses in its header) as qemu-system-x86_64 -kernel\n"
		"                  IMAGE -append CMDLINE would: the kernel sees the command\n"
		"                  line \"IMAGE CMDLINE\", QEMU's memory map, and a 16550\n"
		"                  UART at 0x3f8 (COM1) on stdin/stdout; a write of V to\n"
		"                  port 0xf4 ends the run with status (V << 1) | 1\n"
		"    --mem SIZE    guest RAM: MiB, or with a suffix K, M or G; 2M to 3584M\n"
		"                  (default 128M, as QEMU)\n"
		"    --cpus N      vCPUs, 1 to 64 (default 1): vCPU 0 enters IMAGE, the\n"
		"                  others wait for its INIT and start-up IPIs, as on a PC\n"
		"    --initrd FILE a multiboot module, as QEMU's -initrd: the file is the\n"
		"                  text up to the first space, the module's string all of it\n"
		"    --device pc-testdev\n"
		"                  QEMU's test device (-device pc-testdev): a latch at port\n"
		"                  0xe0, page flush at 0xe4, ISA IRQ lines at 0x2000-0x200f,\n"
		"                  64 KiB of I/O memory at 0xff000000\n"
		"  help            this text\n"
		"\n"
		"exit status: 0 ok (info), odd: the guest's isa-debug-exit status, and\n"
		"   2 bad usage                        4 VMX/SVM held by another hypervisor\n"
		"   6 /dev/minivm missing or unusable  8 IMAGE cannot be loaded\n"
		"  10 the guest triple-faulted        12 the guest halted for good (only\n"
		"     without the module's local APIC: with it HLT waits, as in QEMU)\n"
		"  14 an exit minivm cannot handle, or the CPU refused the guest state\n"
		"  16 guest RAM could not be faulted in   18 a system call failed\n");
}

static int cmd_info(void)
{
	static const struct { enum minivm_cap cap; const char *name; } caps[] = {
		{ MINIVM_CAP_TAGGED_TLB, "tagged TLB entries (VPIDs/ASIDs)" },
		{ MINIVM_CAP_HUGE_PAGES, "2 MiB guest mappings" },
		{ MINIVM_CAP_MAX_VMS, "VMs at once" },
		{ MINIVM_CAP_MAX_VCPUS, "vCPUs per VM" },
		{ MINIVM_CAP_LAPIC, "local APIC in the kernel (1: yes)" },
		{ MINIVM_CAP_EOI_EXIT, "level-triggered EOIs reach userspace (1: yes)" },
		{ MINIVM_CAP_IMMEDIATE_EXIT, "RUN honours immediate_exit (1: yes)" },
	};
	uint64_t value, vm_id;
	uint32_t version;
	int fd, vm, ret;
	size_t i;

	fd = minivm_open();
	if (fd < 0) {
		fprintf(stderr, "minivm: cannot open %s: %s%s\n", MINIVM_DEVICE, strerror(-fd),
			fd == -ENOENT ? " (is minivm.ko loaded?)" : "");
		return EXIT_NO_MODULE;
	}
	ret = minivm_api_version(fd, &version);
	if (ret) {
		fprintf(stderr, "minivm: MINIVM_GET_API_VERSION: %s\n", strerror(-ret));
		return EXIT_NO_MODULE;
	}
	printf("API version:      %u (launcher built for %d)\n", version, MINIVM_API_VERSION);
	ret = minivm_check_cap(fd, MINIVM_CAP_VENDOR, &value);
	if (ret) {
		fprintf(stderr, "minivm: MINIVM_CHECK_CAP: %s\n", strerror(-ret));
		return EXIT_NO_MODULE;
	}
	printf("backend:          %s\n", minivm_vendor_name(value));
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		if (minivm_check_cap(fd, caps[i].cap, &value) == 0)
			printf("%-17s %llu %s\n", "capability:", (unsigned long long)value,
			       caps[i].name);
	}
	vm = minivm_create_vm(fd, &vm_id);
	if (vm < 0) {
		fprintf(stderr, "minivm: cannot create a VM: %s%s\n", strerror(-vm),
			vm == -EBUSY ? " (another hypervisor holds VMX/SVM)" : "");
		return vm == -EBUSY ? EXIT_HW_BUSY : EXIT_NO_MODULE;
	}
	printf("VM %llu created and destroyed: hardware virtualization works\n",
	       (unsigned long long)vm_id);
	close(vm);
	close(fd);
	return 0;
}

struct guest {
	uint8_t *ram;
	uint64_t ram_size;
	int vm;
	pthread_mutex_t lock;	/* the devices, which every vCPU's thread reaches */
	struct bus ports, mmio;
	struct uart com1;
	struct fw_cfg fw_cfg;
	struct pic pic;		/* its INT reaches vCPU 0: guest_pic_deliver() */
	struct pit pit;		/* its interrupts and the RTC's: guest_timer_thread() */
	struct rtc rtc;
	pthread_cond_t timer_changed;	/* with lock: the PIT or RTC was reprogrammed */
	pthread_t vcpu0;	/* the thread guest_kick() interrupts */
	struct ioapic *ioapic;	/* with the module's local APICs only */
	struct pc_testdev *testdev;
};

/* One vCPU and its thread. */
struct vcpu {
	struct guest *g;
	unsigned int id;
	int fd;
	struct minivm_run *run;
	pthread_t thread;
};

static void *guest_gpa_to_hva(void *ctx, uint64_t gpa)
{
	struct guest *g = ctx;

	if (gpa < LOW_RAM_END || (gpa >= HIGH_RAM && gpa < g->ram_size))
		return g->ram + gpa;
	return NULL;
}

/* MMIO outside RAM, on the MMIO bus; unassigned memory reads 0 (QEMU's PC). */
static uint64_t guest_mmio_read(void *ctx, uint64_t gpa, unsigned int size)
{
	struct guest *g = ctx;
	uint64_t data;

	bus_access(&g->mmio, gpa, size, 1, &data);
	return data;
}

static void guest_mmio_write(void *ctx, uint64_t gpa, unsigned int size, uint64_t value)
{
	struct guest *g = ctx;

	bus_access(&g->mmio, gpa, size, 0, &value);
}

/* Port I/O: 0 to go on, or the process's exit status. */
static int guest_io(struct guest *g, struct minivm_run *run)
{
	uint64_t data = run->io.data;
	int ret;

	pthread_mutex_lock(&g->lock);
	ret = bus_access(&g->ports, run->io.port, run->io.size,
			 run->io.direction == MINIVM_IO_IN, &data);
	pthread_mutex_unlock(&g->lock);
	run->io.data = data;
	return ret;
}

static uint64_t com1_read(void *ctx, uint64_t off, unsigned int size)
{
	(void)size;
	return uart_read(ctx, (unsigned int)off);
}

static int com1_write(void *ctx, uint64_t off, unsigned int size, uint64_t value)
{
	(void)size;
	uart_write(ctx, (unsigned int)off, (uint8_t)value);
	return 0;
}

/* isa-debug-exit: writing V ends the run with status (V << 1) | 1. */
static int debug_exit_write(void *ctx, uint64_t off, unsigned int size, uint64_t value)
{
	(void)ctx;
	(void)off;
	(void)size;
	return (int)((value << 1) | 1) & 0xff;
}

/* The I/O APIC's messages go to the module's local APICs. */
static int guest_msi(void *ctx, uint64_t address, uint32_t data)
{
	struct guest *g = ctx;

	return minivm_signal_msi(g->vm, address, data);
}

/*
 * ISA interrupt line @irq, as the PC wires it: to the 8259s' IRQ of the
 * same number, and to the I/O APIC's pin of the same number but IRQ 0 (the
 * PIT) to pin 2. Called with the device lock held.
 */
static void guest_set_isa_irq(void *ctx, unsigned int irq, int level)
{
	struct guest *g = ctx;

	pic_set_irq(&g->pic, irq, level);
	if (g->ioapic)
		ioapic_set_line(g->ioapic, irq ? irq : 2, level);
}

static uint64_t guest_clock(void *ctx)
{
	struct timespec ts;

	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static void guest_set_irq0(void *ctx, int level)
{
	guest_set_isa_irq(ctx, 0, level);
}

static void guest_set_irq8(void *ctx, int level)
{
	guest_set_isa_irq(ctx, 8, level);
}

static void guest_timer_changed(void *ctx)
{
	struct guest *g = ctx;

	pthread_cond_signal(&g->timer_changed);
}

/*
 * Kicking vCPU 0 out of RUN, as a thread that raised the 8259s' output
 * must: a signal interrupts RUN, and its handler sets the run page's
 * immediate_exit, so that a signal landing just before RUN makes that RUN
 * return at once instead of waiting for the guest's next exit. run_loop()
 * clears the flag before it looks at the PICs again.
 */
static struct minivm_run *kick_run;	/* vCPU 0's, when the module honours it */

static void kick_handler(int sig)
{
	(void)sig;
	if (kick_run)
		kick_run->immediate_exit = 1;
}

#define KICK_SIGNAL	SIGUSR1

static int guest_kick_setup(struct guest *g, struct minivm_run *run, int immediate_exit)
{
	/*
	 * SA_RESTART: the console's reads and writes go on after a kick; RUN
	 * ends all the same (the module's EINTR is never restarted).
	 */
	struct sigaction sa = { .sa_handler = kick_handler, .sa_flags = SA_RESTART };

	g->vcpu0 = pthread_self();
	kick_run = immediate_exit ? run : NULL;
	sigemptyset(&sa.sa_mask);
	return sigaction(KICK_SIGNAL, &sa, NULL);
}

/*
 * The devices that interrupt on their own time, the PIT's channel 0 and the
 * RTC: sleep until the first interrupt is due or the guest reprograms one,
 * send what is due, and kick vCPU 0 when the 8259s now want it (an
 * interrupt routed through the I/O APIC reaches the module's APIC, which
 * wakes its vCPU itself).
 */
static void *guest_timer_thread(void *arg)
{
	struct guest *g = arg;
	struct timespec ts;
	uint64_t when, rtc;
	int raised;

	pthread_mutex_lock(&g->lock);
	for (;;) {
		when = pit_next_irq(&g->pit);
		rtc = rtc_next_irq(&g->rtc);
		if (rtc < when)
			when = rtc;
		if (when == UINT64_MAX) {	/* neither has one to come */
			pthread_cond_wait(&g->timer_changed, &g->lock);
		} else {
			ts.tv_sec = (time_t)(when / 1000000000ULL);
			ts.tv_nsec = (long)(when % 1000000000ULL);
			pthread_cond_timedwait(&g->timer_changed, &g->lock, &ts);
		}
		raised = pit_expire(&g->pit);
		raised |= rtc_expire(&g->rtc);
		if (raised && g->pic.output)
			pthread_kill(g->vcpu0, KICK_SIGNAL);
	}
	return NULL;
}

static int guest_timer_start(struct guest *g)
{
	pthread_condattr_t attr;
	pthread_t thread;

	if (pthread_condattr_init(&attr) || pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) ||
	    pthread_cond_init(&g->timer_changed, &attr))
		return -1;
	return pthread_create(&thread, NULL, guest_timer_thread, g) ? -1 : 0;
}

/* The host address of RAM page @gpa, for pc-testdev's flush. */
static void *guest_page(void *ctx, uint64_t gpa)
{
	struct guest *g = ctx;
	uint8_t *p = guest_gpa_to_hva(g, gpa);

	return p && guest_gpa_to_hva(g, gpa + 4095) == p + 4095 ? p : NULL;
}

/*
 * The PC's devices: COM1, isa-debug-exit, the 8259 pair, the PIT, the RTC
 * and fw_cfg on the port bus; the I/O APIC when the module gives the VM
 * local APICs; pc-testdev if asked.
 */
static int guest_devices(struct guest *g, unsigned int cpus, int lapic, int testdev)
{
	const struct bus_device com1 = {
		.name = "COM1", .base = COM1, .len = 8,
		.read = com1_read, .write = com1_write, .ctx = &g->com1,
	};
	const struct bus_device debug_exit = {
		.name = "isa-debug-exit", .base = DEBUG_EXIT, .len = 4, .write = debug_exit_write,
	};
	struct rtc_platform pc = { .ram_size = g->ram_size, .cpus = cpus };
	struct timespec now;

	uart_init(&g->com1, 0, 1);
	bus_init(&g->ports, BUS_PORTS, ~0ULL);
	bus_init(&g->mmio, BUS_MEMORY, 0);
	if (bus_add(&g->ports, &com1) || bus_add(&g->ports, &debug_exit) ||
	    pic_init(&g->pic, &g->ports, NULL, NULL) ||
	    pit_init(&g->pit, &g->ports, guest_clock, guest_set_irq0, guest_timer_changed, g))
		return -1;
	clock_gettime(CLOCK_REALTIME, &now);
	pc.unix_ns = (int64_t)now.tv_sec * 1000000000LL + now.tv_nsec;
	if (rtc_init(&g->rtc, &g->ports, &pc, guest_clock, guest_set_irq8, guest_timer_changed, g))
		return -1;
	pthread_mutex_init(&g->lock, NULL);
	if (lapic) {
		g->ioapic = malloc(sizeof(*g->ioapic));
		if (!g->ioapic || ioapic_init(g->ioapic, &g->mmio, guest_msi, g))
			return -1;
	}
	if (testdev) {
		g->testdev = malloc(sizeof(*g->testdev));
		if (!g->testdev)
			return -1;
		*g->testdev = (struct pc_testdev){
			.set_irq = guest_set_isa_irq, .page = guest_page, .ctx = g,
		};
		if (pc_testdev_init(g->testdev, &g->ports, &g->mmio))
			return -1;
	}
	return fw_cfg_init(&g->fw_cfg, &g->ports, g->ram_size, cpus);
}

static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	unsigned int shift = 20;

	if (end == s)
		return -1;
	switch (*end) {
	case 'K': case 'k': shift = 10; end++; break;
	case 'M': case 'm': shift = 20; end++; break;
	case 'G': case 'g': shift = 30; end++; break;
	case '\0': break;
	default: return -1;
	}
	if (*end || v > (1ULL << 40) >> shift)
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static int read_file(const char *path, uint8_t **data, size_t *size)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > (64 << 20)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*size = st.st_size;
	*data = malloc(*size ? *size : 1);
	n = *data ? read(fd, *data, *size) : -1;
	close(fd);
	return n == (ssize_t)*size ? 0 : -1;
}

static void set_seg(struct minivm_segment *s, uint16_t sel, uint16_t attrib)
{
	*s = (struct minivm_segment){ .base = 0, .limit = 0xffffffff, .selector = sel,
				      .attrib = attrib };
}

/* The state QEMU's multiboot option ROM leaves: flat 32-bit, no paging. */
static int set_entry_state(int vcpu, const struct mb_boot *boot)
{
	struct minivm_regs regs = { .rax = 0x2badb002, .rbx = boot->mbi, .rip = boot->entry,
				    .rflags = 2 };
	const uint16_t code = 0xb | MINIVM_SEG_S | MINIVM_SEG_P | MINIVM_SEG_DB | MINIVM_SEG_G;
	const uint16_t data = 0x3 | MINIVM_SEG_S | MINIVM_SEG_P | MINIVM_SEG_DB | MINIVM_SEG_G;
	struct minivm_sregs s;
	int ret = minivm_get_sregs(vcpu, &s);

	if (ret)
		return ret;
	set_seg(&s.cs, 0x10, code);
	set_seg(&s.ds, 0x18, data);
	s.es = s.fs = s.gs = s.ss = s.ds;
	s.tr = (struct minivm_segment){ .limit = 0xffff, .attrib = 0xb | MINIVM_SEG_P };
	s.ldt = (struct minivm_segment){ .limit = 0xffff };
	s.gdt = (struct minivm_dtable){ .base = boot->gdt, .limit = 31 };
	s.idt = (struct minivm_dtable){ .base = 0, .limit = 0x3ff };
	s.cr0 = 0x11;	/* PE, ET */
	s.cr3 = s.cr4 = s.efer = 0;
	ret = minivm_set_sregs(vcpu, &s);
	return ret ? ret : minivm_set_regs(vcpu, &regs);
}

static int fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("minivm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return status;
}

/*
 * The 8259s' INT output reaches vCPU 0 as an external interrupt, as through
 * a local APIC whose LINT0 firmware left in virtual-wire (ExtINT) mode, as
 * SeaBIOS leaves QEMU's (the module does not read LINT0 yet). The vector is
 * taken from the PICs (their interrupt acknowledge) only when the guest can
 * take it at this entry; until then the run asks for an interrupt window.
 * A device that raises a line in a vCPU's own exit needs nothing more: the
 * next entry is soon enough. One on another thread (the PIT's timer) kicks
 * vCPU 0 out of its RUN (guest_kick_setup()).
 */
static void guest_pic_deliver(struct vcpu *v)
{
	struct guest *g = v->g;
	struct minivm_run *run = v->run;
	uint8_t vector;
	int ret;

	pthread_mutex_lock(&g->lock);
	if (g->pic.output && run->ready_for_interrupt_injection) {
		vector = pic_acknowledge(&g->pic);
		ret = minivm_interrupt(v->fd, vector);
		if (ret)	/* ready means nothing is queued: a minivm bug */
			fprintf(stderr, "minivm: the PICs' vector %#x was lost: MINIVM_INTERRUPT: %s\n",
				vector, strerror(-ret));
	}
	run->request_interrupt_window = (uint8_t)g->pic.output;
	pthread_mutex_unlock(&g->lock);
}

/* Run one vCPU until the guest ends: the process's exit status. */
static int run_loop(struct vcpu *v)
{
	const struct minivm_mmio_env env = {
		.gpa_to_hva = guest_gpa_to_hva, .read = guest_mmio_read,
		.write = guest_mmio_write, .ctx = v->g,
	};
	struct minivm_run *run = v->run;
	struct guest *g = v->g;
	int ret, status, vcpu = v->fd;

	for (;;) {
		if (v->id == 0) {
			run->immediate_exit = 0;
			guest_pic_deliver(v);
		}
		ret = minivm_run(vcpu);
		if (ret == -EINTR)
			continue;	/* a handled signal; SIGINT's default ends us */
		if (ret == -EFAULT && run->exit_reason == MINIVM_EXIT_MEMORY_ERROR)
			return fail(EXIT_MEMORY, "guest RAM at %#llx (host %#llx) cannot be faulted in: %s",
				    (unsigned long long)run->memory.gpa,
				    (unsigned long long)run->memory.hva,
				    strerror((int)-run->memory.error));
		if (ret)
			return fail(EXIT_SYSTEM, "MINIVM_RUN: %s", strerror(-ret));
		switch (run->exit_reason) {
		case MINIVM_EXIT_IO:
			status = guest_io(g, run);
			if (status)
				return status;
			break;
		case MINIVM_EXIT_MMIO:
			pthread_mutex_lock(&g->lock);
			ret = minivm_mmio_emulate(vcpu, run, &env);
			pthread_mutex_unlock(&g->lock);
			if (ret)
				return fail(EXIT_UNHANDLED, "cannot emulate the %s of MMIO address %#llx: %s",
					    run->mmio.access & MINIVM_ACCESS_WRITE ? "write" :
					    run->mmio.access & MINIVM_ACCESS_FETCH ? "instruction fetch" :
					    "read", (unsigned long long)run->mmio.gpa,
					    ret == -EOPNOTSUPP ? "instruction not supported" :
					    strerror(-ret));
			break;
		case MINIVM_EXIT_IRQ_WINDOW_OPEN:
			break;		/* guest_pic_deliver() delivers now */
		case MINIVM_EXIT_EOI:
			/* A level-triggered interrupt's end: the I/O APIC may send it again. */
			pthread_mutex_lock(&g->lock);
			if (g->ioapic)
				ioapic_eoi(g->ioapic, (uint8_t)run->eoi.vector);
			pthread_mutex_unlock(&g->lock);
			break;
		case MINIVM_EXIT_HLT:
			return fail(EXIT_HALTED, "the guest halted at rip %#llx; minivm emulates no interrupt controller, so nothing can wake it",
				    (unsigned long long)run->hw.rip);
		case MINIVM_EXIT_SHUTDOWN:
			return fail(EXIT_TRIPLE_FAULT, "the guest triple-faulted (shutdown) at rip %#llx",
				    (unsigned long long)run->hw.rip);
		case MINIVM_EXIT_FAIL_ENTRY:
			return fail(EXIT_UNHANDLED, "the CPU refused to enter the guest: %s exit %llu (%s), error/info %#llx",
				    minivm_vendor_name(run->vendor),
				    (unsigned long long)run->hw_reason,
				    minivm_hw_exit_name(run->vendor, run->hw_reason),
				    (unsigned long long)run->hw.info);
		default:
			return fail(EXIT_UNHANDLED, "unhandled exit: %s %s (%llu) at rip %#llx, qualification %#llx, info %#llx",
				    minivm_vendor_name(run->vendor),
				    minivm_hw_exit_name(run->vendor, run->hw_reason),
				    (unsigned long long)run->hw_reason, (unsigned long long)run->hw.rip,
				    (unsigned long long)run->hw.qualification,
				    (unsigned long long)run->hw.info);
		}
	}
}

/* An application processor's thread: its status ends the whole process. */
static void *vcpu_thread(void *arg)
{
	int status = run_loop(arg);

	fflush(stdout);
	exit(status);
}

static int cmd_run(int argc, char **argv)
{
	uint64_t mem = 128ULL << 20;
	const char *image_path = NULL, *initrd = NULL;
	struct mb_module mod;
	uint8_t *mod_data = NULL;
	char cmdline[4096];
	struct mb_boot boot;
	struct guest g = { 0 };
	struct vcpu *vcpus;
	uint8_t *image;
	size_t image_size, len;
	const char *why;
	unsigned long cpus = 1;
	uint64_t lapic = 0, immediate_exit = 0;
	int i, sys, vm, ret, testdev = 0;
	char *end;

	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--mem") && i + 1 < argc) {
			if (parse_size(argv[++i], &mem) || mem < (2 << 20) || mem > (3584ULL << 20) ||
			    mem & 0xfff)
				return fail(EXIT_USAGE, "--mem %s: want a size from 2M to 3584M", argv[i]);
		} else if (!strcmp(argv[i], "--initrd") && i + 1 < argc) {
			initrd = argv[++i];
		} else if (!strcmp(argv[i], "--cpus") && i + 1 < argc) {
			cpus = strtoul(argv[++i], &end, 10);
			if (*end || end == argv[i] || cpus < 1 || cpus > 64)
				return fail(EXIT_USAGE, "--cpus %s: want 1 to 64", argv[i]);
		} else if (!strcmp(argv[i], "--device") && i + 1 < argc) {
			if (strcmp(argv[++i], "pc-testdev"))
				return fail(EXIT_USAGE, "--device %s: the only device to add is pc-testdev",
					    argv[i]);
			testdev = 1;
		} else if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (argv[i][0] == '-') {
			return fail(EXIT_USAGE, "run: unknown option '%s' (try 'minivm help')", argv[i]);
		} else if (!image_path) {
			image_path = argv[i];
		} else {
			return fail(EXIT_USAGE, "run: more than one IMAGE; put the command line after --");
		}
	}
	if (!image_path)
		return fail(EXIT_USAGE, "run: no IMAGE given (try 'minivm help')");
	/* QEMU's multiboot command line: the image path, a space, -append's text. */
	len = snprintf(cmdline, sizeof(cmdline), "%s ", image_path);
	for (; i < argc && len < sizeof(cmdline); i++)
		len += snprintf(cmdline + len, sizeof(cmdline) - len, "%s%s", argv[i],
				i + 1 < argc ? " " : "");
	if (len >= sizeof(cmdline))
		return fail(EXIT_USAGE, "run: the command line is longer than %zu bytes",
			    sizeof(cmdline) - 1);
	if (read_file(image_path, &image, &image_size))
		return fail(EXIT_BAD_IMAGE, "cannot read %s: %s", image_path,
			    errno ? strerror(errno) : "not a regular file of at most 64 MiB");

	if (initrd) {
		/* As QEMU's -initrd: the file is the text up to a space, the string all of it. */
		char path[4096];
		size_t plen = strcspn(initrd, " ");

		if (plen >= sizeof(path))
			return fail(EXIT_USAGE, "--initrd: the path is longer than %zu bytes",
				    sizeof(path) - 1);
		memcpy(path, initrd, plen);
		path[plen] = 0;
		if (read_file(path, &mod_data, &mod.size))
			return fail(EXIT_BAD_IMAGE, "cannot read %s: %s", path,
				    errno ? strerror(errno) : "not a regular file of at most 64 MiB");
		mod.data = mod_data;
		mod.string = initrd;
	}

	g.ram_size = mem;
	g.ram = mmap(NULL, mem, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		     -1, 0);
	if (g.ram == MAP_FAILED)
		return fail(EXIT_SYSTEM, "cannot map %llu MiB of guest RAM: %s",
			    (unsigned long long)(mem >> 20), strerror(errno));
	if (mb_load(image, image_size, g.ram, mem, cmdline, initrd ? &mod : NULL, &boot, &why))
		return fail(EXIT_BAD_IMAGE, "%s: %s", image_path, why);
	free(image);
	free(mod_data);

	sys = minivm_open();
	if (sys < 0)
		return fail(EXIT_NO_MODULE, "cannot open %s: %s%s", MINIVM_DEVICE, strerror(-sys),
			    sys == -ENOENT ? " (is minivm.ko loaded?)" : "");
	/* The module's local APICs when it has them; more than one CPU needs them. */
	if (minivm_check_cap(sys, MINIVM_CAP_LAPIC, &lapic))
		lapic = 0;
	if (cpus > 1 && !lapic)
		return fail(EXIT_NO_MODULE, "--cpus %lu: this minivm.ko has no local APIC (MINIVM_CAP_LAPIC)",
			    cpus);
	vm = minivm_create_vm_flags(sys, lapic ? MINIVM_VM_LAPIC : 0, NULL);
	if (vm < 0)
		return fail(vm == -EBUSY ? EXIT_HW_BUSY : EXIT_NO_MODULE, "cannot create a VM: %s%s",
			    strerror(-vm), vm == -EBUSY ? " (another hypervisor holds VMX/SVM)" : "");
	g.vm = vm;
	if (guest_devices(&g, cpus, lapic, testdev))
		return fail(EXIT_SYSTEM, "cannot set up the devices (their ranges overlap, or no memory)");
	ret = minivm_set_memory_region(vm, 0, 0, 0, LOW_RAM_END, g.ram);
	if (!ret)
		ret = minivm_set_memory_region(vm, 1, 0, HIGH_RAM, mem - HIGH_RAM, g.ram + HIGH_RAM);
	if (ret)
		return fail(EXIT_SYSTEM, "MINIVM_SET_MEMORY_REGION: %s", strerror(-ret));
	vcpus = calloc(cpus, sizeof(*vcpus));
	if (!vcpus)
		return fail(EXIT_SYSTEM, "out of memory");
	for (i = 0; i < (int)cpus; i++) {
		vcpus[i] = (struct vcpu){ .g = &g, .id = i };
		vcpus[i].fd = minivm_create_vcpu(vm, i, &vcpus[i].run);
		if (vcpus[i].fd < 0)
			return fail(EXIT_SYSTEM, "MINIVM_CREATE_VCPU %d: %s", i,
				    strerror(-vcpus[i].fd));
	}
	ret = set_entry_state(vcpus[0].fd, &boot);
	if (ret)
		return fail(EXIT_SYSTEM, "setting the entry state: %s", strerror(-ret));
	if (minivm_check_cap(sys, MINIVM_CAP_IMMEDIATE_EXIT, &immediate_exit))
		immediate_exit = 0;
	if (guest_kick_setup(&g, vcpus[0].run, immediate_exit) || guest_timer_start(&g))
		return fail(EXIT_SYSTEM, "cannot start the timer thread: %s", strerror(errno));
	/* The others wait in the module for INIT and a start-up IPI. */
	for (i = 1; i < (int)cpus; i++) {
		ret = pthread_create(&vcpus[i].thread, NULL, vcpu_thread, &vcpus[i]);
		if (ret)
			return fail(EXIT_SYSTEM, "cannot start vCPU %d's thread: %s", i,
				    strerror(ret));
	}
	return run_loop(&vcpus[0]);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "info") && argc == 2)
		return cmd_info();
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc, argv);
	fprintf(stderr, "minivm: unknown command '%s' (try 'minivm help')\n", argv[1]);
	return EXIT_USAGE;
}
