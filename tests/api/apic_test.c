// SPDX-License-Identifier: GPL-2.0
/*
 * minivm-apic-test: the in-kernel local APIC (MINIVM_VM_LAPIC), seen by
 * guests, in the lab (KTAP).
 *
 * Its timer in one-shot, periodic and TSC-deadline modes wakes a guest
 * halted in the kernel (HLT no longer returns to userspace); x2APIC through
 * MSRs and xAPIC through its MMIO page at 0xfee00000 (MOVs decoded in the
 * kernel); self-IPIs held by the task priority until it drops; EOI; a halted
 * vCPU that a signal interrupts stays halted; a second vCPU started with
 * INIT and a start-up IPI that interrupts the first across threads; MSIs
 * from userspace, a level-triggered one's EOI reported to userspace; and a
 * VM without the flag keeps today's behaviour (HLT
 * exits, no x2APIC, no APIC in CPUID).
 * Guests are assembled into this binary; each reports by port I/O.
 *
 * Usage: minivm-apic-test amd|intel
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include "vmtest.h"

#define TIMER_VECTOR	0x40
#define IPI_VECTOR	0x51
#define COUNT_GPA	0x600	/* the periodic guest's tick counter */

/* Real mode: x2APIC on (IA32_APIC_BASE bits 10 and 11), software-enabled. */
#define X2APIC_ON							\
	"mov $0x1b, %ecx\n rdmsr\n or $0xc00, %eax\n wrmsr\n"		\
	"xor %edx, %edx\n"						\
	"mov $0x80f, %ecx\n mov $0x1ff, %eax\n wrmsr\n"			\
	"mov $0x83e, %ecx\n mov $0xb, %eax\n wrmsr\n"	/* divide by 1 */
#define X2APIC_EOI							\
	"push %ecx\n push %eax\n push %edx\n"				\
	"mov $0x80b, %ecx\n xor %eax, %eax\n xor %edx, %edx\n wrmsr\n"	\
	"pop %edx\n pop %eax\n pop %ecx\n"

/* One-shot timer of 1 ms, then HLT with interrupts on: the timer wakes it. */
GUEST(g_oneshot, ".code16",
      X2APIC_ON
      "mov $0x832, %ecx\n mov $0x40, %eax\n wrmsr\n"		/* LVTT: one-shot */
      "mov $0x838, %ecx\n mov $1000000, %eax\n wrmsr\n"		/* TMICT: 1 ms */
      "sti\n hlt\n out %al, $0x11\n"
      "mov $0x839, %ecx\n rdmsr\n out %eax, $0x12\n"		/* TMCCT: 0 now */
      "cli\n out %al, $0x13\n hlt\n"
      ".globl g_oneshot_handler\n g_oneshot_handler: out %al, $0x20\n" X2APIC_EOI "iret");
extern const unsigned char g_oneshot_handler[];

/* Periodic, 200 us: count five ticks in HLT, then report. */
GUEST(g_periodic, ".code16",
      X2APIC_ON
      "movw $0, 0x600\n"
      "mov $0x832, %ecx\n mov $0x20040, %eax\n wrmsr\n"		/* LVTT: periodic */
      "mov $0x838, %ecx\n mov $200000, %eax\n wrmsr\n"
      "sti\n"
      "1: hlt\n cmpw $5, 0x600\n jb 1b\n"
      "mov $0x832, %ecx\n mov $0x10000, %eax\n wrmsr\n"		/* masked */
      "mov $0x838, %ecx\n xor %eax, %eax\n wrmsr\n"		/* stopped */
      "mov 0x600, %ax\n out %ax, $0x11\n"
      "mov $0x20000, %ecx\n 2: loop 2b\n"			/* a while later */
      "mov 0x600, %ax\n out %ax, $0x12\n cli\n hlt\n"
      ".globl g_periodic_handler\n g_periodic_handler: incw 0x600\n" X2APIC_EOI "iret");
extern const unsigned char g_periodic_handler[];

