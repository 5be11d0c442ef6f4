// SPDX-License-Identifier: GPL-2.0
/*
 * bench-kvm, bench-minivm: the benchmark's workloads, the same program for
 * both hypervisors (see bench.h). Each run does one operation and prints one
 * line, "bench OPERATION VALUE UNIT [KEY=VALUE...]".
 *
 * The clock is the TSC. In the AMD lab QEMU runs with -icount shift=0, so a
 * TSC tick is one emulated instruction and two runs give the same figures;
 * in the Intel lab (Bochs, clock sync=none) the TSC also follows the
 * instruction count, less exactly. Every timed stretch is guest work between
 * two OUTs the guest makes to ports MARK_START and MARK_END, so the figure
 * is what the guest sees: the exits, the host work behind them and the
 * guest's own loop (a few instructions per iteration, the same under both).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <x86intrin.h>
#include "bench.h"

#define MARK_START	0xf0
#define MARK_END	0xf1
#define MARK_DONE	0xf3	/* the end, where HLT would wait for an interrupt */
#define SZ_2M		(2UL << 20)

/* Guest code: 32-bit, flat, paging off; loops count down ESI. */
#define GUEST(name, body)						\
	extern const unsigned char name[], name##_end[];		\
	asm(".pushsection .rodata\n" #name ":\n.code32\n" body "\n"	\
	    ".code64\n" #name "_end:\n.popsection\n")

GUEST(g_cpuid, "out %al, $0xf0\n 1: xor %eax, %eax\n cpuid\n dec %esi\n jnz 1b\n"
	       "out %al, $0xf1\n hlt");
/* VMMCALL (0f 01 d9); exit_loop() makes it VMCALL (0f 01 c1) on Intel. */
extern const unsigned char g_hypercall_insn[];
GUEST(g_hypercall, "out %al, $0xf0\n 1: xor %eax, %eax\n"
		   "g_hypercall_insn: .byte 0x0f, 0x01, 0xd9\n"
		   "dec %esi\n jnz 1b\n out %al, $0xf1\n hlt");
GUEST(g_pio, "out %al, $0xf0\n 1: out %al, $0xf2\n dec %esi\n jnz 1b\n out %al, $0xf1\n hlt");
/* Write one word in each 4 KiB page from EBX up to ECX. */
GUEST(g_touch, "out %al, $0xf0\n 1: mov %eax, (%ebx)\n add $0x1000, %ebx\n cmp %ecx, %ebx\n"
	       "jb 1b\n out %al, $0xf1\n hlt");
GUEST(g_hlt, "hlt");

/*
 * Interrupt guests, for a VM with an in-kernel local APIC, through its
 * xAPIC page (MOVs the hypervisor decodes: KVM's emulator, minivm's
 * lapic_mmio.c). The host lays out a GDT, an IDT (apic_tables()) and the
 * descriptors at DESC_GPA; each handler EOIs.
 */
#define GDT_GPA		0x3000UL
#define IDT_GPA		0x4000UL
#define DESC_GPA	0x5000UL
#define APIC_SETUP	"lgdt 0x5000\n lidt 0x5008\n mov $0x8000, %esp\n"		\
			"movl $0x1ff, 0xfee000f0\n"	/* software-enabled */	\
			"movl $0xb, 0xfee003e0\n"	/* timer: divide by 1 */
/* The APIC timer, one-shot with a count of 1, ends each HLT. */
extern const unsigned char g_irq_timer_isr[];
GUEST(g_irq_timer, APIC_SETUP "movl $0x40, 0xfee00320\n out %al, $0xf0\n"
		   "1: movl $1, 0xfee00380\n sti\n hlt\n cli\n dec %esi\n jnz 1b\n"
		   "out %al, $0xf1\n out %al, $0xf3\n"
		   "g_irq_timer_isr: movl $0, 0xfee000b0\n iret");
/*
 * HLT that sleeps: the timer is armed HLT_WAKE_NS ahead, so the vCPU is
 * halted when it fires; what the figure has beyond that delay is the wake-up.
 */
#define HLT_WAKE_NS	20000
extern const unsigned char g_hlt_wake_isr[];
GUEST(g_hlt_wake, APIC_SETUP "movl $0x40, 0xfee00320\n out %al, $0xf0\n"
		  "1: movl $20000, 0xfee00380\n sti\n hlt\n cli\n dec %esi\n jnz 1b\n"
		  "out %al, $0xf1\n out %al, $0xf3\n"
		  "g_hlt_wake_isr: movl $0, 0xfee000b0\n iret");
/*
 * An IPI round trip between two vCPUs: vCPU 0 sends vector 0x42 to APIC 1
 * and halts; vCPU 1, halted, takes it and sends 0x43 back, which wakes
 * vCPU 0. vCPU 1 says it is ready by writing 1 at AP_READY.
 */
#define AP_READY	0x6000
extern const unsigned char g_ipi_ping_isr[], g_ipi_pong[], g_ipi_pong_isr[];
GUEST(g_ipi_ping, APIC_SETUP "2: cmpl $1, 0x6000\n jne 2b\n out %al, $0xf0\n"
		  "1: movl $0x1000000, 0xfee00310\n movl $0x4042, 0xfee00300\n"
		  "sti\n hlt\n cli\n dec %esi\n jnz 1b\n"
		  "out %al, $0xf1\n out %al, $0xf3\n"
		  "g_ipi_ping_isr: movl $0, 0xfee000b0\n iret\n"
		  "g_ipi_pong: lgdt 0x5000\n lidt 0x5008\n mov $0x7000, %esp\n"
		  "movl $0x1ff, 0xfee000f0\n movl $1, 0x6000\n sti\n 3: hlt\n jmp 3b\n"
		  "g_ipi_pong_isr: movl $0, 0xfee00310\n movl $0x4043, 0xfee00300\n"
		  "movl $0, 0xfee000b0\n iret");
/* A self-IPI (ICR, shorthand self), taken at once with interrupts on. */
extern const unsigned char g_ipi_self_isr[];
GUEST(g_ipi_self, APIC_SETUP "sti\n out %al, $0xf0\n"
		  "1: movl $0x44041, 0xfee00300\n dec %esi\n jnz 1b\n"
		  "out %al, $0xf1\n out %al, $0xf3\n"
		  "g_ipi_self_isr: movl $0, 0xfee000b0\n iret");

static const char *op;

static void die(const char *what, int err)
{
	fprintf(stderr, "bench-%s %s: %s: %s\n", hv_name, op, what, strerror(-err));
	exit(1);
}

static int is_intel(void)
{
	unsigned int a, b, c, d;

	asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0));
	return b == 0x756e6547;	/* "Genu" */
}

