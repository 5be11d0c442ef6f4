// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: the launcher.
 *
 *   minivm info    what the module offers
 *   minivm run     run a Linux bzImage or vmlinux, or a multiboot kernel, as
 *                  `qemu-system-x86_64 -kernel` would: COM1 on stdin/stdout,
 *                  isa-debug-exit at 0xf4, the 8259s, PIT, RTC, 8042, fw_cfg,
 *                  the I/O APIC, MP tables, and pc-testdev when asked
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
#include <cpuid.h>
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
#include "acpi.h"
#include "acpi_pm.h"
#include "bus.h"
#include "bzimage.h"
#include "console.h"
#include "fw_cfg.h"
#include "i8042.h"
#include "ioapic.h"
#include "mptable.h"
#include "multiboot.h"
#include "pc_memory.h"
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
	EXIT_TOO_BIG = 20,
	EXIT_CMDLINE = 22,
	EXIT_RESET = 24,
	EXIT_QUIT = 26,
};

#define COM1		0x3f8
#define DEBUG_EXIT	0xf4	/* QEMU's isa-debug-exit,iobase=0xf4,iosize=4 */

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
		"                  run IMAGE as qemu-system-x86_64 -kernel IMAGE -append\n"
		"                  CMDLINE would: a Linux bzImage (boot protocol 2.12 or\n"
		"                  later, entered at its 64-bit entry point), a Linux\n"
		"                  vmlinux (ELF, its segments placed and entered at\n"
		"                  startup_64, nothing to decompress) or a multiboot\n"
		"                  v1 kernel (32-bit ELF, or a.out addresses in its header;\n"
		"                  it sees the command line \"IMAGE CMDLINE\"), with QEMU's\n"
		"                  memory map and a 16550 UART at 0x3f8 (COM1) on\n"
		"                  stdin/stdout; a write of V to port 0xf4 ends the run\n"
		"                  with status (V << 1) | 1\n"
		"    --mem SIZE    guest RAM: MiB, or with a suffix K, M or G; 2M to 1024G\n"
		"                  (default 128M, as QEMU; above 3.5G, 3G stay below 4 GiB)\n"
		"    --cpus N      vCPUs, 1 to 64 (default 1): vCPU 0 enters IMAGE, the\n"
		"                  others wait for its INIT and start-up IPIs, as on a PC\n"
		"    --initrd FILE Linux's initrd; for a multiboot kernel a module, as\n"
		"                  QEMU's -initrd: the file is the text up to the first\n"
		"                  space, the module's string all of it\n"
		"    --device pc-testdev\n"
		"                  QEMU's test device (-device pc-testdev): a latch at port\n"
		"                  0xe0, page flush at 0xe4, ISA IRQ lines at 0x2000-0x200f,\n"
		"                  64 KiB of I/O memory at 0xff000000\n"
		"  help            this text\n"
		"\n"
		"exit status: 0 ok (info), or the guest powered off (ACPI's S5: Linux's\n"
		"   poweroff); odd: the guest's isa-debug-exit status; and\n"
		"   2 bad usage                        4 VMX/SVM held by another hypervisor\n"
		"   6 /dev/minivm missing or unusable  8 IMAGE cannot be loaded\n"
		"  10 the guest triple-faulted        12 the guest halted for good (only\n"
		"     without the module's local APIC: with it HLT waits, as in QEMU)\n"
		"  14 an exit minivm cannot handle, or the CPU refused the guest state\n"
		"  16 guest RAM could not be faulted in   18 a system call failed\n"
		"  20 the bzImage or its initrd does not fit in guest RAM\n"
		"  22 the command line is longer than the bzImage accepts\n"
		"  24 the guest reset the PC (the 8042's reset line: Linux's reboot)\n"
		"  26 ended from the terminal with Ctrl-A x\n"
		"\n"
		"On a terminal the guest owns it (raw mode: every key goes to the guest)\n"
		"until the run ends; Ctrl-A h lists the escape keys, Ctrl-A x quits.\n");
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
		{ MINIVM_CAP_UNCLAIMED_PORTS, "unclaimed ports answered in the kernel (1: yes)" },
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
	struct pc_memory mem;
	int vm;
	pthread_mutex_t lock;	/* the devices, which every vCPU's thread reaches */
	struct bus ports, mmio;
	struct uart com1;
	struct fw_cfg fw_cfg;
	struct i8042 i8042;	/* its reset line ends the run */
	struct acpi_pm acpi_pm;	/* its S5 ends the run with status 0 */
	struct pic pic;		/* its INT reaches vCPU 0: guest_pic_deliver() */
	struct pit pit;		/* its interrupts and the RTC's: guest_timer_thread() */
	struct rtc rtc;
	pthread_cond_t timer_changed;	/* with lock: the PIT or RTC was reprogrammed */
	pthread_cond_t rx_room;		/* with lock: the guest read from COM1's FIFO */
	int console_raw;		/* stdin is a terminal in raw mode: Ctrl-A escapes */
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

	return pc_memory_hva(&g->mem, gpa, 1);
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
	struct guest *g = ctx;
	uint8_t v = uart_read(&g->com1, (unsigned int)off);

	(void)size;
	if (off == 0)		/* RBR (or the divisor): maybe room for more input */
		pthread_cond_signal(&g->rx_room);
	return v;
}

