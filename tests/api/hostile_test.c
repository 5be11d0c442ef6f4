// SPDX-License-Identifier: GPL-2.0
/*
 * minivm-hostile-test: guests and callers that try to take the host.
 *
 * Each case is one hole that was open: a #DB whose delivery raises #DB
 * again forever without an exit (CVE-2015-8104), register states no CPU can
 * be in that SVM enters anyway, a PAT the hardware refuses, the host's own
 * breakpoints lost after a guest ran. With the holes closed the guest must
 * still see its own breakpoints, single steps and alignment checks exactly
 * as on hardware, so those are here too. Prints KTAP.
 *
 *   minivm-hostile-test amd|intel
 */
#define _GNU_SOURCE
#include <linux/hw_breakpoint.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include "vmtest.h"

#define DATA_GPA	0x3000
/*
 * Emulator limit (Documentation/lab.rst): QEMU 7.2 leaves a guest's
 * instruction breakpoints armed after #VMEXIT, and they fire in whatever
 * guest next runs that address on that CPU. So the breakpoints of these
 * tests sit where no other test guest runs code.
 */
#define TARGET_GPA	0x6000
#define UNRUN_ADDR	"0x7ff0"

/*
 * A data breakpoint (DR0, writes of 4 bytes at DATA_GPA) and an instruction
 * breakpoint (DR1, at ECX = TARGET_GPA, where the test copies the code from
 * g_dbg32_target on; the guest first calls a RET at ECX + 0x10 on the same
 * page), each reported by the #DB handler's OUT of DR6 to port
 * 0x10. The instruction breakpoint is a fault: the handler's IRET gets past
 * it only if RF was set in the frame.
 */
GUEST(g_dbg32, ".code32",
      "lea 0x10(%ecx), %eax\n call *%eax\n"
      "mov $0x3000, %eax\n mov %eax, %dr0\n mov %ecx, %dr1\n"
      "mov $0xd0405, %eax\n mov %eax, %dr7\n"
      "movl $1, (0x3000)\n out %al, $0x11\n jmp *%ecx\n"
      ".globl g_dbg32_target\n g_dbg32_target: out %al, $0x12\n hlt\n"
      ".globl g_dbg32_handler\n g_dbg32_handler:\n"
      "push %eax\n mov %dr6, %eax\n out %eax, $0x10\n pop %eax\n iret");
extern const unsigned char g_dbg32_target[], g_dbg32_handler[];

/* Single steps: the #DB handler reports DR6 and ends the stepping after EDI steps. */
GUEST(g_step32, ".code32",
      "pushf\n orl $0x100, (%esp)\n popf\n nop\n nop\n nop\n nop\n nop\n nop\n"
      "out %al, $0x11\n hlt\n"
      ".globl g_step32_handler\n g_step32_handler:\n"
      "push %eax\n mov %dr6, %eax\n out %eax, $0x10\n pop %eax\n"
      "dec %edi\n jnz 1f\n andl $~0x100, 8(%esp)\n 1: iret");
extern const unsigned char g_step32_handler[];

/*
 * Ring 3 with CR0.AM and EFLAGS.AC: a misaligned load raises #AC, whose
 * ring-0 handler reports the error code and the faulting CS.
 */
GUEST(g_ac32, ".code32",
      "mov (0x3001), %eax\n out %al, $0x12\n hlt\n"
      ".globl g_ac32_handler\n g_ac32_handler:\n"
      "pop %eax\n out %eax, $0x10\n mov 4(%esp), %eax\n out %eax, $0x11\n hlt");
extern const unsigned char g_ac32_handler[];

/*
 * CVE-2015-8104: a data breakpoint on the slot of the #DB handler's IST
 * stack that delivering #DB writes first. Each delivery raises #DB again
 * before any instruction runs; only intercepting #DB gives the host its CPU.
 */