static void *map_ram(size_t size, int huge)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | (huge ? MAP_HUGETLB : 0), -1, 0);

	if (p == MAP_FAILED)
		die(huge ? "mmap of hugetlb pages" : "mmap", -errno);
	/* 4 KiB pages unless asked: THP would turn some faults into 2 MiB ones. */
	if (!huge && madvise(p, size, MADV_NOHUGEPAGE))
		die("madvise(MADV_NOHUGEPAGE)", -errno);
	return p;
}

void hv_vm_destroy(struct hv_vm *vm)
{
	if (vm->ap_run)
		munmap(vm->ap_run, vm->run_size);
	if (vm->ap > 0)
		close(vm->ap);
	if (vm->run)
		munmap(vm->run, vm->run_size);
	if (vm->vcpu >= 0)
		close(vm->vcpu);
	close(vm->fd);
	memset(vm, 0, sizeof(*vm));
}

int hv_vcpu_create(struct hv_vm *vm, uint64_t rip, uint64_t rsi, uint64_t rbx, uint64_t rcx)
{
	int fd = hv_vcpu_new(vm, 0, &vm->run, rip, rsi, rbx, rcx);

	if (fd < 0)
		return fd;
	vm->vcpu = fd;
	return 0;
}

/* A second vCPU (id 1), runnable at once in the same state, at @rip. */
int hv_vcpu_create_ap(struct hv_vm *vm, uint64_t rip)
{
	int fd = hv_vcpu_new(vm, 1, &vm->ap_run, rip, 0, 0, 0);

	if (fd < 0)
		return fd;
	vm->ap = fd;
	return hv_vcpu_runnable(fd);
}