/* TSC deadline 2 ms ahead of RDTSC (the test passes 2 ms in TSC ticks in ESI). */
GUEST(g_deadline, ".code16",
      X2APIC_ON
      "mov $0x832, %ecx\n mov $0x40040, %eax\n wrmsr\n"		/* LVTT: TSC deadline */
      "rdtsc\n add %esi, %eax\n adc $0, %edx\n"
      "mov $0x6e0, %ecx\n wrmsr\n"
      "rdmsr\n out %eax, $0x10\n"				/* armed: reads back */
      "sti\n hlt\n out %al, $0x11\n"
      "mov $0x6e0, %ecx\n rdmsr\n out %eax, $0x12\n"		/* 0 once it fired */
      "cli\n hlt\n"
      ".globl g_deadline_handler\n g_deadline_handler: out %al, $0x20\n" X2APIC_EOI "iret");
extern const unsigned char g_deadline_handler[];

/* A TSC deadline already past fires at once: taken right after STI's shadow. */
GUEST(g_deadline_past, ".code16",
      X2APIC_ON
      "mov $0x832, %ecx\n mov $0x40040, %eax\n wrmsr\n"		/* LVTT: TSC deadline */
      "mov $0x6e0, %ecx\n mov $1, %eax\n xor %edx, %edx\n wrmsr\n"	/* deadline 1 */
      "sti\n nop\n out %al, $0x11\n cli\n hlt\n"
      ".globl g_deadline_past_handler\n g_deadline_past_handler: out %al, $0x20\n"
      X2APIC_EOI "iret");
extern const unsigned char g_deadline_past_handler[];

/* An NMI sent to its own APIC ID through the x2APIC ICR (the SDM allows only fixed to "self"). */
GUEST(g_nmi_self, ".code16",
      X2APIC_ON
      "mov $0x830, %ecx\n mov $0x4400, %eax\n xor %edx, %edx\n wrmsr\n"
      "out %al, $0x11\n cli\n hlt\n"
      ".globl g_nmi_self_handler\n g_nmi_self_handler: out %al, $0x22\n iret");
extern const unsigned char g_nmi_self_handler[];

/*
 * Protected mode: the xAPIC page answers until the guest switches to
 * x2APIC mode, then the same address is nobody's (an MMIO exit).
 */
GUEST(g_x2apic_switch, ".code32",
      "mov 0xfee00030, %eax\n out %eax, $0x10\n"
      "mov $0x1b, %ecx\n rdmsr\n or $0x400, %eax\n wrmsr\n"
      "mov $0x803, %ecx\n rdmsr\n out %eax, $0x11\n"		/* version, via the MSR */
      "mov 0xfee00030, %eax\n out %eax, $0x12\n hlt");

/*
 * Protected mode, the xAPIC page at 0xfee00000 through MOVs of several
 * forms: version and ID reads, a self-IPI held by TPR until TPR drops.
 */
GUEST(g_xapic, ".code32",
      "movl $0x1ff, 0xfee000f0\n"				/* SVR: enabled */
      "mov 0xfee00030, %eax\n out %eax, $0x10\n"		/* version */
      "mov $0xfee00000, %ebx\n mov 0x20(%ebx), %ecx\n mov %ecx, %eax\n out %eax, $0x11\n"
      "movl $0x50, 0x80(%ebx)\n"				/* TPR: class 5 */
      "mov $0x40051, %edx\n mov %edx, 0x300(%ebx)\n"		/* ICR: self, 0x51 */
      "sti\n nop\n out %al, $0x12\n"				/* held by TPR */
      "mov 0xa0(%ebx), %eax\n out %eax, $0x13\n"		/* PPR */
      "xor %eax, %eax\n mov %eax, 0x80(%ebx)\n"			/* TPR 0: taken */
      "nop\n out %al, $0x14\n"
      "mov 0x120(%ebx), %eax\n out %eax, $0x15\n"		/* ISR 0x40-0x5f: empty */
      "cli\n hlt\n"
      ".globl g_xapic_handler\n g_xapic_handler: out %al, $0x20\n"
      "mov $0xfee00000, %ebx\n mov 0x120(%ebx), %eax\n out %eax, $0x21\n"
      "movl $0, 0xb0(%ebx)\n iret");
extern const unsigned char g_xapic_handler[];

/* Halts with interrupts off: only a signal (or an NMI) ends the wait. */
GUEST(g_halt_forever, ".code16", "cli\n out %al, $0x10\n hlt\n out %al, $0x11\n hlt");