GUEST(g_dbstorm64, ".code64",
      "mov $0x8ff8, %rax\n mov %rax, %dr0\n mov $0x90401, %rax\n mov %rax, %dr7\n"
      "movq $0, (0x8ff8)\n out %al, $0x11\n hlt\n"
      ".globl g_dbstorm64_handler\n g_dbstorm64_handler: out %al, $0x10\n hlt");
extern const unsigned char g_dbstorm64_handler[];

/* The guest's debug registers, all four enabled (at an address never run). */
GUEST(g_dregs16, ".code16",
      "mov $" UNRUN_ADDR ", %eax\n mov %eax, %dr0\n mov %eax, %dr1\n mov %eax, %dr2\n"
      "mov %eax, %dr3\n mov $0x4ff, %eax\n mov %eax, %dr7\n hlt\n hlt");

/* WRMSR of a PAT with memory type 2 in entry 0. */
GUEST(g_badpat32, ".code32",
      "mov $0x277, %ecx\n mov $0x00070402, %eax\n mov $0x00070406, %edx\n wrmsr\n"
      "out %al, $0x10\n hlt");

GUEST(g_hlt32, ".code32", "hlt");

static void set_reg_rflags(struct vm *v, uint64_t rcx, uint64_t rdi, uint64_t rflags)
{
	struct minivm_regs r;

	minivm_get_regs(v->vcpu, &r);
	r.rcx = rcx;
	r.rdi = rdi;
	r.rflags = rflags;
	CHECK_ERR(minivm_set_regs(v->vcpu, &r), 0);
}

/* OUT to port 0x10 of a DR6 value whose B0-B3 and BS are @want. */
static int expect_dr6(struct vm *v, uint64_t want)
{
	if (!expect_io(v, 0x10, 4, MINIVM_IO_OUT, ANY))
		return 0;
	CHECK((v->run->io.data & 0x400f) == want, "DR6 %#llx, want B0-B3/BS %#llx",
	      (unsigned long long)v->run->io.data, (unsigned long long)want);
	return (v->run->io.data & 0x400f) == want;
}

static void guest_breakpoints_reach_its_handler(void)
{
	struct vm v;

	vm_start(&v, g_dbg32, g_dbg32_end);
	memcpy(v.mem + TARGET_GPA, g_dbg32_target, (size_t)(g_dbg32_handler - g_dbg32_target));
	/*
	 * A RET the guest calls first, so the target's page is mapped before
	 * the breakpoint is armed. Emulator limit (Documentation/lab.rst):
	 * Bochs 2.7 loses RF across the EPT violation of a first fetch, and
	 * the breakpoint then fires a second time.
	 */
	v.mem[TARGET_GPA + 0x10] = 0xc3;
	to_protected_ring(&v, 0);
	idt32_gate(&v, 1, guest_addr(g_dbg32, g_dbg32_handler));
	set_reg_rflags(&v, TARGET_GPA, 0, 2);
	if (expect_dr6(&v, 0x1) &&				/* data breakpoint, B0 */
	    expect_io(&v, 0x11, 1, MINIVM_IO_OUT, ANY) &&
	    expect_dr6(&v, 0x2) &&				/* instruction breakpoint, B1 */
	    expect_io(&v, 0x12, 1, MINIVM_IO_OUT, ANY))	/* RF let IRET past it */
		run_expect(&v, MINIVM_EXIT_HLT);
	vm_close(&v);
}

static void guest_single_steps_reach_its_handler(void)
{
	struct vm v;
	int i, ok = 1;

	vm_start(&v, g_step32, g_step32_end);
	to_protected_ring(&v, 0);
	idt32_gate(&v, 1, guest_addr(g_step32, g_step32_handler));
	set_reg_rflags(&v, 0, 3, 2);
	for (i = 0; i < 3 && ok; i++)
		ok = expect_dr6(&v, 0x4000);
	if (ok && expect_io(&v, 0x11, 1, MINIVM_IO_OUT, ANY))
		run_expect(&v, MINIVM_EXIT_HLT);
	vm_close(&v);
}