int hv_run(struct hv_vm *vm, struct hv_exit *exit)
{
	return hv_run_vcpu(vm->vcpu, vm->run, exit);
}

int hv_run_ap(struct hv_vm *vm, struct hv_exit *exit)
{
	return hv_run_vcpu(vm->ap, vm->ap_run, exit);
}

/* RAM of @size at GPA 0 holding @code, and the vCPU about to run it. */
static int vm_start(struct hv_vm *vm, void *ram, size_t size, const unsigned char *code,
		    const unsigned char *end, uint64_t rsi, uint64_t rbx, uint64_t rcx)
{
	int ret = hv_vm_create(vm);

	if (ret)
		return ret;
	memcpy((char *)ram + GUEST_CODE_GPA, code, (size_t)(end - code));
	ret = hv_add_memory(vm, 0, 0, size, ram);
	if (!ret)
		ret = hv_vcpu_create(vm, GUEST_CODE_GPA, rsi, rbx, rcx);
	if (ret)
		hv_vm_destroy(vm);
	return ret;
}

/* Run to HLT: TSC ticks between the guest's two marks. */
static uint64_t run_marked(struct hv_vm *vm)
{
	uint64_t t0 = 0, t1 = 0;
	struct hv_exit ex;
	int ret;

	for (;;) {
		ret = hv_run(vm, &ex);
		if (ret)
			die("run", ret);
		if (ex.kind == HV_EXIT_HLT || (ex.kind == HV_EXIT_IO && ex.port == MARK_DONE))
			break;
		if (ex.kind == HV_EXIT_OTHER) {
			fprintf(stderr, "bench-%s %s: unexpected exit %s\n", hv_name, op, ex.what);
			exit(1);
		}
		if (ex.port == MARK_START)
			t0 = __rdtsc();
		else if (ex.port == MARK_END)
			t1 = __rdtsc();
	}
	if (!t0 || !t1)
		die("the guest never reached both marks", -EPROTO);
	return t1 - t0;
}

/* A guest loop of @n iterations: ticks per iteration. */
static void exit_loop(const unsigned char *code, const unsigned char *end, unsigned long n)
{
	unsigned char *ram = map_ram(SZ_2M, 0);
	uint64_t ticks;
	struct hv_vm vm;
	int ret;

	ret = vm_start(&vm, ram, SZ_2M, code, end, n, 0, 0);
	if (ret)
		die("VM set-up", ret);
	if (code == g_hypercall && is_intel())
		ram[GUEST_CODE_GPA + (g_hypercall_insn - g_hypercall) + 2] = 0xc1;
	ticks = run_marked(&vm);
	hv_vm_destroy(&vm);
	printf("bench %s %.1f ticks/op n=%lu total=%llu\n", op, (double)ticks / n, n,
	       (unsigned long long)ticks);
}

/* @vector's IDT gate to @isr, in the flat code segment. */
static void idt_gate(unsigned char *ram, unsigned int vector, uint32_t isr)
{
	uint64_t gate = (isr & 0xffff) | (8 << 16) | (uint64_t)((isr & 0xffff0000) | 0x8e00) << 32;

	memcpy(ram + IDT_GPA + vector * 8, &gate, sizeof(gate));
}

/* Flat GDT (selectors 8 and 16, as hv_vcpu_create() sets), and @vector to @isr. */
static void apic_tables(unsigned char *ram, unsigned int vector, uint32_t isr)
{
	uint64_t gdt[3] = { 0, 0x00cf9a000000ffffULL, 0x00cf92000000ffffULL };
	struct { uint16_t limit; uint32_t base; } __attribute__((packed)) gdtr = {
		sizeof(gdt) - 1, GDT_GPA }, idtr = { 256 * 8 - 1, IDT_GPA };

	memcpy(ram + GDT_GPA, gdt, sizeof(gdt));
	idt_gate(ram, vector, isr);
	memcpy(ram + DESC_GPA, &gdtr, sizeof(gdtr));
	memcpy(ram + DESC_GPA + 8, &idtr, sizeof(idtr));
}

static void on_signal(int sig)
{
	(void)sig;
}

/* vCPU 1's thread: run it until told to stop (a signal ends each RUN). */
static volatile int ap_stop;