/*
 * The bootstrap CPU starts vCPU 1 (INIT, then a start-up IPI with vector 2:
 * real mode at 0x2000) and halts until vCPU 1's IPI (0x41) wakes it.
 */
GUEST(g_bsp, ".code16",
      X2APIC_ON
      "mov $0x830, %ecx\n"
      "mov $1, %edx\n mov $0x4500, %eax\n wrmsr\n"		/* ICR: INIT to APIC 1 */
      "mov $0x4602, %eax\n wrmsr\n"				/* start-up, vector 2 */
      "sti\n hlt\n out %al, $0x11\n cli\n hlt\n"
      ".globl g_bsp_handler\n g_bsp_handler: out %al, $0x20\n" X2APIC_EOI "iret");
extern const unsigned char g_bsp_handler[];

/* vCPU 1, copied to 0x2000: its own x2APIC on, an IPI to APIC 0, then halt. */
GUEST(g_ap, ".code16",
      X2APIC_ON
      "mov $0x830, %ecx\n xor %edx, %edx\n mov $0x4041, %eax\n wrmsr\n"
      "out %al, $0x30\n cli\n hlt");

/* Waits for an interrupt that only userspace's MSI can send. */
GUEST(g_msi, ".code16",
      X2APIC_ON "out %al, $0x10\n sti\n hlt\n out %al, $0x11\n cli\n hlt\n"
      ".globl g_msi_handler\n g_msi_handler: out %al, $0x20\n" X2APIC_EOI "iret");
extern const unsigned char g_msi_handler[];

/* CPUID leaf 1's ECX and EDX, then IA32_APIC_BASE with x2APIC set (#GP or not). */
GUEST(g_cpuid, ".code16",
      "mov $1, %eax\n cpuid\n mov %ecx, %eax\n out %eax, $0x10\n mov %edx, %eax\n"
      "out %eax, $0x11\n hlt");

static void lapic_start(struct vm *v, const unsigned char *code, const unsigned char *end)
{
	vm_flags = MINIVM_VM_LAPIC;
	vm_start(v, code, end);
	vm_flags = 0;
}

static void capability_and_flags(void)
{
	struct minivm_create_vm bad;
	uint64_t value = 0;
	int sys = minivm_open(), fd;

	CHECK(sys >= 0, "open: %s", strerror(-sys));
	if (sys < 0)
		return;
	CHECK_ERR(minivm_check_cap(sys, MINIVM_CAP_LAPIC, &value), 0);
	CHECK(value == 1, "MINIVM_CAP_LAPIC %llu", (unsigned long long)value);
	memset(&bad, 0, sizeof(bad));
	bad.flags = 2;
	CHECK_ERR(ioctl(sys, MINIVM_CREATE_VM, &bad) < 0 ? -errno : 0, EINVAL);
	bad.flags = MINIVM_VM_LAPIC;
	bad.reserved[0] = 1;
	CHECK_ERR(ioctl(sys, MINIVM_CREATE_VM, &bad) < 0 ? -errno : 0, EINVAL);
	fd = minivm_create_vm_flags(sys, MINIVM_VM_LAPIC, NULL);
	CHECK(fd >= 0, "CREATE_VM with MINIVM_VM_LAPIC: %s", strerror(-fd));
	if (fd >= 0)
		close(fd);
	close(sys);
}

static void oneshot_timer_wakes_halt(void)
{
	struct vm v;

	lapic_start(&v, g_oneshot, g_oneshot_end);
	ivt(&v, TIMER_VECTOR, g_oneshot, g_oneshot_handler);
	/* No HLT exit: the handler, then the code after HLT. */
	if (expect_io(&v, 0x20, 1, MINIVM_IO_OUT, ANY) &&
	    expect_io(&v, 0x11, 1, MINIVM_IO_OUT, ANY) &&
	    expect_io(&v, 0x12, 4, MINIVM_IO_OUT, 0))
		expect_io(&v, 0x13, 1, MINIVM_IO_OUT, ANY);
	vm_close(&v);
}