static void guest_alignment_check_reaches_its_handler(void)
{
	struct vm v;
	int ret;

	vm_start(&v, g_ac32, g_ac32_end);
	to_protected_ring(&v, 3);
	idt32_gate(&v, 17, guest_addr(g_ac32, g_ac32_handler));
	{
		struct minivm_sregs s;

		minivm_get_sregs(v.vcpu, &s);
		s.cr0 |= 1 << 18;	/* AM */
		CHECK_ERR(minivm_set_sregs(v.vcpu, &s), 0);
	}
	set_reg_rflags(&v, 0, 0, 2 | 1 << 18 | 3 << 12);	/* AC, IOPL 3 */
	ret = minivm_run(v.vcpu);
	CHECK(ret == 0 && v.run->exit_reason == MINIVM_EXIT_IO, "RUN %d, exit %s", ret,
	      exit_str(v.run));
	if (ret == 0 && v.run->exit_reason == MINIVM_EXIT_IO && v.run->io.port == 0x12 &&
	    want_vendor == MINIVM_VENDOR_AMD_SVM) {
		/* The misaligned load ran: the emulated CPU has no #AC to reflect. */
		snprintf(ktap_skip_reason, sizeof(ktap_skip_reason),
			 "QEMU's TCG CPU does not raise #AC (the load completed)");
	} else if (ret == 0 && v.run->exit_reason == MINIVM_EXIT_IO) {
		CHECK(v.run->io.port == 0x10 && v.run->io.data == 0,
		      "port %#x data %#llx, want the #AC handler's error code 0 on port 0x10",
		      v.run->io.port, (unsigned long long)v.run->io.data);
		if (expect_io(&v, 0x11, 4, MINIVM_IO_OUT, SEL_CODE3))
			run_expect(&v, MINIVM_EXIT_HLT);
	}
	vm_close(&v);
}

/* 64-bit: identity-mapped 2 MiB, GDT with a 64-bit code segment, IDT and TSS with IST1. */
static void to_long_mode_with_ist(struct vm *v, uint64_t db_handler)
{
	struct minivm_segment code64 = flat32_code;
	struct minivm_sregs s;

	put64(v, 0x4000, 0x5000 | 3);
	put64(v, 0x5000, 0x6000 | 3);
	put64(v, 0x6000, 0x83);
	put64(v, GDT_GPA + 0x08, 0x00209a0000000000ULL);
	put64(v, GDT_GPA + 0x10, 0x0000920000000000ULL);
	put64(v, TSS_GPA + 0x24, STACK_TOP);	/* IST1 */
	put64(v, IDT_GPA + 16, (db_handler & 0xffff) | (uint64_t)SEL_CODE0 << 16 |
	      (uint64_t)1 << 32 | (uint64_t)0x8e << 40 | ((db_handler >> 16) & 0xffff) << 48);
	put64(v, IDT_GPA + 24, db_handler >> 32);
	minivm_get_sregs(v->vcpu, &s);
	code64.attrib = (code64.attrib & ~MINIVM_SEG_DB) | MINIVM_SEG_L;
	set_flat(&s, code64);
	s.tr.base = TSS_GPA;
	s.gdt = (struct minivm_dtable){ .base = GDT_GPA, .limit = 0x17 };
	s.idt = (struct minivm_dtable){ .base = IDT_GPA, .limit = 0xfff };
	s.cr3 = 0x4000;
	s.cr4 = 0x20;		/* PAE */
	s.efer = 0x500;		/* LME | LMA */
	s.cr0 = 0x80000011;	/* PG | PE | ET */
	CHECK_ERR(minivm_set_sregs(v->vcpu, &s), 0);
}