static void *ap_thread(void *arg)
{
	struct hv_vm *vm = arg;
	struct hv_exit ex;
	int ret;

	while (!ap_stop) {
		ret = hv_run_ap(vm, &ex);
		if (ret == -EINTR)
			continue;
		if (ret)
			die("run vCPU 1", ret);
		fprintf(stderr, "bench-%s %s: vCPU 1 exited: %s\n", hv_name, op,
			ex.kind == HV_EXIT_OTHER ? ex.what : ex.kind == HV_EXIT_HLT ? "HLT" : "I/O");
		exit(1);
	}
	return NULL;
}

/*
 * @n IPI round trips between two vCPUs whose threads share this one host
 * CPU (the lab has one): ticks per round trip, each a send, a wake-up of
 * the halted other vCPU, its reply and the first one's wake-up.
 */
static void ipi_roundtrip(unsigned long n)
{
	unsigned char *ram = map_ram(SZ_2M, 0);
	struct sigaction sa = { .sa_handler = on_signal };
	uint64_t ticks;
	struct hv_vm vm;
	pthread_t t;
	int ret;

	memcpy(ram + GUEST_CODE_GPA, g_ipi_ping, (size_t)(g_ipi_ping_end - g_ipi_ping));
	apic_tables(ram, 0x43, GUEST_CODE_GPA + (uint32_t)(g_ipi_ping_isr - g_ipi_ping));
	idt_gate(ram, 0x42, GUEST_CODE_GPA + (uint32_t)(g_ipi_pong_isr - g_ipi_ping));
	ret = hv_vm_create_apic(&vm);
	if (!ret)
		ret = hv_add_memory(&vm, 0, 0, SZ_2M, ram);
	if (!ret)
		ret = hv_vcpu_create(&vm, GUEST_CODE_GPA, n, 0, 0);
	if (!ret)
		ret = hv_vcpu_create_ap(&vm, GUEST_CODE_GPA + (uint32_t)(g_ipi_pong - g_ipi_ping));
	if (ret)
		die("VM set-up (two vCPUs, in-kernel APIC)", ret);
	sigaction(SIGUSR1, &sa, NULL);
	if (pthread_create(&t, NULL, ap_thread, &vm))
		die("pthread_create", -EAGAIN);
	ticks = run_marked(&vm);
	ap_stop = 1;
	pthread_kill(t, SIGUSR1);
	pthread_join(t, NULL);
	hv_vm_destroy(&vm);
	munmap(ram, SZ_2M);
	printf("bench %s %.1f ticks/roundtrip n=%lu total=%llu\n", op, (double)ticks / n, n,
	       (unsigned long long)ticks);
}

/*
 * An interrupt loop of @n iterations in a VM with an in-kernel APIC:
 * ticks per interrupt, from its cause (the guest's write to the timer or
 * the ICR) to the handler's EOI and back.
 */
static void irq_loop(const unsigned char *code, const unsigned char *end,
		     const unsigned char *isr, unsigned int vector, unsigned long n,
		     uint64_t delay)
{
	unsigned char *ram = map_ram(SZ_2M, 0);
	uint64_t ticks;
	struct hv_vm vm;
	int ret;

	memcpy(ram + GUEST_CODE_GPA, code, (size_t)(end - code));
	apic_tables(ram, vector, GUEST_CODE_GPA + (uint32_t)(isr - code));
	ret = hv_vm_create_apic(&vm);
	if (!ret)
		ret = hv_add_memory(&vm, 0, 0, SZ_2M, ram);
	if (!ret)
		ret = hv_vcpu_create(&vm, GUEST_CODE_GPA, n, 0, 0);
	if (ret)
		die("VM set-up (in-kernel APIC)", ret);
	ticks = run_marked(&vm);
	hv_vm_destroy(&vm);
	munmap(ram, SZ_2M);
	printf("bench %s %.1f ticks/irq n=%lu total=%llu delay=%llu\n", op,
	       (double)ticks / n - (double)delay, n, (unsigned long long)ticks,
	       (unsigned long long)delay);
}

/*
 * TSC ticks per nanosecond, measured against CLOCK_MONOTONIC over 2 ms of
 * spinning (1 under QEMU's icount; Bochs's TSC runs at its own rate), to
 * take the programmed delay out of hlt-wake's figure in ticks.
 */