static void periodic_timer_ticks(void)
{
	uint64_t ticks;
	struct vm v;

	lapic_start(&v, g_periodic, g_periodic_end);
	ivt(&v, TIMER_VECTOR, g_periodic, g_periodic_handler);
	if (!expect_io(&v, 0x11, 2, MINIVM_IO_OUT, ANY))
		goto out;
	ticks = v.run->io.data;
	CHECK(ticks >= 5, "ticks %llu", (unsigned long long)ticks);
	/* Stopped: at most the one already requested comes in later. */
	if (expect_io(&v, 0x12, 2, MINIVM_IO_OUT, ANY))
		CHECK(v.run->io.data - ticks <= 1, "ticks %llu, then %llu",
		      (unsigned long long)ticks, (unsigned long long)v.run->io.data);
out:
	vm_close(&v);
}

static void tsc_deadline_fires(void)
{
	struct minivm_regs r;
	uint64_t khz = 0;
	struct vm v;

	lapic_start(&v, g_deadline, g_deadline_end);
	ivt(&v, TIMER_VECTOR, g_deadline, g_deadline_handler);
	CHECK_ERR(minivm_check_cap(v.sys, MINIVM_CAP_TSC_KHZ, &khz), 0);
	CHECK_ERR(minivm_get_regs(v.vcpu, &r), 0);
	r.rsi = khz * 100;	/* 100 ms: still ahead when the debug lab's WRMSR and RDMSR exits are done */
	CHECK_ERR(minivm_set_regs(v.vcpu, &r), 0);
	if (expect_io(&v, 0x10, 4, MINIVM_IO_OUT, ANY)) {
		CHECK(v.run->io.data != 0, "deadline reads 0 while armed");
		if (expect_io(&v, 0x20, 1, MINIVM_IO_OUT, ANY) &&
		    expect_io(&v, 0x11, 1, MINIVM_IO_OUT, ANY))
			expect_io(&v, 0x12, 4, MINIVM_IO_OUT, 0);
	}
	vm_close(&v);
}

static void xapic_mmio_and_task_priority(void)
{
	struct minivm_sregs s;
	struct vm v;

	lapic_start(&v, g_xapic, g_xapic_end);
	to_protected_ring(&v, 0);
	CHECK_ERR(minivm_get_sregs(v.vcpu, &s), 0);
	s.idt.limit = 0x7ff;	/* all 256 gates */
	CHECK_ERR(minivm_set_sregs(v.vcpu, &s), 0);
	idt32_gate(&v, IPI_VECTOR, guest_addr(g_xapic, g_xapic_handler));
	if (!expect_io(&v, 0x10, 4, MINIVM_IO_OUT, 0x50014) ||
	    !expect_io(&v, 0x11, 4, MINIVM_IO_OUT, 0))
		goto out;
	/* TPR 0x50 holds 0x51 (same class): the guest goes on. */
	if (!expect_io(&v, 0x12, 1, MINIVM_IO_OUT, ANY) ||
	    !expect_io(&v, 0x13, 4, MINIVM_IO_OUT, 0x50))
		goto out;
	/* TPR 0: taken in service (ISR bit 17 of word 0x40-0x5f), then EOI. */
	if (expect_io(&v, 0x20, 1, MINIVM_IO_OUT, ANY) &&
	    expect_io(&v, 0x21, 4, MINIVM_IO_OUT, 1U << (IPI_VECTOR - 0x40)) &&
	    expect_io(&v, 0x14, 1, MINIVM_IO_OUT, ANY))
		expect_io(&v, 0x15, 4, MINIVM_IO_OUT, 0);
out:
	vm_close(&v);
}

static void tsc_deadline_in_the_past_fires_at_once(void)
{
	struct vm v;

	lapic_start(&v, g_deadline_past, g_deadline_past_end);
	ivt(&v, TIMER_VECTOR, g_deadline_past, g_deadline_past_handler);
	if (expect_io(&v, 0x20, 1, MINIVM_IO_OUT, ANY))
		expect_io(&v, 0x11, 1, MINIVM_IO_OUT, ANY);
	vm_close(&v);
}

static void nmi_ipi_to_itself(void)
{
	struct vm v;

	lapic_start(&v, g_nmi_self, g_nmi_self_end);
	ivt(&v, 2, g_nmi_self, g_nmi_self_handler);
	if (expect_io(&v, 0x22, 1, MINIVM_IO_OUT, ANY))
		expect_io(&v, 0x11, 1, MINIVM_IO_OUT, ANY);
	vm_close(&v);
}