static void db_storm_leaves_the_host_its_cpu(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct itimerval t = { .it_value = { .tv_usec = 300000 } };
	struct vm v;
	int ret;

	if (want_vendor == MINIVM_VENDOR_AMD_SVM) {
		/* Emulator limit (Documentation/lab.rst): QEMU 7.2's TCG aborts. */
		snprintf(ktap_skip_reason, sizeof(ktap_skip_reason),
			 "QEMU 7.2 TCG aborts on a data breakpoint hit during exception delivery");
		return;
	}
	sigaction(SIGALRM, &sa, NULL);
	vm_start(&v, g_dbstorm64, g_dbstorm64_end);
	to_long_mode_with_ist(&v, guest_addr(g_dbstorm64, g_dbstorm64_handler));
	setitimer(ITIMER_REAL, &t, NULL);
	ret = minivm_run(v.vcpu);
	CHECK(ret == -EINTR && v.run->exit_reason == MINIVM_EXIT_INTR,
	      "RUN returned %d (%s), exit %s; want -EINTR while the #DB storm goes on", ret,
	      strerror(-ret), exit_str(v.run));
	vm_close(&v);
}

static long perf_event_open(struct perf_event_attr *attr)
{
	return syscall(__NR_perf_event_open, attr, 0, -1, -1, 0);
}

static volatile uint32_t host_watched;

/* A perf breakpoint on host_watched counts each write; a guest must not lose it. */
static void host_breakpoints_survive_guests(void)
{
	struct perf_event_attr pe = {
		.type = PERF_TYPE_BREAKPOINT, .size = sizeof(pe), .bp_type = HW_BREAKPOINT_W,
		.bp_addr = (uintptr_t)&host_watched, .bp_len = HW_BREAKPOINT_LEN_4,
		.exclude_kernel = 1, .exclude_hv = 1,
	};
	uint64_t count = 0, want = 0;
	cpu_set_t one;
	struct vm v;
	int fd, i;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	CHECK(sched_setaffinity(0, sizeof(one), &one) == 0, "sched_setaffinity: %s",
	      strerror(errno));
	fd = (int)perf_event_open(&pe);
	CHECK(fd >= 0, "perf_event_open(breakpoint): %s", strerror(errno));
	if (fd < 0)
		return;
	host_watched = 1;
	want++;
	CHECK(read(fd, &count, sizeof(count)) == sizeof(count) && count == want,
	      "the host breakpoint counted %llu of %llu writes before any guest ran",
	      (unsigned long long)count, (unsigned long long)want);
	vm_start(&v, g_dregs16, g_dregs16_end);
	/* Twice: the guest takes its debug registers, then runs with them enabled. */
	for (i = 0; i < 2; i++) {
		run_expect(&v, MINIVM_EXIT_HLT);
		host_watched = i + 2;
		want++;
		CHECK(read(fd, &count, sizeof(count)) == sizeof(count), "read: %s",
		      strerror(errno));
		CHECK(count == want, "after guest run %d the host breakpoint counted %llu of %llu writes",
		      i + 1, (unsigned long long)count, (unsigned long long)want);
	}
	vm_close(&v);
	close(fd);
	CPU_ZERO(&one);
	for (i = 0; i < CPU_SETSIZE && i < sysconf(_SC_NPROCESSORS_ONLN); i++)
		CPU_SET(i, &one);
	sched_setaffinity(0, sizeof(one), &one);
}