static double tsc_per_ns(void)
{
	struct timespec a, b;
	uint64_t t0, t1;
	double ns;

	clock_gettime(CLOCK_MONOTONIC, &a);
	t0 = __rdtsc();
	do {
		clock_gettime(CLOCK_MONOTONIC, &b);
		ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	} while (ns < 2e6);
	t1 = __rdtsc();
	return (double)(t1 - t0) / ns;
}

static void write_file(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(val, f) < 0 || fclose(f))
		die(path, -errno);
}

/* The guest writes every 4 KiB page of @mib MiB it has never touched. */
static void first_touch(unsigned long mib, int huge)
{
	unsigned char *low = map_ram(SZ_2M, 0), *high;
	size_t size = mib << 20;
	unsigned long pages = size >> 12;
	uint64_t ticks;
	struct hv_vm vm;
	char buf[32];
	int ret;

	if (huge) {
		snprintf(buf, sizeof(buf), "%lu", size / SZ_2M);
		write_file("/proc/sys/vm/nr_hugepages", buf);
	}
	high = map_ram(size, huge);
	ret = vm_start(&vm, low, SZ_2M, g_touch, g_touch_end, 0, SZ_2M, SZ_2M + size);
	if (!ret)
		ret = hv_add_memory(&vm, 1, SZ_2M, size, high);
	if (ret)
		die("VM set-up", ret);
	ticks = run_marked(&vm);
	hv_vm_destroy(&vm);
	munmap(high, size);
	if (huge)
		write_file("/proc/sys/vm/nr_hugepages", "0");
	printf("bench %s %.1f ticks/4KiB-page pages=%lu backing=%s total=%llu\n", op,
	       (double)ticks / pages, pages, huge ? "2M-hugetlb" : "4K", (unsigned long long)ticks);
}

/*
 * The floor under first_touch(): this process writes every 4 KiB of @mib
 * MiB of fresh memory itself, no guest involved. Each first write is a host
 * page fault that allocates and zeroes a page (4 KiB, or 2 MiB over
 * hugetlb), which a guest's first touch costs too.
 */
static void host_touch(unsigned long mib, int huge)
{
	size_t size = mib << 20, off;
	unsigned char *p;
	uint64_t t0, ticks;
	char buf[32];

	if (huge) {
		snprintf(buf, sizeof(buf), "%lu", size / SZ_2M);
		write_file("/proc/sys/vm/nr_hugepages", buf);
	}
	p = map_ram(size, huge);

	t0 = __rdtsc();
	for (off = 0; off < size; off += 4096)
		*(volatile unsigned char *)(p + off) = 1;
	ticks = __rdtsc() - t0;
	munmap(p, size);
	if (huge)
		write_file("/proc/sys/vm/nr_hugepages", "0");
	printf("bench %s %.1f ticks/4KiB-page pages=%zu backing=%s total=%llu\n", op,
	       (double)ticks / (size >> 12), size >> 12, huge ? "2M-hugetlb" : "4K",
	       (unsigned long long)ticks);
}

/* Idle and iowait time of all CPUs so far, in USER_HZ ticks (/proc/stat). */
static unsigned long long idle_ticks(void)
{
	unsigned long long user, nice, sys, idle, iowait;
	FILE *f = fopen("/proc/stat", "r");

	if (!f || fscanf(f, "cpu %llu %llu %llu %llu %llu", &user, &nice, &sys, &idle,
			 &iowait) != 5)
		die("/proc/stat", -EIO);
	fclose(f);
	return idle + iowait;
}

/*
 * Create a VM, give it one vCPU, run to its first exit, destroy it: n times.
 * Time the CPU spent idle meanwhile (waiting, say, for an RCU grace period)
 * is in the figure, as it is in what a user waits; under icount the clock
 * skips over it, so the line also says how much of it there was.
 */