static void x2apic_mode_ends_the_xapic_page(void)
{
	struct vm v;

	lapic_start(&v, g_x2apic_switch, g_x2apic_switch_end);
	to_protected_ring(&v, 0);
	if (expect_io(&v, 0x10, 4, MINIVM_IO_OUT, 0x50014) &&
	    expect_io(&v, 0x11, 4, MINIVM_IO_OUT, 0x50014) && run_expect(&v, MINIVM_EXIT_MMIO))
		CHECK(v.run->mmio.gpa == 0xfee00030, "MMIO exit at %#llx",
		      (unsigned long long)v.run->mmio.gpa);
	vm_close(&v);
}

static void halted_vcpu_stays_halted_across_a_signal(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct minivm_regs r;
	int i, ret;
	struct vm v;

	sigaction(SIGALRM, &sa, NULL);
	lapic_start(&v, g_halt_forever, g_halt_forever_end);
	if (!expect_io(&v, 0x10, 1, MINIVM_IO_OUT, ANY))
		goto out;
	for (i = 0; i < 2; i++) {
		ualarm(50000, 0);
		ret = minivm_run(v.vcpu);
		CHECK(ret == -EINTR && v.run->exit_reason == MINIVM_EXIT_INTR,
		      "RUN %d: %d, exit %s", i, ret, exit_str(v.run));
	}
	/* RIP is past the HLT; the guest never ran the OUT after it. */
	CHECK_ERR(minivm_get_regs(v.vcpu, &r), 0);
	CHECK(r.rip == guest_addr(g_halt_forever, g_halt_forever) + 4, "rip %#llx",
	      (unsigned long long)r.rip);
out:
	vm_close(&v);
}

/*
 * A HLT with interrupts on while userspace asks for the interrupt window
 * (its 8259s have an interrupt): the run reports the window open instead
 * of sleeping for an interrupt that only userspace can give; the vCPU
 * stays halted, and the interrupt injected then wakes it.
 */
static void halted_vcpu_reports_the_interrupt_window(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct vm v;
	int ret;

	sigaction(SIGALRM, &sa, NULL);
	lapic_start(&v, g_msi, g_msi_end);
	ivt(&v, 0x45, g_msi, g_msi_handler);
	if (!expect_io(&v, 0x10, 1, MINIVM_IO_OUT, ANY))
		goto out;
	v.run->request_interrupt_window = 1;
	ualarm(500000, 0);	/* a run that sleeps instead ends here, with EINTR */
	ret = minivm_run(v.vcpu);
	ualarm(0, 0);
	CHECK(ret == 0 && v.run->exit_reason == MINIVM_EXIT_IRQ_WINDOW_OPEN &&
	      v.run->ready_for_interrupt_injection && v.run->if_flag,
	      "RUN %d, exit %s, ready %u: want the window open", ret, exit_str(v.run),
	      v.run->ready_for_interrupt_injection);
	v.run->request_interrupt_window = 0;
	CHECK_ERR(minivm_interrupt(v.vcpu, 0x45), 0);
	if (expect_io(&v, 0x20, 1, MINIVM_IO_OUT, ANY))
		expect_io(&v, 0x11, 1, MINIVM_IO_OUT, ANY);
out:
	vm_close(&v);
}