static int com1_write(void *ctx, uint64_t off, unsigned int size, uint64_t value)
{
	struct guest *g = ctx;

	(void)size;
	uart_write(&g->com1, (unsigned int)off, (uint8_t)value);
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

static void guest_set_irq4(void *ctx, int level)
{
	guest_set_isa_irq(ctx, 4, level);
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

/*
 * A device on another thread than vCPU 0's raised a line: if the 8259s now
 * want vCPU 0, kick it (an interrupt routed through the I/O APIC reaches
 * the module's APIC, which wakes its vCPU itself). The device lock held.
 */
static void guest_kick(struct guest *g)
{
	if (g->pic.output)
		pthread_kill(g->vcpu0, KICK_SIGNAL);
}

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
		if (raised)
			guest_kick(g);
	}
	return NULL;
}

static int fail(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The console's input, COM1's receiver: read what stdin has, as much as
 * the UART's FIFO has room for, and wait for the guest to make room for
 * the rest, so that input piped in is never lost. Ends at end of input.
 * On a terminal, the escape keys are the launcher's (console.c): Ctrl-A x
 * ends the run at once, whatever the guest is doing.
 */
static void *guest_input_thread(void *arg)
{
	struct guest *g = arg;
	struct console_escape escape = { 0 };
	unsigned int commands;
	uint8_t buf[UART_FIFO];
	size_t have = 0, room;
	ssize_t n;

	for (;;) {
		if (!have) {
			n = read(0, buf, sizeof(buf));
			if (n <= 0 && !(n < 0 && errno == EINTR))
				return NULL;
			have = n > 0 ? (size_t)n : 0;
			if (g->console_raw) {
				have = console_filter(&escape, buf, have, &commands);
				if ((commands & CONSOLE_HELP) &&
				    write(2, console_help, strlen(console_help)) < 0)
					return NULL;
				if (commands & CONSOLE_QUIT) {
					fflush(stdout);
					fputc('\n', stderr);	/* the guest's line may be half done */
					exit(fail(EXIT_QUIT, "ended by Ctrl-A x"));
				}
				if (!have)
					continue;
			}
		}
		pthread_mutex_lock(&g->lock);
		while (!(room = uart_rx_space(&g->com1)))
			pthread_cond_wait(&g->rx_room, &g->lock);
		if (room > have)
			room = have;
		uart_receive(&g->com1, buf, room);
		guest_kick(g);
		pthread_mutex_unlock(&g->lock);
		memmove(buf, buf + room, have - room);
		have -= room;
	}
}

/*
 * Every thread of the launcher, on a small stack: glibc's default 8 MiB,
 * placed by the kernel right under the 2 MiB-aligned guest RAM, is aligned
 * too and got a transparent huge page on its first touch, 2 MiB of the
 * launcher's own memory for a few KiB of stack. None needs more than this.
 */
#define THREAD_STACK	(256 << 10)

static int start_thread(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	pthread_attr_t attr;
	int ret = pthread_attr_init(&attr);

	if (ret)
		return ret;
	ret = pthread_attr_setstacksize(&attr, THREAD_STACK);
	if (!ret)
		ret = pthread_create(thread, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return ret;
}

/* The threads that interrupt the guest: the timers' and the console input's. */
static int guest_threads_start(struct guest *g)
{
	pthread_condattr_t attr;
	pthread_t thread;

	if (pthread_condattr_init(&attr) || pthread_condattr_setclock(&attr, CLOCK_MONOTONIC) ||
	    pthread_cond_init(&g->timer_changed, &attr) || pthread_cond_init(&g->rx_room, NULL))
		return -1;
	return start_thread(&thread, guest_timer_thread, g) ||
	       start_thread(&thread, guest_input_thread, g) ? -1 : 0;
}

/* The host address of RAM page @gpa, for pc-testdev's flush. */
static void *guest_page(void *ctx, uint64_t gpa)
{
	struct guest *g = ctx;

	return pc_memory_hva(&g->mem, gpa, 4096);
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
		.read = com1_read, .write = com1_write, .ctx = g,
	};
	const struct bus_device debug_exit = {
		.name = "isa-debug-exit", .base = DEBUG_EXIT, .len = 4, .write = debug_exit_write,
	};
	struct rtc_platform pc = {
		.ram_size = g->mem.size, .ram_above_4g = g->mem.above_4g, .cpus = cpus,
	};
	struct timespec now;

	uart_init(&g->com1, 1, guest_set_irq4, g);
	bus_init(&g->ports, BUS_PORTS, ~0ULL);
	bus_init(&g->mmio, BUS_MEMORY, 0);
	if (bus_add(&g->ports, &com1) || bus_add(&g->ports, &debug_exit) ||
	    pic_init(&g->pic, &g->ports, NULL, NULL) ||
	    i8042_init(&g->i8042, &g->ports, EXIT_RESET, guest_set_isa_irq, g) ||
	    acpi_pm_init(&g->acpi_pm, &g->ports) ||
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
	return fw_cfg_init(&g->fw_cfg, &g->ports, g->mem.size, cpus);
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

/* A vmlinux is about 64 MiB (Debian's, its symbols stripped), an initrd can be more. */
#define MAX_FILE	(512 << 20)
#define MAX_FILE_WHY	"not a regular file of at most 512 MiB"

/*
 * A file the loaders read, mapped rather than read: only the pages they
 * copy are touched (a vmlinux is mostly what is loaded, but reading it
 * whole cost as many instructions again as copying it into guest RAM).
 */
static int map_file(const char *path, uint8_t **data, size_t *size)
{
	static uint8_t empty[1];
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *p;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size > MAX_FILE) {
		errno = 0;
		close(fd);
		return -1;
	}
	*size = st.st_size;
	p = *size ? mmap(NULL, *size, PROT_READ, MAP_PRIVATE, fd, 0) : empty;
	close(fd);
	if (p == MAP_FAILED)
		return -1;
	*data = p;
	return 0;
}

static void unmap_file(uint8_t *data, size_t size)
{
	if (data && size)
		munmap(data, size);
}

/* A mapped file cut short while loading: its pages past the end fault. */
static void file_shrank(int sig)
{
	static const char msg[] = "minivm: the kernel or initrd got shorter while it was being loaded\n";

	ssize_t n;

	(void)sig;
	n = write(STDERR_FILENO, msg, sizeof(msg) - 1);
	(void)n;	/* nothing more to do if stderr is gone */
	_exit(EXIT_BAD_IMAGE);
}

static void set_seg(struct minivm_segment *s, uint16_t sel, uint16_t attrib)
{
	*s = (struct minivm_segment){ .base = 0, .limit = 0xffffffff, .selector = sel,
				      .attrib = attrib };
}

#define CR0_PE		0x1ULL
#define CR0_ET		0x10ULL
#define CR0_PG		0x80000000ULL
#define CR4_PAE		0x20ULL
#define EFER_LME	0x100ULL
#define EFER_LMA	0x400ULL

/*
 * What firmware sets up in each CPU before a kernel runs, as SeaBIOS does
 * on QEMU's PC: MTRRs on, write-back by default (minivm has no variable or
 * fixed-range MTRRs to fill in).
 */
static int set_firmware_msrs(int vcpu)
{
	struct minivm_msr_entry e = { .index = 0x2ff, .data = 0x806 };	/* MTRR_DEF_TYPE */
	uint32_t done;

	return minivm_set_msrs(vcpu, &e, 1, &done);
}

/* How the loaded kernel starts. */
struct boot {
	int is_linux;
	struct mb_boot mb;
	struct bz_boot bz;
};

static int set_entry_state(int vcpu, const struct boot *boot)
{
	const uint16_t code32 = 0xb | MINIVM_SEG_S | MINIVM_SEG_P | MINIVM_SEG_DB | MINIVM_SEG_G;
	const uint16_t code64 = 0xb | MINIVM_SEG_S | MINIVM_SEG_P | MINIVM_SEG_L | MINIVM_SEG_G;
	const uint16_t data = 0x3 | MINIVM_SEG_S | MINIVM_SEG_P | MINIVM_SEG_DB | MINIVM_SEG_G;
	struct minivm_regs regs = { .rflags = 2 };
	struct minivm_sregs s;
	int ret = minivm_get_sregs(vcpu, &s);

	if (ret)
		return ret;
	set_seg(&s.ds, 0x18, data);
	s.es = s.fs = s.gs = s.ss = s.ds;
	s.tr = (struct minivm_segment){ .limit = 0xffff, .attrib = 0xb | MINIVM_SEG_P };
	s.ldt = (struct minivm_segment){ .limit = 0xffff };
	if (boot->is_linux) {
		/*
		 * The boot protocol's 64-bit entry: __BOOT_CS and __BOOT_DS,
		 * paging on with the loader's identity map, interrupts off,
		 * RSI the zero page.
		 */
		set_seg(&s.cs, 0x10, code64);
		s.gdt = (struct minivm_dtable){ .base = boot->bz.gdt, .limit = boot->bz.gdt_limit };
		s.idt = (struct minivm_dtable){ .base = 0, .limit = 0 };
		s.cr0 = CR0_PG | CR0_ET | CR0_PE;
		s.cr3 = boot->bz.cr3;
		s.cr4 = CR4_PAE;
		s.efer = EFER_LME | EFER_LMA;
		regs.rsi = boot->bz.zero_page;
		regs.rip = boot->bz.entry;
	} else {
		/* What QEMU's multiboot option ROM leaves: flat 32-bit, no paging. */
		set_seg(&s.cs, 0x10, code32);
		s.gdt = (struct minivm_dtable){ .base = boot->mb.gdt, .limit = 31 };
		s.idt = (struct minivm_dtable){ .base = 0, .limit = 0x3ff };
		s.cr0 = CR0_ET | CR0_PE;
		s.cr3 = s.cr4 = s.efer = 0;
		regs.rax = 0x2badb002;
		regs.rbx = boot->mb.mbi;
		regs.rip = boot->mb.entry;
	}
	ret = minivm_set_sregs(vcpu, &s);
	return ret ? ret : minivm_set_regs(vcpu, &regs);
}

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

/* An MMIO access minivm_mmio_emulate() could not finish: the exit status. */
static int mmio_failed(struct vcpu *v, int err)
{
	const struct minivm_run *run = v->run;
	struct minivm_regs regs = { 0 };

	minivm_get_regs(v->fd, &regs);
	return fail(EXIT_UNHANDLED, "cannot emulate the %s of MMIO address %#llx at rip %#llx: %s",
		    run->mmio.access & MINIVM_ACCESS_WRITE ? "write" :
		    run->mmio.access & MINIVM_ACCESS_FETCH ? "instruction fetch" : "read",
		    (unsigned long long)run->mmio.gpa, (unsigned long long)regs.rip,
		    err == -EOPNOTSUPP ? "instruction not supported" :
		    err == -EINVAL ? "not a valid instruction" :
		    err == -EFAULT ? "the instruction is not in guest memory" : strerror(-err));
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
			if (status == EXIT_RESET)
				return fail(EXIT_RESET, "the guest reset the PC (the 8042's reset line) at rip %#llx",
					    (unsigned long long)run->hw.rip);
			if (status)
				return status == BUS_POWER_OFF ? 0 : status;
			break;
		case MINIVM_EXIT_MMIO:
			pthread_mutex_lock(&g->lock);
			ret = minivm_mmio_emulate(vcpu, run, &env);
			pthread_mutex_unlock(&g->lock);
			if (ret)
				return mmio_failed(v, ret);
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

/*
 * Load the kernel at @path into guest RAM, telling a Linux bzImage (by its
 * boot protocol header) and vmlinux (an x86-64 ELF with Linux's notes) from
 * a multiboot kernel, with the command line
 * @args and the initrd @initrd (or NULL): 0, or the process's exit status.
 */
static int load_kernel(struct guest *g, const char *path, const char *initrd, char **args,
		       int nargs, struct boot *boot)
{
	/* Multiboot's command line is QEMU's: the image path, a space, -append's text. */
	char cmdline[4096], rd_path[4096];
	uint8_t *image, *rd = NULL;
	size_t image_size, rd_size = 0, len = 0;
	struct mb_module mod;
	const char *why;
	enum bz_error e;
	int i, vmlinux;

	signal(SIGBUS, file_shrank);
	if (map_file(path, &image, &image_size))
		return fail(EXIT_BAD_IMAGE, "cannot read %s: %s", path,
			    errno ? strerror(errno) : MAX_FILE_WHY);
	vmlinux = bz_is_vmlinux(image, image_size);
	boot->is_linux = vmlinux || bz_is_linux(image, image_size);
	if (!boot->is_linux)
		len = snprintf(cmdline, sizeof(cmdline), "%s ", path);
	for (i = 0; i < nargs && len < sizeof(cmdline); i++)
		len += snprintf(cmdline + len, sizeof(cmdline) - len, "%s%s", args[i],
				i + 1 < nargs ? " " : "");
	if (len >= sizeof(cmdline))
		return fail(boot->is_linux ? EXIT_CMDLINE : EXIT_USAGE,
			    "run: the command line is longer than %zu bytes", sizeof(cmdline) - 1);
	cmdline[len] = 0;
	if (initrd) {
		/* Multiboot's, as QEMU's -initrd: the file is the text up to a space. */
		len = boot->is_linux ? strlen(initrd) : strcspn(initrd, " ");
		if (len >= sizeof(rd_path))
			return fail(EXIT_USAGE, "--initrd: the path is longer than %zu bytes",
				    sizeof(rd_path) - 1);
		memcpy(rd_path, initrd, len);
		rd_path[len] = 0;
		if (map_file(rd_path, &rd, &rd_size))
			return fail(EXIT_BAD_IMAGE, "cannot read %s: %s", rd_path,
				    errno ? strerror(errno) : MAX_FILE_WHY);
	}
	if (boot->is_linux) {
		e = vmlinux ?
			bz_load_vmlinux(image, image_size, &g->mem, cmdline, rd, rd_size, &boot->bz,
					&why) :
			bz_load(image, image_size, &g->mem, cmdline, rd, rd_size, &boot->bz, &why);
		if (e != BZ_OK)
			return fail(e == BZ_TOO_BIG ? EXIT_TOO_BIG : e == BZ_CMDLINE_TOO_LONG ?
				    EXIT_CMDLINE : EXIT_BAD_IMAGE, "%s: %s", path, why);
	} else {
		mod = (struct mb_module){ .data = rd, .size = rd_size, .string = initrd };
		if (mb_load(image, image_size, &g->mem, cmdline, initrd ? &mod : NULL, &boot->mb,
			    &why))
			return fail(EXIT_BAD_IMAGE, "%s: %s", path, why);
	}
	unmap_file(image, image_size);
	unmap_file(rd, rd_size);
	signal(SIGBUS, SIG_DFL);
	return 0;
}

/*
 * Guest RAM: anonymous memory, 2 MiB-aligned and advised for transparent
 * huge pages, as QEMU maps its RAM. With guest-physical and host addresses
 * at the same 2 MiB alignment the module maps a huge page the host gives
 * with one NPT/EPT entry (kmod/mmu.c), and the host zeroes 2 MiB per fault
 * instead of 4 KiB: a Linux guest's boot touches some 100 MiB.
 */
static void *map_guest_ram(uint64_t size)
{
	const uintptr_t align = 2 << 20;
	uint8_t *p = mmap(NULL, size + align, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uintptr_t start, head, tail;

	if (p == MAP_FAILED)
		return p;
	start = ((uintptr_t)p + align - 1) & ~(align - 1);
	head = start - (uintptr_t)p;
	tail = align - head;
	if (head)
		munmap(p, head);
	if (tail)
		munmap((void *)(start + size), tail);
	/* Only advice: a host without transparent huge pages ignores it. */
	madvise((void *)start, size, MADV_HUGEPAGE);
	return (void *)start;
}

static int cmd_run(int argc, char **argv)
{
	uint64_t mem = 128ULL << 20;
	const char *image_path = NULL, *initrd = NULL;
	struct boot boot;
	struct guest g = { 0 };
	struct vcpu *vcpus;
	unsigned long cpus = 1;
	uint64_t lapic = 0, immediate_exit = 0, cap;
	int i, sys, vm, ret, testdev = 0;
	char *end;

	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--mem") && i + 1 < argc) {
			if (parse_size(argv[++i], &mem) || pc_memory_init(&g.mem, mem))
				return fail(EXIT_USAGE, "--mem %s: want a size from 2M to 1024G, in whole KiB pages",
					    argv[i]);
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
	pc_memory_init(&g.mem, mem);
	g.mem.host = map_guest_ram(mem);
	g.mem.rom = mmap(NULL, PC_ROM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	if (g.mem.host == MAP_FAILED || g.mem.rom == MAP_FAILED)
		return fail(EXIT_SYSTEM, "cannot map %llu MiB of guest RAM: %s",
			    (unsigned long long)(mem >> 20), strerror(errno));
	g.mem.zeroed = 1;	/* fresh anonymous memory */
	ret = load_kernel(&g, image_path, initrd, argv + i, argc - i, &boot);
	if (ret)
		return ret;

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
	/* The MP tables describe the local APICs: only with the module's. */
	if (lapic) {
		unsigned int sig = 0, b, c, features = 0;

		__get_cpuid(1, &sig, &b, &c, &features);
		if (mptable_write(&g.mem, cpus, sig, features))
			return fail(EXIT_SYSTEM, "cannot write the MP tables");
	}
	if (acpi_write(&g.mem, cpus, lapic))
		return fail(EXIT_SYSTEM, "cannot write the ACPI tables");
	if (guest_devices(&g, cpus, lapic, testdev))
		return fail(EXIT_SYSTEM, "cannot set up the devices (their ranges overlap, or no memory)");
	/*
	 * Ports no device decodes are the kernel's to answer (all ones, writes
	 * lost, as here): a guest probing for hardware the PC lacks (Linux's
	 * GART search reads every PCI slot's) does not come out to us for each.
	 */
	if (!minivm_check_cap(sys, MINIVM_CAP_UNCLAIMED_PORTS, &cap) && cap) {
		/* 8 KiB, once: the heap's, not the stack's, and not copied again. */
		struct minivm_unclaimed_ports *unclaimed = calloc(1, sizeof(*unclaimed));

		if (!unclaimed)
			return fail(EXIT_SYSTEM, "out of memory");
		bus_unclaimed(&g.ports, unclaimed->bitmap);
		ret = minivm_set_unclaimed_ports(vm, unclaimed);
		free(unclaimed);
		if (ret)
			return fail(EXIT_SYSTEM, "MINIVM_SET_UNCLAIMED_PORTS: %s", strerror(-ret));
	}
	ret = minivm_set_memory_region(vm, 0, 0, 0, PC_LOW_RAM_END, g.mem.host);
	if (!ret)
		ret = minivm_set_memory_region(vm, 1, 0, PC_HIGH_RAM, g.mem.below_4g - PC_HIGH_RAM,
					       g.mem.host + PC_HIGH_RAM);
	/* Firmware's area reads as memory (zeros, and the tables), writes are lost. */
	if (!ret)
		ret = minivm_set_memory_region(vm, 2, MINIVM_MEM_READONLY, PC_ROM, PC_ROM_SIZE,
					       g.mem.rom);
	if (!ret && g.mem.above_4g)
		ret = minivm_set_memory_region(vm, 3, 0, PC_4G, g.mem.above_4g,
					       g.mem.host + g.mem.below_4g);
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
		ret = set_firmware_msrs(vcpus[i].fd);
		if (ret)
			return fail(EXIT_SYSTEM, "MINIVM_SET_MSRS: %s", strerror(-ret));
	}
	ret = set_entry_state(vcpus[0].fd, &boot);
	if (ret)
		return fail(EXIT_SYSTEM, "setting the entry state: %s", strerror(-ret));
	if (minivm_check_cap(sys, MINIVM_CAP_IMMEDIATE_EXIT, &immediate_exit))
		immediate_exit = 0;
	if (guest_kick_setup(&g, vcpus[0].run, immediate_exit))
		return fail(EXIT_SYSTEM, "cannot set up the vCPU kick signal: %s", strerror(errno));
	/* After the kick signal's handler: console.c keeps handlers it finds. */
	g.console_raw = console_raw_start(0);
	if (g.console_raw < 0)
		return fail(EXIT_SYSTEM, "cannot put the terminal in raw mode: %s", strerror(errno));
	if (guest_threads_start(&g))
		return fail(EXIT_SYSTEM, "cannot start the timer and input threads: %s",
			    strerror(errno));
	/* The others wait in the module for INIT and a start-up IPI. */
	for (i = 1; i < (int)cpus; i++) {
		ret = start_thread(&vcpus[i].thread, vcpu_thread, &vcpus[i]);
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