static void create_destroy(unsigned long n)
{
	void *ram = map_ram(SZ_2M, 0);
	struct hv_vm vm;
	struct hv_exit ex;
	uint64_t t0, total = 0;
	unsigned long long idle0 = 0;
	unsigned long i;
	long hz = sysconf(_SC_CLK_TCK);
	int ret;

	for (i = 0; i <= n; i++) {
		if (i == 1)
			idle0 = idle_ticks();	/* the first round warms up and is not counted */
		t0 = __rdtsc();
		ret = vm_start(&vm, ram, SZ_2M, g_hlt, g_hlt_end, 0, 0, 0);
		if (ret)
			die("VM set-up", ret);
		ret = hv_run(&vm, &ex);
		if (ret || ex.kind != HV_EXIT_HLT)
			die("first exit (want HLT)", ret ? ret : -EPROTO);
		hv_vm_destroy(&vm);
		if (i)
			total += __rdtsc() - t0;
	}
	printf("bench %s %.0f ticks/vm n=%lu total=%llu idle_ms=%llu\n", op, (double)total / n, n,
	       (unsigned long long)total, (idle_ticks() - idle0) * 1000 / (unsigned long long)hz);
}

/* /proc/meminfo and the per-CPU free lists, in KiB. */
struct mem {
	long long free, pcp, anon, cached, buffers, slab, pagetables, secpagetables;
	long long kernelstack, vmalloc;
};

static void mem_read(struct mem *m)
{
	static const struct { const char *key; size_t off; } keys[] = {
		{ "MemFree:", offsetof(struct mem, free) },
		{ "AnonPages:", offsetof(struct mem, anon) },
		{ "Cached:", offsetof(struct mem, cached) },
		{ "Buffers:", offsetof(struct mem, buffers) },
		{ "Slab:", offsetof(struct mem, slab) },
		{ "PageTables:", offsetof(struct mem, pagetables) },
		{ "SecPageTables:", offsetof(struct mem, secpagetables) },
		{ "KernelStack:", offsetof(struct mem, kernelstack) },
		{ "VmallocUsed:", offsetof(struct mem, vmalloc) },
	};
	char line[256], key[64];
	long long val;
	size_t i;
	FILE *f;

	memset(m, 0, sizeof(*m));
	f = fopen("/proc/meminfo", "r");
	if (!f)
		die("/proc/meminfo", -errno);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %lld", key, &val) != 2)
			continue;
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (!strcmp(key, keys[i].key))
				*(long long *)((char *)m + keys[i].off) = val;
	}
	fclose(f);
	/* Pages on the per-CPU lists are free but not in MemFree. */
	f = fopen("/proc/zoneinfo", "r");
	if (!f)
		die("/proc/zoneinfo", -errno);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " count: %lld", &val) == 1)
			m->pcp += val * 4;
	fclose(f);
}

/*
 * Kernel memory behind @n idle VMs of @mib MiB each: free memory lost, less
 * what went to the guests' own pages (anonymous memory) and the page cache.
 * One VM lives throughout so that what the first VM sets up for all (the
 * hypervisor switched on, per-CPU areas) is not counted.
 */
static void memory_per_vm(unsigned long n, unsigned long mib)
{
	struct hv_vm anchor, *vms = calloc(n, sizeof(*vms));
	struct mem a, b;
	struct hv_exit ex;
	unsigned long i;
	long long kernel;
	int ret;

	if (!vms)
		die("calloc", -ENOMEM);
	ret = vm_start(&anchor, map_ram(SZ_2M, 0), SZ_2M, g_hlt, g_hlt_end, 0, 0, 0);
	if (ret)
		die("VM set-up", ret);
	mem_read(&a);
	for (i = 0; i < n; i++) {
		ret = vm_start(&vms[i], map_ram(mib << 20, 0), mib << 20, g_hlt, g_hlt_end, 0, 0, 0);
		if (!ret)
			ret = hv_run(&vms[i], &ex);
		if (ret || ex.kind != HV_EXIT_HLT)
			die("idle VM (run to HLT)", ret ? ret : -EPROTO);
	}
	mem_read(&b);
	kernel = (a.free + a.pcp) - (b.free + b.pcp) - (b.anon - a.anon) -
		 (b.cached - a.cached) - (b.buffers - a.buffers);
	printf("bench %s %.1f KiB/vm n=%lu ram=%luMiB slab=%.1f pagetables=%.1f "
	       "secpagetables=%.1f kernelstack=%.1f vmalloc=%.1f anon=%.1f\n", op,
	       (double)kernel / n, n, mib, (double)(b.slab - a.slab) / n,
	       (double)(b.pagetables - a.pagetables) / n,
	       (double)(b.secpagetables - a.secpagetables) / n,
	       (double)(b.kernelstack - a.kernelstack) / n, (double)(b.vmalloc - a.vmalloc) / n,
	       (double)(b.anon - a.anon) / n);
	for (i = 0; i < n; i++)
		hv_vm_destroy(&vms[i]);
	hv_vm_destroy(&anchor);
	free(vms);
}