/* Without MINIVM_VM_LAPIC: no APIC in CPUID, no x2APIC, HLT exits. */
static void without_the_flag_nothing_changes(void)
{
	struct minivm_msr_entry e = { .index = 0x1b, .data = 0xfee00d00 };
	struct vm v;
	uint32_t done;

	vm_start(&v, g_cpuid, g_cpuid_end);
	if (expect_io(&v, 0x10, 4, MINIVM_IO_OUT, ANY))
		CHECK(!(v.run->io.data & ((1 << 21) | (1 << 24))), "ECX %#llx",
		      (unsigned long long)v.run->io.data);
	if (expect_io(&v, 0x11, 4, MINIVM_IO_OUT, ANY))
		CHECK(!(v.run->io.data & (1 << 9)), "EDX %#llx",
		      (unsigned long long)v.run->io.data);
	run_expect(&v, MINIVM_EXIT_HLT);
	CHECK_ERR(minivm_set_msrs(v.vcpu, &e, 1, &done), EINVAL);
	e.index = 0x802;
	CHECK(minivm_get_msrs(v.vcpu, &e, 1, &done) < 0, "x2APIC ID readable without an APIC");
	vm_close(&v);

	lapic_start(&v, g_cpuid, g_cpuid_end);
	if (expect_io(&v, 0x10, 4, MINIVM_IO_OUT, ANY))
		CHECK((v.run->io.data & ((1 << 21) | (1 << 24))) == ((1 << 21) | (1 << 24)),
		      "ECX %#llx", (unsigned long long)v.run->io.data);
	if (expect_io(&v, 0x11, 4, MINIVM_IO_OUT, ANY))
		CHECK(v.run->io.data & (1 << 9), "EDX %#llx", (unsigned long long)v.run->io.data);
	e = (struct minivm_msr_entry){ .index = 0x1b, .data = 0xfee00d00 };
	CHECK_ERR(minivm_set_msrs(v.vcpu, &e, 1, &done), 0);
	e = (struct minivm_msr_entry){ .index = 0x802 };
	CHECK_ERR(minivm_get_msrs(v.vcpu, &e, 1, &done), 0);
	CHECK(e.data == 0, "x2APIC ID %#llx", (unsigned long long)e.data);
	vm_close(&v);
}

static struct minivm_mp_state mp_state(int vcpu)
{
	struct minivm_mp_state mp = { .state = 99 };

	CHECK_ERR(ioctl(vcpu, MINIVM_GET_MP_STATE, &mp) ? -errno : 0, 0);
	return mp;
}

struct ap {
	int vcpu;
	struct minivm_run *run;
	int ret[2];
	uint32_t exit[2];
	uint16_t port;
	volatile int reported;	/* the first RUN came back */
	volatile int done;
};

/* vCPU 1's thread: its first RUN waits for the SIPI, the second for a signal. */
static void *ap_thread(void *arg)
{
	struct ap *ap = arg;
	int i;

	for (i = 0; i < 2; i++) {
		/*
		 * The test's signal may end the second RUN before the guest has
		 * reached its HLT (seen once in CI): run again until it halts.
		 */
		do {
			ap->ret[i] = minivm_run(ap->vcpu);
		} while (i == 1 && ap->ret[i] == -EINTR &&
			 mp_state(ap->vcpu).state != MINIVM_MP_HALTED);
		ap->exit[i] = ap->run->exit_reason;
		if (i == 0) {
			ap->port = ap->run->io.port;
			ap->reported = 1;
		}
	}
	ap->done = 1;
	return NULL;
}