/* SET_SREGS refuses what no CPU could be in; the legal neighbour is taken. */
static void impossible_sregs_are_refused(void)
{
	struct minivm_sregs good, s;
	struct vm v;

	vm_start(&v, g_hlt32, g_hlt32_end);
	minivm_get_sregs(v.vcpu, &good);
	set_flat(&good, flat32_code);
	good.cr0 = 0x11;
	s = good;
	s.efer = 0x500;		/* LMA and LME with paging off */
	CHECK_ERR(minivm_set_sregs(v.vcpu, &s), EINVAL);
	s.efer = 0x400;		/* LMA alone */
	CHECK_ERR(minivm_set_sregs(v.vcpu, &s), EINVAL);
	s = good;
	s.cr0 = 0x80000011;
	s.cr4 = 0x20;
	s.efer = 0x100;		/* paging with LME but no LMA */
	CHECK_ERR(minivm_set_sregs(v.vcpu, &s), EINVAL);
	s.efer = 0x500;
	s.cr4 = 0;		/* long mode without PAE */
	CHECK_ERR(minivm_set_sregs(v.vcpu, &s), EINVAL);
	s = good;
	s.cr0 = 0x80000010;	/* paging without protection */
	CHECK_ERR(minivm_set_sregs(v.vcpu, &s), EINVAL);
	s = good;
	s.cr0 = 0x20000011;	/* NW without CD */
	CHECK_ERR(minivm_set_sregs(v.vcpu, &s), EINVAL);
	s = good;
	s.tr.attrib = 0x9 | MINIVM_SEG_P;	/* an available, not busy, TSS */
	CHECK_ERR(minivm_set_sregs(v.vcpu, &s), EINVAL);
	s = good;
	s.ds.attrib &= ~MINIVM_SEG_G;	/* a 4 GiB limit in byte units */
	CHECK_ERR(minivm_set_sregs(v.vcpu, &s), EINVAL);
	s = good;
	s.cs.attrib |= MINIVM_SEG_L;	/* 64-bit code outside long mode */
	CHECK_ERR(minivm_set_sregs(v.vcpu, &s), EINVAL);

	/* The legal neighbour: LME set, paging off. */
	s = good;
	s.efer = 0x100;
	CHECK_ERR(minivm_set_sregs(v.vcpu, &s), 0);
	minivm_get_sregs(v.vcpu, &s);
	CHECK(s.efer == 0x100, "EFER %#llx, want LME alone", (unsigned long long)s.efer);
	/*
	 * Emulator limit (Documentation/lab.rst): QEMU 7.2 loses its own CPU
	 * when a nested guest exits with LME set and paging off, so the run
	 * itself is the Intel lab's.
	 */
	if (want_vendor == MINIVM_VENDOR_INTEL_VMX)
		run_expect(&v, MINIVM_EXIT_HLT);
	vm_close(&v);
}

static void pat_memory_types_are_checked(void)
{
	struct minivm_msr_entry e = { .index = 0x277, .data = 0x0007040600070402ULL };
	struct minivm_sregs s;
	uint32_t done = 99;
	struct vm v;

	vm_start(&v, g_badpat32, g_badpat32_end);
	to_protected_mode(&v, 0);
	CHECK_ERR(minivm_set_msrs(v.vcpu, &e, 1, &done), EINVAL);
	CHECK(done == 0, "done %u, want 0", done);
	e.data = 0x0807040600070406ULL;	/* 8 in entry 7 */
	CHECK_ERR(minivm_set_msrs(v.vcpu, &e, 1, &done), EINVAL);
	e.data = 0;
	CHECK_ERR(minivm_get_msrs(v.vcpu, &e, 1, &done), 0);
	CHECK(e.data == 0x0007040600070406ULL, "PAT %#llx after the refusals",
	      (unsigned long long)e.data);
	/* The guest's own WRMSR of it is a #GP (no IDT: a triple fault). */
	minivm_get_sregs(v.vcpu, &s);
	s.idt.limit = 0;
	minivm_set_sregs(v.vcpu, &s);
	run_expect(&v, MINIVM_EXIT_SHUTDOWN);
	vm_close(&v);
}

int main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "amd") && strcmp(argv[1], "intel"))) {
		fprintf(stderr, "usage: minivm-hostile-test amd|intel\n");
		return 2;
	}
	want_vendor = !strcmp(argv[1], "amd") ? MINIVM_VENDOR_AMD_SVM : MINIVM_VENDOR_INTEL_VMX;
	ktap_plan("minivm-hostile", 7);
	KTAP_RUN(impossible_sregs_are_refused);
	KTAP_RUN(pat_memory_types_are_checked);
	KTAP_RUN(host_breakpoints_survive_guests);
	KTAP_RUN(guest_breakpoints_reach_its_handler);
	KTAP_RUN(guest_single_steps_reach_its_handler);
	KTAP_RUN(guest_alignment_check_reaches_its_handler);
	KTAP_RUN(db_storm_leaves_the_host_its_cpu);
	return ktap_failed ? 1 : 0;
}