/*
 * Start 2 MiB one-vCPU VMs, each run to its first exit, until the
 * hypervisor refuses one, MemFree falls below the kernel's min_free_kbytes
 * plus @reserve_mib, or @cap are running. Kernel allocations do not fail
 * when memory runs out, they wake the OOM killer: hence the reserve. It is
 * MemFree, not MemAvailable (which counts reclaimable slab, and the debugfs
 * entries KVM makes per VM are not reclaimable while the VMs exist), and
 * not the per-CPU lists (kept per migrate type, they did not stop the OOM
 * killer when tried).
 */
static void max_vms(unsigned long cap, unsigned long reserve_mib)
{
	struct hv_vm *vms = calloc(cap, sizeof(*vms));
	struct rlimit nofile = { cap * 3 + 64, cap * 3 + 64 };
	const char *why = "cap";
	long long min_free;
	struct hv_exit ex;
	unsigned long n;
	struct mem m;
	FILE *f;
	char buf[32];
	int ret;

	if (!vms)
		die("calloc", -ENOMEM);
	if (setrlimit(RLIMIT_NOFILE, &nofile))
		die("setrlimit(RLIMIT_NOFILE)", -errno);
	snprintf(buf, sizeof(buf), "%lu", cap * 4 + 1024);
	write_file("/proc/sys/vm/max_map_count", buf);
	f = fopen("/proc/sys/vm/min_free_kbytes", "r");
	if (!f || fscanf(f, "%lld", &min_free) != 1)
		die("/proc/sys/vm/min_free_kbytes", -EIO);
	fclose(f);
	for (n = 0; n < cap; n++) {
		if (n % 8 == 0) {
			mem_read(&m);
			if (m.free < min_free + (long long)reserve_mib * 1024) {
				why = "memory";
				break;
			}
		}
		ret = vm_start(&vms[n], map_ram(SZ_2M, 0), SZ_2M, g_hlt, g_hlt_end, 0, 0, 0);
		if (!ret) {
			ret = hv_run(&vms[n], &ex);
			if (ret || ex.kind != HV_EXIT_HLT) {
				hv_vm_destroy(&vms[n]);
				ret = ret ? ret : -EPROTO;
			}
		}
		if (ret) {
			why = strerror(-ret);
			break;
		}
	}
	mem_read(&m);
	printf("bench %s %lu vms cap=%lu stopped-by=\"%s\" free=%lldKiB min_free=%lldKiB\n", op, n,
	       cap, why, m.free, min_free);
	while (n)
		hv_vm_destroy(&vms[--n]);
	free(vms);
}

static unsigned long arg(char **argv, int i, int argc)
{
	char *end;
	unsigned long v;

	if (i >= argc)
		die("missing a number (see --help)", -EINVAL);
	errno = 0;
	v = strtoul(argv[i], &end, 0);
	if (argv[i][0] < '0' || argv[i][0] > '9' || *end || !v || errno) {
		fprintf(stderr, "bench-%s %s: '%s' is not a whole number above 0\n", hv_name, op,
			argv[i]);
		exit(1);
	}
	return v;
}