static void init_sipi_starts_a_second_vcpu(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct minivm_mp_state mp;
	struct ap ap = { 0 };
	pthread_t t;
	struct vm v;
	int i;

	sigaction(SIGUSR1, &sa, NULL);
	lapic_start(&v, g_bsp, g_bsp_end);
	ivt(&v, 0x41, g_bsp, g_bsp_handler);
	memcpy(v.mem + 0x2000, g_ap, (size_t)(g_ap_end - g_ap));
	ap.vcpu = minivm_create_vcpu(v.fd, 1, &ap.run);
	CHECK(ap.vcpu >= 0, "CREATE_VCPU 1: %s", strerror(-ap.vcpu));
	if (ap.vcpu < 0)
		goto out;
	CHECK(mp_state(v.vcpu).state == MINIVM_MP_RUNNABLE, "vCPU 0 not runnable");
	CHECK(mp_state(ap.vcpu).state == MINIVM_MP_WAIT_SIPI, "vCPU 1 not waiting for SIPI");
	mp = (struct minivm_mp_state){ .state = 3 };
	CHECK_ERR(ioctl(ap.vcpu, MINIVM_SET_MP_STATE, &mp) ? -errno : 0, EINVAL);
	mp = (struct minivm_mp_state){ .state = MINIVM_MP_WAIT_SIPI, .reserved = 1 };
	CHECK_ERR(ioctl(ap.vcpu, MINIVM_SET_MP_STATE, &mp) ? -errno : 0, EINVAL);
	pthread_create(&t, NULL, ap_thread, &ap);
	/* vCPU 0 sends INIT and SIPI; vCPU 1's IPI wakes it from HLT (or, if lost, an alarm). */
	sigaction(SIGALRM, &sa, NULL);
	alarm(60);
	if (expect_io(&v, 0x20, 1, MINIVM_IO_OUT, ANY))
		expect_io(&v, 0x11, 1, MINIVM_IO_OUT, ANY);
	alarm(0);
	/*
	 * vCPU 1's IPI reached vCPU 0 before vCPU 1's own report (its OUT) ends
	 * its first RUN: a signal now would end that RUN instead. Once it has
	 * reported, it halts with interrupts off and only a signal ends its
	 * second RUN (one sent before that RUN began would be lost: send again).
	 */
	for (i = 0; !ap.reported && i < 6000; i++)
		usleep(10000);
	while (!ap.done) {
		pthread_kill(t, SIGUSR1);
		usleep(20000);
	}
	pthread_join(t, NULL);
	CHECK(mp_state(ap.vcpu).state == MINIVM_MP_HALTED, "vCPU 1 not halted");
	CHECK(ap.ret[0] == 0 && ap.exit[0] == MINIVM_EXIT_IO && ap.port == 0x30,
	      "vCPU 1: RUN %d exit %u port %#x", ap.ret[0], ap.exit[0], ap.port);
	CHECK(ap.ret[1] == -EINTR && ap.exit[1] == MINIVM_EXIT_INTR,
	      "vCPU 1: second RUN %d exit %u", ap.ret[1], ap.exit[1]);
	munmap(ap.run, (size_t)sysconf(_SC_PAGESIZE));
	close(ap.vcpu);
out:
	vm_close(&v);
}

static void msi_from_userspace(void)
{
	struct minivm_msi msi = { .address = 0xfee00000, .data = 0x45 };
	struct minivm_mp_state mp = { .state = MINIVM_MP_HALTED };
	struct vm v;
	int ret;

	lapic_start(&v, g_msi, g_msi_end);
	ivt(&v, 0x45, g_msi, g_msi_handler);
	if (!expect_io(&v, 0x10, 1, MINIVM_IO_OUT, ANY))
		goto out;
	/* Only what the APIC decodes: the 0xfee window, reserved bits zero. */
	msi.address = 0xfed00000;
	CHECK_ERR(ioctl(v.fd, MINIVM_SIGNAL_MSI, &msi) < 0 ? -errno : 0, EINVAL);
	msi.address = 0xfee00001;
	CHECK_ERR(ioctl(v.fd, MINIVM_SIGNAL_MSI, &msi) < 0 ? -errno : 0, EINVAL);
	msi.address = 0x1fee00000ULL;
	CHECK_ERR(ioctl(v.fd, MINIVM_SIGNAL_MSI, &msi) < 0 ? -errno : 0, EINVAL);
	msi = (struct minivm_msi){ .address = 0xfee00000, .data = 0x10045 };
	CHECK_ERR(ioctl(v.fd, MINIVM_SIGNAL_MSI, &msi) < 0 ? -errno : 0, EINVAL);
	msi = (struct minivm_msi){ .address = 0xfee00000, .data = 0x45, .flags = 1 };
	CHECK_ERR(ioctl(v.fd, MINIVM_SIGNAL_MSI, &msi) < 0 ? -errno : 0, EINVAL);
	/* To APIC 5, which does not exist: it reaches none. */
	msi = (struct minivm_msi){ .address = 0xfee05000, .data = 0x45 };
	ret = ioctl(v.fd, MINIVM_SIGNAL_MSI, &msi);
	CHECK(ret == 0, "MSI to nobody: %d", ret);
	msi.address = 0xfee00000;
	ret = ioctl(v.fd, MINIVM_SIGNAL_MSI, &msi);
	CHECK(ret == 1, "MSI to APIC 0: %d (%s)", ret, ret < 0 ? strerror(errno) : "");
	if (expect_io(&v, 0x20, 1, MINIVM_IO_OUT, ANY))
		expect_io(&v, 0x11, 1, MINIVM_IO_OUT, ANY);
	vm_close(&v);

	/* Without the in-kernel APIC there is nothing to deliver to, nor to halt in. */
	vm_start(&v, g_msi, g_msi_end);
	CHECK_ERR(ioctl(v.fd, MINIVM_SIGNAL_MSI, &msi) < 0 ? -errno : 0, ENXIO);
	CHECK_ERR(ioctl(v.vcpu, MINIVM_SET_MP_STATE, &mp) ? -errno : 0, EINVAL);
out:
	vm_close(&v);
}