static void usage(void)
{
	printf("usage: bench-%s OPERATION ARGS\n\n"
	       "  exit-cpuid N          N CPUID exits (handled in the kernel)\n"
	       "  exit-hypercall N      N VMMCALL/VMCALL exits (handled in the kernel)\n"
	       "  exit-pio N            N OUT exits to this program and back\n"
	       "  irq-timer N           N APIC timer interrupts (one-shot, count 1) that\n"
	       "                        end a HLT, each EOIed (in-kernel APIC)\n"
	       "  hlt-wake N            N HLTs woken by the APIC timer armed 20 us ahead:\n"
	       "                        ticks beyond those 20 us\n"
	       "  ipi-self N            N self-IPIs through the ICR, each EOIed\n"
	       "  ipi-roundtrip N       N IPIs from vCPU 0 to vCPU 1 and back (both on\n"
	       "                        this program's host CPU), each waking a HLT\n"
	       "  fault-4k MIB          first touch of MIB MiB of 4 KiB pages\n"
	       "  fault-2m MIB          the same over 2 MiB hugetlb pages\n"
	       "  host-touch MIB        this program's own first touch of MIB MiB, no guest\n"
	       "  host-touch-2m MIB     the same over 2 MiB hugetlb pages\n"
	       "  create N              create, one vCPU, first exit, destroy: N times\n"
	       "  mem N MIB             kernel memory of N idle VMs of MIB MiB each\n"
	       "  max-vms CAP MIB       start 2 MiB VMs until refused, until MemFree is\n"
	       "                        below min_free_kbytes + MIB MiB, or CAP of them\n", hv_name);
}

/* The operations and how many numbers each takes. */
static const struct {
	const char *name;
	int args;
} ops[] = {
	{ "exit-cpuid", 1 }, { "exit-hypercall", 1 }, { "exit-pio", 1 }, { "irq-timer", 1 },
	{ "ipi-self", 1 }, { "hlt-wake", 1 }, { "ipi-roundtrip", 1 }, { "fault-4k", 1 },
	{ "fault-2m", 1 }, { "host-touch", 1 }, { "host-touch-2m", 1 }, { "create", 1 },
	{ "mem", 2 }, { "max-vms", 2 },
};

int main(int argc, char **argv)
{
	unsigned long a = 0, b = 0;
	size_t i;
	int ret;

	op = argc > 1 ? argv[1] : "";
	if (argc < 2 || !strcmp(op, "--help") || !strcmp(op, "-h")) {
		usage();
		return argc < 2 ? 2 : 0;
	}
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]) && strcmp(op, ops[i].name); i++)
		;
	if (i == sizeof(ops) / sizeof(ops[0]))
		die("unknown operation (see --help)", -EINVAL);
	if (argc != 2 + ops[i].args)
		die(ops[i].args == 1 ? "takes one number (see --help)" :
		    "takes two numbers (see --help)", -EINVAL);
	a = arg(argv, 2, argc);
	if (ops[i].args == 2)
		b = arg(argv, 3, argc);
	setvbuf(stdout, NULL, _IOLBF, 0);
	ret = hv_open();
	if (ret)
		die("cannot open the hypervisor", ret);
	if (!strcmp(op, "exit-cpuid"))
		exit_loop(g_cpuid, g_cpuid_end, a);
	else if (!strcmp(op, "exit-hypercall"))
		exit_loop(g_hypercall, g_hypercall_end, a);
	else if (!strcmp(op, "exit-pio"))
		exit_loop(g_pio, g_pio_end, a);
	else if (!strcmp(op, "irq-timer"))
		irq_loop(g_irq_timer, g_irq_timer_end, g_irq_timer_isr, 0x40, a, 0);
	else if (!strcmp(op, "hlt-wake"))
		irq_loop(g_hlt_wake, g_hlt_wake_end, g_hlt_wake_isr, 0x40, a,
			 (uint64_t)(HLT_WAKE_NS * tsc_per_ns()));
	else if (!strcmp(op, "ipi-roundtrip"))
		ipi_roundtrip(a);
	else if (!strcmp(op, "ipi-self"))
		irq_loop(g_ipi_self, g_ipi_self_end, g_ipi_self_isr, 0x41, a, 0);
	else if (!strcmp(op, "fault-4k"))
		first_touch(a, 0);
	else if (!strcmp(op, "fault-2m"))
		first_touch(a, 1);
	else if (!strcmp(op, "host-touch"))
		host_touch(a, 0);
	else if (!strcmp(op, "host-touch-2m"))
		host_touch(a, 1);
	else if (!strcmp(op, "create"))
		create_destroy(a);
	else if (!strcmp(op, "mem"))
		memory_per_vm(a, b);
	else
		max_vms(a, b);
	return 0;
}