/*
 * A level-triggered MSI (an IOAPIC pin in level mode): its EOI ends the run
 * with MINIVM_EXIT_EOI, RIP past the WRMSR, so that the IOAPIC in
 * userspace can clear the pin's Remote IRR; an edge-triggered one's does not.
 */
static void level_triggered_eoi_reaches_userspace(void)
{
	struct minivm_msi msi = { .address = 0xfee00000, .data = 0xc045 };
	struct vm v;
	uint64_t cap = 0;
	int sys = minivm_open(), ret;

	CHECK_ERR(minivm_check_cap(sys, MINIVM_CAP_EOI_EXIT, &cap), 0);
	CHECK(cap == 1, "MINIVM_CAP_EOI_EXIT %llu", (unsigned long long)cap);
	close(sys);
	lapic_start(&v, g_msi, g_msi_end);
	ivt(&v, 0x45, g_msi, g_msi_handler);
	if (!expect_io(&v, 0x10, 1, MINIVM_IO_OUT, ANY))
		goto out;
	ret = ioctl(v.fd, MINIVM_SIGNAL_MSI, &msi);
	CHECK(ret == 1, "level MSI to APIC 0: %d (%s)", ret, ret < 0 ? strerror(errno) : "");
	if (!expect_io(&v, 0x20, 1, MINIVM_IO_OUT, ANY) || !run_expect(&v, MINIVM_EXIT_EOI))
		goto out;
	CHECK(v.run->eoi.vector == 0x45 && !v.run->eoi.reserved, "EOI of vector %#x (reserved %#x)",
	      v.run->eoi.vector, v.run->eoi.reserved);
	expect_io(&v, 0x11, 1, MINIVM_IO_OUT, ANY);
	vm_close(&v);

	/* The same with an edge-triggered MSI: the handler's EOI stays in the kernel. */
	lapic_start(&v, g_msi, g_msi_end);
	ivt(&v, 0x45, g_msi, g_msi_handler);
	if (!expect_io(&v, 0x10, 1, MINIVM_IO_OUT, ANY))
		goto out;
	msi.data = 0x4045;
	ret = ioctl(v.fd, MINIVM_SIGNAL_MSI, &msi);
	CHECK(ret == 1, "edge MSI to APIC 0: %d (%s)", ret, ret < 0 ? strerror(errno) : "");
	if (expect_io(&v, 0x20, 1, MINIVM_IO_OUT, ANY))
		expect_io(&v, 0x11, 1, MINIVM_IO_OUT, ANY);
out:
	vm_close(&v);
}

int main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "amd") && strcmp(argv[1], "intel"))) {
		fprintf(stderr, "usage: minivm-apic-test amd|intel\n");
		return 2;
	}
	want_vendor = !strcmp(argv[1], "amd") ? MINIVM_VENDOR_AMD_SVM : MINIVM_VENDOR_INTEL_VMX;
	ktap_plan("minivm-apic", 14);
	KTAP_RUN(capability_and_flags);
	KTAP_RUN(oneshot_timer_wakes_halt);
	KTAP_RUN(periodic_timer_ticks);
	KTAP_RUN(tsc_deadline_fires);
	KTAP_RUN(xapic_mmio_and_task_priority);
	KTAP_RUN(tsc_deadline_in_the_past_fires_at_once);
	KTAP_RUN(nmi_ipi_to_itself);
	KTAP_RUN(x2apic_mode_ends_the_xapic_page);
	KTAP_RUN(halted_vcpu_stays_halted_across_a_signal);
	KTAP_RUN(halted_vcpu_reports_the_interrupt_window);
	KTAP_RUN(init_sipi_starts_a_second_vcpu);
	KTAP_RUN(msi_from_userspace);
	KTAP_RUN(level_triggered_eoi_reaches_userspace);
	KTAP_RUN(without_the_flag_nothing_changes);
	return ktap_failed ? 1 : 0;
}
