// SPDX-License-Identifier: GPL-2.0
/*
 * minivm-run-test: guests run through /dev/minivm, in the style of KVM's
 * selftests: each guest is a few instructions assembled into this binary,
 * copied into guest RAM and run from a state set with SET_SREGS/SET_REGS.
 * Every exit kind, the in-kernel exits, first-touch faults, the host taking
 * pages back while the guest runs, and every validation error. Prints KTAP.
 *
 *   minivm-run-test amd|intel
 */
#define _GNU_SOURCE
#include <asm/prctl.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include "vmtest.h"

GUEST(g_io, ".code16",
      "mov $0x42, %al\n out %al, $0x10\n in $0x11, %al\n out %al, $0x12\n"
      "mov $0x1234, %ax\n out %ax, $0x13\n mov $0xdeadbeef, %eax\n out %eax, $0x14\n hlt");
GUEST(g_cpuid, ".code16",
      "mov $1, %eax\n cpuid\n mov %ecx, %eax\n out %eax, $0x10\n"
      "mov $0x80000001, %eax\n cpuid\n mov %ecx, %eax\n out %eax, $0x11\n hlt");
/* Leaf 0, the hypervisor leaf (all four ORed), leaf 0x80000000. */
GUEST(g_cpuid_leaves, ".code16",
      "xor %eax, %eax\n cpuid\n out %eax, $0x10\n mov %ebx, %eax\n out %eax, $0x11\n"
      "mov %edx, %eax\n out %eax, $0x12\n mov %ecx, %eax\n out %eax, $0x13\n"
      "mov $0x40000000, %eax\n cpuid\n or %ebx, %eax\n or %ecx, %eax\n or %edx, %eax\n"
      "out %eax, $0x14\n mov $0x80000000, %eax\n cpuid\n out %eax, $0x15\n hlt");
/*
 * The paravirtual clock: its factors at 0x3000, the wall clock at 0x3100;
 * then the TSC twice (low half, high half), the host sleeping between;
 * then the clock's MSR and the features CPUID announces.
 */
GUEST(g_pvclock, ".code16",
      "mov $0x4b564d01, %ecx\n mov $0x3001, %eax\n xor %edx, %edx\n wrmsr\n"
      "mov $0x4b564d00, %ecx\n mov $0x3100, %eax\n wrmsr\n"
      "rdtsc\n out %eax, $0x10\n mov %edx, %eax\n out %eax, $0x11\n"
      "rdtsc\n out %eax, $0x12\n mov %edx, %eax\n out %eax, $0x13\n"
      "mov $0x4b564d01, %ecx\n rdmsr\n out %eax, $0x14\n"
      "mov $0x40000001, %eax\n cpuid\n out %eax, $0x15\n hlt");
/*
 * XSETBV to what CPUID.(0xd,0) offers of x87, SSE and AVX (OSXSAVE on
 * first), then that value and XGETBV's on ports 0x10 and 0x11.
 */
GUEST(g_xsetbv, ".code16",
      "mov %cr4, %eax\n or $0x40000, %eax\n mov %eax, %cr4\n"
      "mov $0xd, %eax\n xor %ecx, %ecx\n cpuid\n and $7, %eax\n xor %edx, %edx\n"
      "xor %ecx, %ecx\n xsetbv\n out %eax, $0x10\n"
      "xor %ecx, %ecx\n xgetbv\n out %eax, $0x11\n hlt");
/* ffff:0010 is GPA 0x100000, just past RAM (a 5-byte instruction). */
GUEST(g_mmio, ".code16",
      "mov $0xffff, %ax\n mov %ax, %ds\n movb $0x77, (0x10)\n hlt");
/* Read then write the read-only region at 0x20000. */
GUEST(g_rom, ".code16",
      "mov $0x2000, %ax\n mov %ax, %ds\n mov (0), %al\n out %al, $0x10\n movb $1, (0)\n hlt");
/* Write each 4 KiB page's segment number at its start, 0x10000-0x8ffff. */
GUEST(g_touch, ".code16",
      "mov $0x1000, %bx\n 1: mov %bx, %es\n mov %bx, %es:(0)\n add $0x100, %bx\n"
      "cmp $0x9000, %bx\n jb 1b\n hlt");
/* Like g_touch, from segment BX up to CX. */
GUEST(g_touch_range, ".code16",
      "1: mov %bx, %es\n mov %bx, %es:(0)\n add $0x100, %bx\n cmp %cx, %bx\n jb 1b\n hlt");
/* Report the word at 0x3000 forever. */
GUEST(g_peek, ".code16", "1: mov (0x3000), %ax\n out %ax, $0x10\n jmp 1b");
GUEST(g_spin, ".code16", "1: jmp 1b");
GUEST(g_int3, ".code16", "int3\n hlt");
GUEST(g_vmmcall, ".code16", "mov $0, %eax\n" "vmmcall_or_vmcall: .byte 0x0f, 0x01, 0xd9\n out %eax, $0x10\n hlt");
GUEST(g_prot32, ".code32",
      "mov $0x89abcdef, %eax\n out %eax, $0x10\n mov (0x3000), %eax\n out %eax, $0x11\n hlt");
/*
 * Read a word inside the first page of the 2 MiB at 0x200000 (not at its
 * start: the fault's address is not page-aligned), then the last word.
 */
GUEST(g_huge32, ".code32",
      "mov (0x201234), %eax\n out %eax, $0x10\n mov (0x3ffffc), %eax\n out %eax, $0x11\n hlt");
/* Put a value in XMM0, let the host run, then show what XMM0 holds. */
GUEST(g_fpu32, ".code32",
      "movd %ebx, %xmm0\n out %al, $0x10\n movd %xmm0, %eax\n out %eax, $0x11\n hlt");
/*
 * XMM0 = EBX, then 3,000 CPUIDs (each an exit the kernel handles, each a
 * chance for the host to schedule the thread out), checking XMM0 after each:
 * OUT 0x12 with what it found the first time it changed, else OUT 0x11.
 */
GUEST(g_fpu_loop, ".code32",
      "mov %ebx, %edi\n movd %edi, %xmm0\n mov $3000, %esi\n"
      "1: xor %eax, %eax\n cpuid\n movd %xmm0, %eax\n cmp %edi, %eax\n jne 2f\n"
      "dec %esi\n jnz 1b\n out %eax, $0x11\n hlt\n"
      "2: out %eax, $0x12\n hlt");
/* Show PAT as the guest reads it, then write an MSR the guest does not own. */
GUEST(g_msr32, ".code32",
      "mov $0x277, %ecx\n rdmsr\n out %eax, $0x10\n mov %edx, %eax\n out %eax, $0x11\n"
      "mov $0xc0000103, %ecx\n wrmsr\n hlt");
/*
 * The SYSCALL and SWAPGS MSRs are the guest's: KERNEL_GS_BASE through
 * SWAPGS, then a SYSCALL through STAR, LSTAR and SFMASK (IF masked) to a
 * handler that reports RFLAGS and the return RIP. CPUID loops in between
 * make in-kernel exits (which the host may preempt) with them loaded.
 */
GUEST(g_syscall64, ".code64",
      "mov $0xc0000102, %ecx\n mov $0x12345000, %eax\n xor %edx, %edx\n wrmsr\n swapgs\n"
      "mov $0xc0000101, %ecx\n rdmsr\n out %eax, $0x10\n"
      "mov $0xc0000080, %ecx\n rdmsr\n or $1, %eax\n wrmsr\n"
      "mov $0xc0000082, %ecx\n lea g_syscall64_handler(%rip), %rax\n mov %rax, %rdx\n"
      "shr $32, %rdx\n wrmsr\n"
      "mov $0xc0000081, %ecx\n xor %eax, %eax\n mov $0x00100008, %edx\n wrmsr\n"
      "mov $0xc0000084, %ecx\n mov $0x200, %eax\n xor %edx, %edx\n wrmsr\n"
      "mov %r8d, %esi\n 1: xor %eax, %eax\n cpuid\n dec %esi\n jnz 1b\n"
      "sti\n syscall\n"
      ".globl g_syscall64_ret\n g_syscall64_ret: hlt\n"
      ".globl g_syscall64_handler\n g_syscall64_handler:\n"
      "pushf\n pop %rax\n out %eax, $0x11\n mov %rcx, %rax\n out %eax, $0x12\n"
      "mov %r8d, %esi\n 2: xor %eax, %eax\n cpuid\n dec %esi\n jnz 2b\n hlt");
extern const unsigned char g_syscall64_ret[], g_syscall64_handler[];
GUEST(g_rdtsc16, ".code16",
      "rdtsc\n out %eax, $0x10\n mov %edx, %eax\n out %eax, $0x11\n hlt");
/* Into PAE paging from protected mode, then a read through it (0x3000 maps 0x3000). */
GUEST(g_pae_enter32, ".code32",
      "mov $0x20, %eax\n mov %eax, %cr4\n mov $0x4000, %eax\n mov %eax, %cr3\n"
      "mov %cr0, %eax\n or $0x80000000, %eax\n mov %eax, %cr0\n out %al, $0x10\n"
      "mov (0x3000), %eax\n out %eax, $0x11\n hlt");
GUEST(g_pae_run32, ".code32", "mov (0x3000), %eax\n out %eax, $0x11\n hlt");

/*
 * INS and OUTS, one element per exit: an ES override, REP, REP with CX = 0
 * (no exit), DF = 1 (backwards).
 */
GUEST(g_str16, ".code16",
      "mov $0x300, %ax\n mov %ax, %es\n xor %si, %si\n mov $3, %cx\n mov $0x10, %dx\n"
      ".byte 0x26, 0xf3, 0x6e\n"	/* es rep outsb */
      "xor %ax, %ax\n mov %ax, %es\n mov $0x3100, %di\n mov $2, %cx\n mov $0x20, %dx\n"
      "rep insw\n mov (0x3100), %eax\n out %eax, $0x11\n"
      "mov $0x10, %dx\n xor %cx, %cx\n rep outsb\n"
      "std\n mov $0x3002, %si\n outsb\n outsb\n cld\n hlt");
/*
 * 64-bit: REP OUTSW, an INSL that crosses a 4 KiB boundary, a 32-bit
 * address size (ESI, zero-extended after), and an OUTSB from an address
 * the guest did not map.
 */
GUEST(g_str64, ".code64",
      "mov $0x3000, %rsi\n mov $0x10, %dx\n mov $2, %rcx\n rep outsw\n"
      "mov $0x7ffe, %rdi\n mov $0x20, %dx\n insl\n mov (0x7ffe), %eax\n out %eax, $0x11\n"
      "mov $0xffffffff00003004, %rsi\n mov $0x10, %dx\n addr32 outsb\n"
      "mov %rsi, %rax\n shr $32, %rax\n out %eax, $0x12\n mov %esi, %eax\n out %eax, $0x12\n"
      "mov $0x400000, %rsi\n outsb\n hlt");

/*
 * The run page's header: IF, the STI shadow (an exit inside it that leaves
 * RIP on the instruction: MMIO at GPA 0x100000), CR8 (64-bit only).
 */
GUEST(g_events16, ".code16",
      "sti\n out %al, $0x10\n out %al, $0x11\n cli\n out %al, $0x12\n hlt");
GUEST(g_shadow16, ".code16",
      "mov $0xffff, %ax\n mov %ax, %ds\n sti\n movb $0x77, (0x10)\n hlt");
GUEST(g_cr8_64, ".code64", "mov $5, %eax\n mov %rax, %cr8\n out %al, $0x10\n hlt");

GUEST(g_long64, ".code64",
      "mov $0x123456789a, %rax\n out %eax, $0x10\n shr $32, %rax\n out %eax, $0x11\n"
      "mov $0xabcdef, %r15\n mov %r15d, %eax\n out %eax, $0x12\n hlt");

/*
 * The tracing tests' workload: a known number of exits of each kind, then
 * HLT, then a spin that only a signal ends (so every exit it counts is
 * followed by an entry). Its first-touch faults: the code page, and the
 * WORKLOAD_PAGES pages from 0x10000 on, written once each.
 */
#define WORKLOAD_CPUID	100
#define WORKLOAD_RDMSR	30
#define WORKLOAD_OUT	50
#define WORKLOAD_PAGES	64
#define STR(x)		#x
#define XSTR(x)		STR(x)
GUEST(g_workload, ".code16",
      "mov $" XSTR(WORKLOAD_CPUID) ", %si\n 1: xor %eax, %eax\n cpuid\n dec %si\n jnz 1b\n"
      "mov $" XSTR(WORKLOAD_RDMSR) ", %si\n 2: mov $0x277, %ecx\n rdmsr\n dec %si\n jnz 2b\n"
      "mov $" XSTR(WORKLOAD_OUT) ", %si\n 3: out %al, $0x10\n dec %si\n jnz 3b\n"
      "mov $0x1000, %bx\n 4: mov %bx, %es\n mov %bx, %es:(0)\n add $0x100, %bx\n"
      "cmp $(0x1000 + " XSTR(WORKLOAD_PAGES) " * 0x100), %bx\n jb 4b\n"
      "hlt\n 5: jmp 5b");

static void port_io_exits_reach_userspace(void)
{
	struct vm v;

	vm_start(&v, g_io, g_io_end);
	if (expect_io(&v, 0x10, 1, MINIVM_IO_OUT, 0x42) &&
	    expect_io(&v, 0x11, 1, MINIVM_IO_IN, 0)) {
		v.run->io.data = 0x5a;
		if (expect_io(&v, 0x12, 1, MINIVM_IO_OUT, 0x5a) &&
		    expect_io(&v, 0x13, 2, MINIVM_IO_OUT, 0x1234) &&
		    expect_io(&v, 0x14, 4, MINIVM_IO_OUT, 0xdeadbeef))
			run_expect(&v, MINIVM_EXIT_HLT);
	}
	vm_close(&v);
}

/*
 * immediate_exit, as a signal handler sets it: RUN ends with EINTR before
 * the guest runs, after completing the port input the last exit asked for.
 */
static void immediate_exit_ends_run_before_entry(void)
{
	struct minivm_regs r;
	struct vm v;

	vm_start(&v, g_io, g_io_end);
	if (expect_io(&v, 0x10, 1, MINIVM_IO_OUT, 0x42) &&
	    expect_io(&v, 0x11, 1, MINIVM_IO_IN, 0)) {
		v.run->io.data = 0x5a;
		v.run->immediate_exit = 1;
		CHECK_ERR(minivm_run(v.vcpu), EINTR);
		CHECK(v.run->exit_reason == MINIVM_EXIT_INTR, "exit reason %u after an immediate exit",
		      v.run->exit_reason);
		CHECK_ERR(minivm_run(v.vcpu), EINTR);	/* again: still nothing runs */
		CHECK_ERR(minivm_get_regs(v.vcpu, &r), 0);
		CHECK((r.rax & 0xff) == 0x5a && r.rip == 0x1006,
		      "after two immediate exits AL %#llx RIP %#llx, want 0x5a and 0x1006 (past the IN)",
		      (unsigned long long)r.rax, (unsigned long long)r.rip);
		v.run->immediate_exit = 0;
		if (expect_io(&v, 0x12, 1, MINIVM_IO_OUT, 0x5a))
			expect_io(&v, 0x13, 2, MINIVM_IO_OUT, 0x1234);
	}
	vm_close(&v);
}

/* Ports 0x10-0x1f and 0x9f are claimed; the rest not, in unclaimed_ports_*. */
GUEST(g_unclaimed, ".code16",
      "mov $0x1234, %ax\n in $0x99, %al\n out %ax, $0x10\n"
      "mov $0x99, %dx\n mov $0xabcdef01, %eax\n in %dx, %eax\n out %eax, $0x11\n"
      "mov $0x9e, %dx\n in %dx, %ax\n"
      "out %al, $0x99\n mov $0xfffe, %dx\n in %dx, %eax\n hlt");

static void set_claimed(uint8_t *bitmap, int any_unclaimed)
{
	memset(bitmap, any_unclaimed ? 0xff : 0, MINIVM_NR_PORTS / 8);
	if (!any_unclaimed)
		return;
	bitmap[0x10 / 8] = 0;
	bitmap[0x18 / 8] = 0;
	bitmap[0x9f / 8] &= (uint8_t)~(1U << (0x9f % 8));
}

/*
 * MINIVM_SET_UNCLAIMED_PORTS: an IN or OUT whose every port is unclaimed
 * never reaches userspace (IN reads all ones, in AL alone for a byte and in
 * all of RAX's low half for a dword), one that touches a claimed port or
 * runs past port 0xffff does; an empty set gives every port back to
 * userspace; flags and reserved must be zero.
 */
static void unclaimed_ports_are_finished_in_kernel(void)
{
	static struct minivm_unclaimed_ports u;
	uint64_t cap = 0;
	struct vm v;

	vm_start(&v, g_unclaimed, g_unclaimed_end);
	CHECK_ERR(minivm_check_cap(v.sys, MINIVM_CAP_UNCLAIMED_PORTS, &cap), 0);
	CHECK(cap == 1, "MINIVM_CAP_UNCLAIMED_PORTS %llu", (unsigned long long)cap);
	u.flags = 1;
	CHECK(ioctl(v.fd, MINIVM_SET_UNCLAIMED_PORTS, &u) == -1 && errno == EINVAL,
	      "flags 1 accepted (errno %d)", errno);
	u.flags = 0;
	u.reserved = 1;
	CHECK(ioctl(v.fd, MINIVM_SET_UNCLAIMED_PORTS, &u) == -1 && errno == EINVAL,
	      "reserved 1 accepted (errno %d)", errno);
	u.reserved = 0;
	CHECK(ioctl(v.vcpu, MINIVM_SET_UNCLAIMED_PORTS, &u) == -1 && errno == ENOTTY,
	      "a vCPU fd took the VM's call (errno %d)", errno);
	set_claimed(u.bitmap, 1);
	CHECK_ERR(minivm_set_unclaimed_ports(v.fd, &u), 0);
	/* IN AL from 0x99 went nowhere: AH kept, AL all ones. */
	expect_io(&v, 0x10, 2, MINIVM_IO_OUT, 0x12ff);
	/* A dword IN: all 32 bits. */
	expect_io(&v, 0x11, 4, MINIVM_IO_OUT, 0xffffffff);
	/* 0x9e-0x9f: one port claimed, so the whole access is userspace's. */
	if (expect_io(&v, 0x9e, 2, MINIVM_IO_IN, ANY))
		v.run->io.data = 0x5a5a;
	/* The OUT to 0x99 stayed in the kernel; 0xfffe-0x10001 runs past the last port. */
	expect_io(&v, 0xfffe, 4, MINIVM_IO_IN, ANY);
	run_expect(&v, MINIVM_EXIT_HLT);
	vm_close(&v);

	/* All zeros: every port is userspace's again. */
	vm_start(&v, g_unclaimed, g_unclaimed_end);
	set_claimed(u.bitmap, 1);
	CHECK_ERR(minivm_set_unclaimed_ports(v.fd, &u), 0);
	set_claimed(u.bitmap, 0);
	CHECK_ERR(minivm_set_unclaimed_ports(v.fd, &u), 0);
	expect_io(&v, 0x99, 1, MINIVM_IO_IN, ANY);
	vm_close(&v);
}

static void cpuid_is_handled_in_kernel(void)
{
	struct vm v;

	vm_start(&v, g_cpuid, g_cpuid_end);
	if (expect_io(&v, 0x10, 4, MINIVM_IO_OUT, ANY)) {
		uint32_t ecx = v.run->io.data;

		CHECK(ecx & (1U << 31), "CPUID.1:ECX %#x lacks the hypervisor bit", ecx);
		CHECK(!(ecx & (1U << 5)), "CPUID.1:ECX %#x shows VMX", ecx);
	}
	if (expect_io(&v, 0x11, 4, MINIVM_IO_OUT, ANY))
		CHECK(!(v.run->io.data & (1U << 2)), "CPUID.80000001:ECX %#llx shows SVM",
		      (unsigned long long)v.run->io.data);
	run_expect(&v, MINIVM_EXIT_HLT);
	vm_close(&v);
}

/*
 * The clock a guest asks for with KVM's MSRs (Linux's kvm-clock): the
 * factors published in its memory, stable, turn the TSC ticks of a 100 ms
 * host sleep into about 100 ms; the wall clock is the host's time at the
 * VM's creation; the MSR reads back; a bit past the address width is #GP.
 */
static void paravirtual_clock_tells_the_tsc_rate(void)
{
	struct pvclock {
		uint32_t version, pad0;
		uint64_t tsc_timestamp, system_time;
		uint32_t mul;
		int8_t shift;
		uint8_t flags, pad[2];
	} t;
	struct { uint32_t version, sec, nsec; } w;
	struct timespec sleep = { 0, 100000000 };
	uint64_t tsc[2], ticks, ns;
	uint32_t features;
	struct minivm_msr_entry e = { .index = 0x4b564d01, .data = 1ULL << 63 };
	uint32_t done;
	time_t now = time(NULL);
	struct vm v;

	vm_start(&v, g_pvclock, g_pvclock_end);
	if (!expect_io(&v, 0x10, 4, MINIVM_IO_OUT, ANY))
		goto out;
	tsc[0] = v.run->io.data;
	if (!expect_io(&v, 0x11, 4, MINIVM_IO_OUT, ANY))
		goto out;
	tsc[0] |= v.run->io.data << 32;
	nanosleep(&sleep, NULL);
	if (!expect_io(&v, 0x12, 4, MINIVM_IO_OUT, ANY))
		goto out;
	tsc[1] = v.run->io.data;
	if (!expect_io(&v, 0x13, 4, MINIVM_IO_OUT, ANY))
		goto out;
	tsc[1] |= v.run->io.data << 32;
	if (!expect_io(&v, 0x14, 4, MINIVM_IO_OUT, 0x3001) ||
	    !expect_io(&v, 0x15, 4, MINIVM_IO_OUT, ANY))
		goto out;
	features = v.run->io.data;
	run_expect(&v, MINIVM_EXIT_HLT);
	memcpy(&t, v.mem + 0x3000, sizeof(t));
	/* KVM_FEATURE_CLOCKSOURCE2, and stable in both places or in neither. */
	CHECK(features & 1U << 3, "CPUID 0x40000001.EAX %#x offers no clock", features);
	CHECK(!(t.flags & 1) == !(features & 1U << 24), "stable flag %u, CPUID says %#x",
	      t.flags, features);
	CHECK(t.version == 2 && t.mul >= 1U << 31 && t.system_time == 0 && t.tsc_timestamp == 0,
	      "clock version %u mul %#x shift %d system_time %llu tsc_timestamp %llu", t.version,
	      t.mul, t.shift, (unsigned long long)t.system_time,
	      (unsigned long long)t.tsc_timestamp);
	ticks = tsc[1] - tsc[0];
	ticks = t.shift < 0 ? ticks >> -t.shift : ticks << t.shift;
	ns = (uint64_t)(((unsigned __int128)ticks * t.mul) >> 32);
	CHECK(ns >= 90000000 && ns < 2000000000, "a 100 ms sleep is %llu ns by the clock",
	      (unsigned long long)ns);
	memcpy(&w, v.mem + 0x3100, sizeof(w));
	CHECK(w.version == 2 && w.sec <= (uint32_t)now + 1 && w.sec + 60 >= (uint32_t)now,
	      "wall clock version %u sec %u, host %lld", w.version, w.sec, (long long)now);
	CHECK_ERR(minivm_set_msrs(v.vcpu, &e, 1, &done), EINVAL);
out:
	vm_close(&v);
}

static uint64_t host_xgetbv(void)
{
	uint32_t lo, hi;

	asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

/*
 * A guest's XSETBV changes only its own XCR0, also when it sets the very
 * value the host has (the host's must come back on the exit that handled
 * it: once, it stayed the guest's old one, and the host's next XRSTOR of
 * its own state faulted).
 */
static void xsetbv_leaves_the_hosts_xcr0(void)
{
	unsigned int a, b, c, d;
	uint64_t host;
	uint32_t set;
	struct vm v;

	asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(1), "c"(0));
	if (!(c & 1U << 27)) {		/* OSXSAVE: this kernel uses XSAVE */
		SKIP("the host CPU has no XSAVE");
		return;
	}
	host = host_xgetbv();
	vm_start(&v, g_xsetbv, g_xsetbv_end);
	if (!expect_io(&v, 0x10, 4, MINIVM_IO_OUT, ANY))
		goto out;
	set = (uint32_t)v.run->io.data;
	CHECK(host_xgetbv() == host, "the host's XCR0 is %#llx after the guest's XSETBV, was %#llx",
	      (unsigned long long)host_xgetbv(), (unsigned long long)host);
	if (expect_io(&v, 0x11, 4, MINIVM_IO_OUT, set))
		run_expect(&v, MINIVM_EXIT_HLT);
	CHECK(host_xgetbv() == host, "the host's XCR0 is %#llx after the run, was %#llx",
	      (unsigned long long)host_xgetbv(), (unsigned long long)host);
	CHECK(set == (host & 7), "the guest set %#x, the host has %#llx", set,
	      (unsigned long long)host);
out:
	vm_close(&v);
}

/* What the module read at load is what this CPU says; minivm's own hypervisor leaves. */
static void cpuid_answers_match_the_host(void)
{
	unsigned int a, b, c, d, ext, sig[3];
	struct vm v;

	memcpy(sig, "KVMKVMKVM\0\0\0", sizeof(sig));	/* and the clock's leaf, 0x40000001 */
	asm volatile("cpuid" : "=a"(ext), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000000), "c"(0));
	asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0), "c"(0));
	/* The highest leaves are capped at what the policy knows (kmod/cpuid.h). */
	a = a < 0x16 ? a : 0x16;
	ext = ext < 0x80000008 ? ext : 0x80000008;
	vm_start(&v, g_cpuid_leaves, g_cpuid_leaves_end);
	if (expect_io(&v, 0x10, 4, MINIVM_IO_OUT, a) && expect_io(&v, 0x11, 4, MINIVM_IO_OUT, b) &&
	    expect_io(&v, 0x12, 4, MINIVM_IO_OUT, d) && expect_io(&v, 0x13, 4, MINIVM_IO_OUT, c) &&
	    expect_io(&v, 0x14, 4, MINIVM_IO_OUT, 0x40000001 | sig[0] | sig[1] | sig[2]) &&
	    expect_io(&v, 0x15, 4, MINIVM_IO_OUT, ext))
		run_expect(&v, MINIVM_EXIT_HLT);
	vm_close(&v);
}

static void hypercall_is_handled_in_kernel(void)
{
	struct vm v;

	vm_start(&v, g_vmmcall, g_vmmcall_end);
	/* The guest's instruction must be the vendor's own: VMCALL is 0f 01 c1. */
	if (want_vendor == MINIVM_VENDOR_INTEL_VMX)
		v.mem[CODE_GPA + 6 + 2] = 0xc1;
	if (expect_io(&v, 0x10, 4, MINIVM_IO_OUT, ANY))
		CHECK((uint32_t)v.run->io.data == (uint32_t)MINIVM_HYPERCALL_UNKNOWN,
		      "hypercall returned %#llx, want MINIVM_HYPERCALL_UNKNOWN",
		      (unsigned long long)v.run->io.data);
	run_expect(&v, MINIVM_EXIT_HLT);
	vm_close(&v);
}

static void mmio_outside_regions_exits(void)
{
	struct minivm_regs regs;
	struct vm v;

	vm_start(&v, g_mmio, g_mmio_end);
	if (run_expect(&v, MINIVM_EXIT_MMIO)) {
		CHECK(v.run->mmio.gpa == MEM_SIZE, "gpa %#llx", (unsigned long long)v.run->mmio.gpa);
		CHECK(v.run->mmio.access == MINIVM_ACCESS_WRITE, "access %#x", v.run->mmio.access);
		/* RIP still points at the write: step over it, as an emulator would. */
		minivm_get_regs(v.vcpu, &regs);
		CHECK(regs.rip == CODE_GPA + 5, "rip %#llx", (unsigned long long)regs.rip);
		regs.rip += 5;
		minivm_set_regs(v.vcpu, &regs);
		run_expect(&v, MINIVM_EXIT_HLT);
	}
	vm_close(&v);
}

static void read_only_region_traps_writes(void)
{
	uint8_t *rom = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct vm v;
	int ret;

	vm_start(&v, g_rom, g_rom_end);
	/* Region 0 covers the ROM's address: replace it by two. */
	minivm_set_memory_region(v.fd, 0, 0, 0, 0, NULL);
	ret = minivm_set_memory_region(v.fd, 0, 0, 0, ROM_GPA, v.mem);
	CHECK(ret == 0, "low RAM: %s", strerror(-ret));
	rom[0] = 0xa5;
	ret = minivm_set_memory_region(v.fd, 1, MINIVM_MEM_READONLY, ROM_GPA, 4096, rom);
	CHECK(ret == 0, "ROM: %s", strerror(-ret));
	if (expect_io(&v, 0x10, 1, MINIVM_IO_OUT, 0xa5) && run_expect(&v, MINIVM_EXIT_MMIO)) {
		CHECK(v.run->mmio.gpa == ROM_GPA, "gpa %#llx", (unsigned long long)v.run->mmio.gpa);
		CHECK(v.run->mmio.access == MINIVM_ACCESS_WRITE, "access %#x", v.run->mmio.access);
	}
	CHECK(rom[0] == 0xa5, "the read-only page changed to %#x", rom[0]);
	vm_close(&v);
	munmap(rom, 4096);
}

static void first_touch_maps_host_pages(void)
{
	unsigned int seg, bad = 0;
	struct vm v;

	vm_start(&v, g_touch, g_touch_end);
	run_expect(&v, MINIVM_EXIT_HLT);
	for (seg = 0x1000; seg < 0x9000; seg += 0x100) {
		uint16_t got;

		memcpy(&got, v.mem + seg * 16, 2);
		bad += got != seg;
	}
	CHECK(bad == 0, "%u of 128 pages do not hold what the guest wrote", bad);
	vm_close(&v);
}

static uint64_t peek(struct vm *v)
{
	return expect_io(v, 0x10, 2, MINIVM_IO_OUT, v->mem[0x3000] | v->mem[0x3001] << 8) ?
	       v->run->io.data : ~0ULL;
}

static void host_dontneed_reaches_guest(void)
{
	struct vm v;

	vm_start(&v, g_peek, g_peek_end);
	v.mem[0x3000] = 0x11;
	peek(&v);
	CHECK(madvise(v.mem + 0x3000, 4096, MADV_DONTNEED) == 0, "madvise: %s", strerror(errno));
	/* The host dropped the page: the guest must now read a fresh zero page. */
	CHECK(peek(&v) == 0, "guest still sees the dropped page");
	v.mem[0x3000] = 0x22;
	CHECK(peek(&v) == 0x22, "guest does not see the host's new page");
	vm_close(&v);
}

static void host_truncate_reaches_guest(void)
{
	int mfd = memfd_create("minivm-test", 0);
	struct vm v;
	uint8_t *ram;

	CHECK(mfd >= 0 && ftruncate(mfd, MEM_SIZE) == 0, "memfd: %s", strerror(errno));
	ram = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	vm_start(&v, g_peek, g_peek_end);
	/* Swap the anonymous RAM for the file. */
	minivm_set_memory_region(v.fd, 0, 0, 0, 0, NULL);
	CHECK(minivm_set_memory_region(v.fd, 0, 0, 0, MEM_SIZE, ram) == 0, "file region");
	munmap(v.mem, MEM_SIZE);
	v.mem = ram;
	memcpy(ram + CODE_GPA, g_peek, (size_t)(g_peek_end - g_peek));
	ram[0x3000] = 0x33;
	CHECK(peek(&v) == 0x33, "guest does not see the file's data");
	/* Punch the page out of the file: the guest must read zero, not the old page. */
	CHECK(fallocate(mfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0x3000, 4096) == 0,
	      "punch hole: %s", strerror(errno));
	CHECK(peek(&v) == 0, "guest still sees the punched-out page");
	CHECK(ftruncate(mfd, 0) == 0 && ftruncate(mfd, MEM_SIZE) == 0, "truncate");
	/* The code page went too: the guest faults it back in as zeroes (add %al,(%bx,%si)). */
	vm_close(&v);
	close(mfd);
}

static void unmapped_backing_is_a_memory_error(void)
{
	struct vm v;
	int ret;

	vm_start(&v, g_peek, g_peek_end);
	/* Unmap the page the guest will read; the region still names it. */
	munmap(v.mem + 0x3000, 4096);
	ret = minivm_run(v.vcpu);
	CHECK(ret == -EFAULT, "RUN returned %d (%s), want -EFAULT", ret, strerror(-ret));
	CHECK(v.run->exit_reason == MINIVM_EXIT_MEMORY_ERROR, "exit %s", exit_str(v.run));
	CHECK(v.run->memory.gpa == 0x3000, "gpa %#llx", (unsigned long long)v.run->memory.gpa);
	vm_close(&v);
}

static void signal_interrupts_run(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct itimerval t = { .it_value = { .tv_usec = 200000 } };
	struct minivm_regs regs;
	struct vm v;
	int ret;

	sigaction(SIGALRM, &sa, NULL);
	vm_start(&v, g_spin, g_spin_end);
	if (getenv("SPIN_IF")) {
		minivm_get_regs(v.vcpu, &regs);
		regs.rflags |= 0x200;
		minivm_set_regs(v.vcpu, &regs);
	}
	setitimer(ITIMER_REAL, &t, NULL);
	ret = minivm_run(v.vcpu);
	CHECK(ret == -EINTR, "RUN returned %d (%s), want -EINTR", ret, strerror(-ret));
	CHECK(v.run->exit_reason == MINIVM_EXIT_INTR, "exit %s", exit_str(v.run));
	vm_close(&v);
}

static void triple_fault_is_shutdown(void)
{
	struct minivm_sregs sregs;
	struct vm v;

	vm_start(&v, g_int3, g_int3_end);
	minivm_get_sregs(v.vcpu, &sregs);
	sregs.idt.limit = 0;	/* every exception escalates to a triple fault */
	minivm_set_sregs(v.vcpu, &sregs);
	run_expect(&v, MINIVM_EXIT_SHUTDOWN);
	vm_close(&v);
}

static void protected_mode_runs(void)
{
	struct minivm_sregs sregs;
	struct vm v;

	vm_start(&v, g_prot32, g_prot32_end);
	minivm_get_sregs(v.vcpu, &sregs);
	set_flat(&sregs, flat32_code);
	sregs.cr0 = 0x11;	/* PE | ET */
	CHECK(minivm_set_sregs(v.vcpu, &sregs) == 0, "SET_SREGS");
	memcpy(v.mem + 0x3000, "\x78\x56\x34\x12", 4);
	if (expect_io(&v, 0x10, 4, MINIVM_IO_OUT, 0x89abcdef) &&
	    expect_io(&v, 0x11, 4, MINIVM_IO_OUT, 0x12345678))
		run_expect(&v, MINIVM_EXIT_HLT);
	vm_close(&v);
}

static void long_mode_runs(void)
{
	struct vm v;

	vm_start(&v, g_long64, g_long64_end);
	to_long_mode(&v);
	if (expect_io(&v, 0x10, 4, MINIVM_IO_OUT, 0x3456789a) &&
	    expect_io(&v, 0x11, 4, MINIVM_IO_OUT, 0x12) &&
	    expect_io(&v, 0x12, 4, MINIVM_IO_OUT, 0xabcdef))
		run_expect(&v, MINIVM_EXIT_HLT);
	vm_close(&v);
}

static void string_io_moves_each_element(void)
{
	struct minivm_regs r;
	struct vm v;

	vm_start(&v, g_str16, g_str16_end);
	memcpy(v.mem + 0x3000, "abcdef", 6);
	if (expect_io(&v, 0x10, 1, MINIVM_IO_OUT, 'a') &&
	    expect_io(&v, 0x10, 1, MINIVM_IO_OUT, 'b') &&
	    expect_io(&v, 0x10, 1, MINIVM_IO_OUT, 'c') &&
	    expect_io(&v, 0x20, 2, MINIVM_IO_IN, ANY)) {
		v.run->io.data = 0x1111;
		if (expect_io(&v, 0x20, 2, MINIVM_IO_IN, ANY)) {
			v.run->io.data = 0x2222;
			if (expect_io(&v, 0x11, 4, MINIVM_IO_OUT, 0x22221111) &&
			    expect_io(&v, 0x10, 1, MINIVM_IO_OUT, 'c') &&
			    expect_io(&v, 0x10, 1, MINIVM_IO_OUT, 'b') &&
			    run_expect(&v, MINIVM_EXIT_HLT)) {
				CHECK_ERR(minivm_get_regs(v.vcpu, &r), 0);
				CHECK((r.rsi & 0xffff) == 0x3000 && (r.rdi & 0xffff) == 0x3104 &&
				      (r.rcx & 0xffff) == 0,
				      "after the strings SI %#llx DI %#llx CX %#llx",
				      (unsigned long long)r.rsi, (unsigned long long)r.rdi,
				      (unsigned long long)r.rcx);
			}
		}
	}
	vm_close(&v);

	vm_start(&v, g_str64, g_str64_end);
	to_long_mode(&v);
	memcpy(v.mem + 0x3000, "abcdef", 6);
	if (expect_io(&v, 0x10, 2, MINIVM_IO_OUT, 0x6261) &&
	    expect_io(&v, 0x10, 2, MINIVM_IO_OUT, 0x6463) &&
	    expect_io(&v, 0x20, 4, MINIVM_IO_IN, ANY)) {
		v.run->io.data = 0x44332211;
		if (expect_io(&v, 0x11, 4, MINIVM_IO_OUT, 0x44332211) &&
		    expect_io(&v, 0x10, 1, MINIVM_IO_OUT, 'e') &&
		    expect_io(&v, 0x12, 4, MINIVM_IO_OUT, 0) &&
		    expect_io(&v, 0x12, 4, MINIVM_IO_OUT, 0x3005))
			run_expect(&v, MINIVM_EXIT_UNHANDLED);
	}
	vm_close(&v);
}

static int expect_header(struct vm *v, int if_flag, int shadow, int ready)
{
	const struct minivm_run *r = v->run;

	CHECK(r->if_flag == if_flag && !!(r->flags & MINIVM_RUN_INTR_SHADOW) == shadow &&
	      r->ready_for_interrupt_injection == ready,
	      "at %s: if_flag %u shadow %u ready %u, want %d %d %d", exit_str(r), r->if_flag,
	      !!(r->flags & MINIVM_RUN_INTR_SHADOW), r->ready_for_interrupt_injection, if_flag,
	      shadow, ready);
	return 1;
}

/*
 * The run page's fixed header: the in fields are reserved (must be 0), the
 * out fields say whether the guest could take an interrupt, and its CR8.
 */
static void run_header_reports_event_state(void)
{
	struct vm v;

	vm_start(&v, g_events16, g_events16_end);
	v.run->request_interrupt_window = 2;	/* 0 or 1 */
	CHECK_ERR(minivm_run(v.vcpu), EINVAL);
	v.run->request_interrupt_window = 0;
	v.run->immediate_exit = 2;		/* 0 or 1 */
	CHECK_ERR(minivm_run(v.vcpu), EINVAL);
	v.run->immediate_exit = 0;
	v.run->reserved_in[5] = 1;
	CHECK_ERR(minivm_run(v.vcpu), EINVAL);
	v.run->reserved_in[5] = 0;
	/* The OUT in STI's shadow ends it: the guest resumes out of the shadow. */
	if (expect_io(&v, 0x10, 1, MINIVM_IO_OUT, ANY) && expect_header(&v, 1, 0, 1) &&
	    expect_io(&v, 0x11, 1, MINIVM_IO_OUT, ANY) && expect_header(&v, 1, 0, 1) &&
	    expect_io(&v, 0x12, 1, MINIVM_IO_OUT, ANY) && expect_header(&v, 0, 0, 0))
		run_expect(&v, MINIVM_EXIT_HLT);
	vm_close(&v);

	/* An MMIO exit leaves RIP on the store, still in the shadow. */
	vm_start(&v, g_shadow16, g_shadow16_end);
	if (run_expect(&v, MINIVM_EXIT_MMIO))
		expect_header(&v, 1, 1, 0);
	vm_close(&v);

	vm_start(&v, g_cr8_64, g_cr8_64_end);
	to_long_mode(&v);
	if (expect_io(&v, 0x10, 1, MINIVM_IO_OUT, ANY))
		CHECK(v.run->cr8 == 5, "run->cr8 %llu, want 5", (unsigned long long)v.run->cr8);
	vm_close(&v);
}

/* PDPT at 0x4000, its first entry to a page directory at 0x5000 whose 2 MiB page maps 0-2 MiB. */
static void pae_tables(struct vm *v, uint64_t pdpte1)
{
	uint64_t e[4] = { 0x5000 | 1, pdpte1, 0, 0 };

	memcpy(v->mem + 0x4000, e, sizeof(e));
	e[0] = 0x83;	/* 2 MiB, writable, present */
	memcpy(v->mem + 0x5000, e, 8);
	memcpy(v->mem + 0x3000, "\x78\x56\x34\x12", 4);
}

/*
 * 32-bit PAE paging, outside long mode: VM entry on VMX takes the four
 * PDPTEs from the VMCS, so minivm must load them, from SET_SREGS and when
 * the guest's own MOV to CR0 enters PAE paging (it exits: minivm owns PG).
 * A PDPTE with a reserved bit is refused (SET_SREGS) or a #GP (the MOV).
 */
static void pae_paging_outside_long_mode(void)
{
	struct minivm_sregs s;
	struct vm v;

	vm_start(&v, g_pae_enter32, g_pae_enter32_end);
	pae_tables(&v, 0);
	to_protected_mode(&v, 0);
	if (expect_io(&v, 0x10, 1, MINIVM_IO_OUT, ANY) &&
	    expect_io(&v, 0x11, 4, MINIVM_IO_OUT, 0x12345678))
		run_expect(&v, MINIVM_EXIT_HLT);
	vm_close(&v);

	vm_start(&v, g_pae_run32, g_pae_run32_end);
	pae_tables(&v, 0x6000 | 1 | (1 << 5));	/* bit 5: reserved */
	to_protected_mode(&v, 0x20);
	minivm_get_sregs(v.vcpu, &s);
	s.cr3 = 0x4000;
	s.cr0 |= 0x80000000;
	CHECK_ERR(minivm_set_sregs(v.vcpu, &s), EINVAL);
	pae_tables(&v, 0x6000 | 1);
	CHECK_ERR(minivm_set_sregs(v.vcpu, &s), 0);
	if (expect_io(&v, 0x11, 4, MINIVM_IO_OUT, 0x12345678))
		run_expect(&v, MINIVM_EXIT_HLT);
	vm_close(&v);

	/*
	 * The guest's MOV to CR0 with a bad PDPTE: #GP, a triple fault with no
	 * IDT. Intel's lab only: on SVM nothing exits, and QEMU does not check.
	 */
	if (want_vendor != MINIVM_VENDOR_INTEL_VMX)
		return;
	vm_start(&v, g_pae_enter32, g_pae_enter32_end);
	pae_tables(&v, 0x6000 | 1 | (1 << 5));
	to_protected_mode(&v, 0);
	minivm_get_sregs(v.vcpu, &s);
	s.idt.limit = 0;
	minivm_set_sregs(v.vcpu, &s);
	run_expect(&v, MINIVM_EXIT_SHUTDOWN);
	vm_close(&v);
}

/* A "name value" line of the VM's debugfs memory file, or -1. */
static long long vm_stat(const struct vm *v, const char *name)
{
	char path[96], key[32];
	long long val, found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/minivm/vm-%llu/memory",
		 (unsigned long long)v->id);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%31s %lld", key, &val) == 2)
		if (!strcmp(key, name))
			found = val;
	fclose(f);
	return found;
}

static void huge_page_backing_maps_2m(void)
{
	const size_t huge = 2UL << 20;
	uint8_t *h;
	struct vm v;
	FILE *f = fopen("/proc/sys/vm/nr_hugepages", "w");

	/* Reserve one huge page (as root in the lab); skip where none can be had. */
	if (f) {
		fputs("2", f);
		fclose(f);
	}
	h = mmap(NULL, huge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB,
		 -1, 0);
	if (h == MAP_FAILED) {
		SKIP("no 2 MiB hugetlb page: %s", strerror(errno));
		return;
	}
	memcpy(h + 0x1234, "\x11\x22\x33\x44", 4);
	memcpy(h + huge - 4, "\x55\x66\x77\x88", 4);
	vm_start(&v, g_huge32, g_huge32_end);
	to_protected_mode(&v, 0);
	CHECK(minivm_set_memory_region(v.fd, 1, 0, 0x200000, huge, h) == 0, "huge region");
	if (expect_io(&v, 0x10, 4, MINIVM_IO_OUT, 0x44332211) &&
	    expect_io(&v, 0x11, 4, MINIVM_IO_OUT, 0x88776655))
		run_expect(&v, MINIVM_EXIT_HLT);
	CHECK(vm_stat(&v, "maps_2m") == 1, "maps_2m is %lld, want 1 (one fault for both reads)",
	      vm_stat(&v, "maps_2m"));
	vm_close(&v);
	munmap(h, huge);
}

/* The guest's XMM0 survives a trip to a host that uses XMM0 itself. */
static void guest_fpu_state_is_kept(void)
{
	struct minivm_regs regs;
	struct vm v;

	vm_start(&v, g_fpu32, g_fpu32_end);
	to_protected_mode(&v, 0x600);	/* OSFXSR | OSXMMEXCPT */
	minivm_get_regs(v.vcpu, &regs);
	regs.rbx = 0x600dcafe;
	minivm_set_regs(v.vcpu, &regs);
	if (expect_io(&v, 0x10, 1, MINIVM_IO_OUT, ANY)) {
		uint32_t mine = 0xbad0bad0;

		asm volatile("movd %0, %%xmm0" : : "r"(mine) : "xmm0");
		if (expect_io(&v, 0x11, 4, MINIVM_IO_OUT, 0x600dcafe))
			run_expect(&v, MINIVM_EXIT_HLT);
	}
	vm_close(&v);
}

static volatile int fpu_spin_stop;

/* Keep XMM0 at another value on the CPU the vCPU's thread shares. */
static void *fpu_spinner(void *arg)
{
	cpu_set_t *set = arg;
	uint32_t other = 0xbad0bad0;

	sched_setaffinity(0, sizeof(*set), set);
	while (!fpu_spin_stop)
		asm volatile("movd %0, %%xmm0" : : "r"(other) : "xmm0");
	return NULL;
}

/*
 * The vCPU's thread shares one CPU with a thread that keeps its own value
 * in XMM0, so the run loop is scheduled out between the guest's exits: the
 * guest must find its XMM0 after every one (the kernel reloads the guest's
 * FPU registers before entry; without that the guest ran on the other
 * thread's, reading its data).
 */
static void guest_fpu_survives_preemption(void)
{
	struct minivm_regs regs;
	pthread_t t;
	cpu_set_t one;
	struct vm v;

	CPU_ZERO(&one);
	CPU_SET(0, &one);
	vm_start(&v, g_fpu_loop, g_fpu_loop_end);
	to_protected_mode(&v, 0x600);	/* OSFXSR | OSXMMEXCPT */
	minivm_get_regs(v.vcpu, &regs);
	regs.rbx = 0x600dcafe;
	minivm_set_regs(v.vcpu, &regs);
	CHECK(sched_setaffinity(0, sizeof(one), &one) == 0, "setaffinity: %s", strerror(errno));
	fpu_spin_stop = 0;
	pthread_create(&t, NULL, fpu_spinner, &one);
	if (run_expect(&v, MINIVM_EXIT_IO))
		CHECK(v.run->io.port == 0x11, "the guest's XMM0 changed under it: %#x",
		      (uint32_t)v.run->io.data);
	fpu_spin_stop = 1;
	pthread_join(t, NULL);
	run_on_all_cpus();
	vm_close(&v);
}

/* Run the vCPU on each CPU in turn: the VMCS/VMCB must follow it. */
static void vcpu_follows_its_thread_across_cpus(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	cpu_set_t set;
	struct vm v;
	int i;

	if (ncpu < 2) {
		SKIP("one CPU");
		return;
	}
	vm_start(&v, g_peek, g_peek_end);
	for (i = 0; i < 20; i++) {
		CPU_ZERO(&set);
		CPU_SET(i % ncpu, &set);
		CHECK(sched_setaffinity(0, sizeof(set), &set) == 0, "setaffinity: %s", strerror(errno));
		v.mem[0x3000] = i;
		if (peek(&v) != (uint64_t)i)
			break;
	}
	run_on_all_cpus();
	vm_close(&v);
}

static void *close_and_kill(void *arg)
{
	struct vm *v = arg;

	usleep(100000);
	close(v->fd);		/* the VM, then the vCPU, while RUN is inside */
	close(v->vcpu);
	pthread_kill(*(pthread_t *)((char *)arg + sizeof(*v)), SIGALRM);
	return NULL;
}

static void fds_close_while_vcpu_runs(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	struct {
		struct vm v;
		pthread_t runner;
	} x;
	pthread_t t;
	int ret;

	sigaction(SIGALRM, &sa, NULL);
	vm_start(&x.v, g_spin, g_spin_end);
	x.runner = pthread_self();
	pthread_create(&t, NULL, close_and_kill, &x);
	ret = minivm_run(x.v.vcpu);
	pthread_join(t, NULL);
	CHECK(ret == -EINTR, "RUN returned %d (%s), want -EINTR", ret, strerror(-ret));
	/* Both fds are gone: the VM went with the last reference. */
	CHECK(minivm_run(x.v.vcpu) == -EBADF, "the vCPU fd still works");
	munmap(x.v.run, (size_t)sysconf(_SC_PAGESIZE));
	munmap(x.v.mem, MEM_SIZE);
	close(x.v.sys);
}

static void msrs_round_trip_and_refuse(void)
{
	struct minivm_msr_entry e[4] = {
		{ .index = 0x277, .data = 0x0007010600070106ULL },	/* PAT */
		{ .index = 0xc0000100, .data = 0x12345000 },		/* FS_BASE */
		{ .index = 0x176, .data = 0xffffffff81000000ULL },	/* SYSENTER_EIP */
		{ .index = 0x174, .data = 0x10 },			/* SYSENTER_CS */
	};
	struct minivm_msr_entry back[4];
	struct minivm_msrs m = { 0 };
	struct minivm_sregs sregs;
	uint32_t done = 99;
	struct vm v;
	int i;

	vm_start(&v, g_msr32, g_msr32_end);
	to_protected_mode(&v, 0);
	CHECK_ERR(minivm_set_msrs(v.vcpu, e, 4, &done), 0);
	for (i = 0; i < 4; i++)
		back[i] = (struct minivm_msr_entry){ .index = e[i].index };
	CHECK_ERR(minivm_get_msrs(v.vcpu, back, 4, &done), 0);
	for (i = 0; i < 4; i++)
		CHECK(back[i].data == e[i].data, "MSR %#x reads %#llx, set %#llx", e[i].index,
		      (unsigned long long)back[i].data, (unsigned long long)e[i].data);
	/* Refusals name the entry: done counts the ones before it. */
	back[1].index = 0x19a;		/* IA32_CLOCK_MODULATION: not the guest's */
	CHECK_ERR(minivm_get_msrs(v.vcpu, back, 4, &done), ENOENT);
	CHECK(done == 1, "done %u, want 1", done);
	e[2].data = 0x8000000000000000ULL;	/* not canonical */
	CHECK_ERR(minivm_set_msrs(v.vcpu, e, 4, &done), EINVAL);
	CHECK(done == 2, "done %u, want 2", done);
	e[2].data = 0;
	e[0].reserved = 1;
	CHECK_ERR(minivm_set_msrs(v.vcpu, e, 4, &done), EINVAL);
	CHECK(done == 0, "done %u, want 0", done);
	e[0].reserved = 0;
	e[0].index = 0x10;	/* TSC */
	CHECK_ERR(minivm_get_msrs(v.vcpu, e, 1, &done), 0);
	CHECK(e[0].data != 0, "TSC reads 0");
	/* An AMD-only MSR is there only where CPUID says AMD (0, no C1E). */
	e[0].index = 0xc0010055;	/* MSR_K8_INT_PENDING_MSG */
	e[0].data = 1;
	CHECK_ERR(minivm_get_msrs(v.vcpu, e, 1, &done),
		  want_vendor == MINIVM_VENDOR_AMD_SVM ? 0 : ENOENT);
	if (want_vendor == MINIVM_VENDOR_AMD_SVM)
		CHECK(e[0].data == 0, "INT_PENDING_MSG reads %#llx", (unsigned long long)e[0].data);
	m.nmsrs = MINIVM_MAX_MSRS + 1;
	m.entries = (uint64_t)(uintptr_t)e;
	CHECK_ERR(ioctl(v.vcpu, MINIVM_GET_MSRS, &m) < 0 ? -errno : 0, E2BIG);
	m.nmsrs = 1;
	m.reserved = 1;
	CHECK_ERR(ioctl(v.vcpu, MINIVM_GET_MSRS, &m) < 0 ? -errno : 0, EINVAL);
	m.reserved = 0;
	m.entries = 8;
	CHECK_ERR(ioctl(v.vcpu, MINIVM_GET_MSRS, &m) < 0 ? -errno : 0, EFAULT);

	/* The guest reads what was set, and its WRMSR to TSC_AUX is a #GP. */
	minivm_get_sregs(v.vcpu, &sregs);
	sregs.idt.limit = 0;	/* so the #GP ends as a triple fault */
	minivm_set_sregs(v.vcpu, &sregs);
	if (expect_io(&v, 0x10, 4, MINIVM_IO_OUT, 0x00070106) &&
	    expect_io(&v, 0x11, 4, MINIVM_IO_OUT, 0x00070106))
		run_expect(&v, MINIVM_EXIT_SHUTDOWN);
	vm_close(&v);
}

/* TSC_AUX read and written, then RDTSCP: ECX is what the guest wrote. */
GUEST(g_rdtscp, ".code16",
      "mov $0xc0000103, %ecx\n rdmsr\n out %eax, $0x10\n"
      "mov $0x12345, %eax\n xor %edx, %edx\n wrmsr\n"
      "rdtscp\n mov %ecx, %eax\n out %eax, $0x11\n hlt");

/* Whether the lab's CPU has @flag in /proc/cpuinfo. */
static int cpu_has_flag(const char *flag)
{
	char line[4096], *p;
	FILE *f = fopen("/proc/cpuinfo", "r");
	int found = 0;

	while (f && !found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, "flags", 5))
			continue;
		for (p = strtok(line, " \t\n:"); p && !found; p = strtok(NULL, " \t\n:"))
			found = !strcmp(p, flag);
		break;
	}
	if (f)
		fclose(f);
	return found;
}

/*
 * TSC_AUX is the guest's while it runs (RDTSCP returns what it wrote) and
 * the host's afterwards (Linux keeps the CPU number there for getcpu()).
 * On a CPU without RDTSCP the guest has neither: #UD and #GP.
 */
static void tsc_aux_is_the_guests(void)
{
	struct minivm_msr_entry e = { .index = 0xc0000103 };
	unsigned int aux = 0, i, ok = 0;
	struct vm v;

	vm_start(&v, g_rdtscp, g_rdtscp_end);
	if (!cpu_has_flag("rdtscp")) {
		CHECK(minivm_get_msrs(v.vcpu, &e, 1, NULL) < 0, "TSC_AUX without RDTSCP");
		printf("    # this CPU has no RDTSCP: the guest's TSC_AUX is refused\n");
		vm_close(&v);
		return;
	}
	if (expect_io(&v, 0x10, 4, MINIVM_IO_OUT, 0) && expect_io(&v, 0x11, 4, MINIVM_IO_OUT, 0x12345))
		run_expect(&v, MINIVM_EXIT_HLT);
	CHECK_ERR(minivm_get_msrs(v.vcpu, &e, 1, NULL), 0);
	CHECK(e.data == 0x12345, "TSC_AUX %#llx", (unsigned long long)e.data);
	e.data = 1ULL << 32;
	CHECK_ERR(minivm_set_msrs(v.vcpu, &e, 1, NULL), EINVAL);
	/* The host's own RDTSCP names the CPU it runs on (retried across a migration). */
	for (i = 0; i < 20 && !ok; i++) {
		int cpu = sched_getcpu();

		__builtin_ia32_rdtscp(&aux);
		ok = (int)(aux & 0xfff) == cpu && sched_getcpu() == cpu;
	}
	CHECK(ok, "host TSC_AUX %#x after the guest ran", aux);
	vm_close(&v);
}

struct syscall_guest {
	struct vm *v;
	int cpuids, ok;
};

/* Run g_syscall64 to its end; the caller checks the host side. */
static void *syscall_guest_run(void *arg)
{
	struct syscall_guest *g = arg;
	struct vm *v = g->v;
	struct minivm_regs r;

	minivm_get_regs(v->vcpu, &r);
	r.r8 = (uint64_t)g->cpuids;
	minivm_set_regs(v->vcpu, &r);
	g->ok = expect_io(v, 0x10, 4, MINIVM_IO_OUT, 0x12345000) &&
		expect_io(v, 0x11, 4, MINIVM_IO_OUT, ANY);
	if (g->ok) {
		/* SFMASK cleared IF; bit 1 is always set. */
		CHECK((v->run->io.data & 0x202) == 2, "RFLAGS in the handler %#llx",
		      (unsigned long long)v->run->io.data);
		g->ok = expect_io(v, 0x12, 4, MINIVM_IO_OUT, guest_addr(g_syscall64, g_syscall64_ret)) &&
			run_expect(v, MINIVM_EXIT_HLT);
	}
	return NULL;
}

/*
 * KERNEL_GS_BASE, STAR, LSTAR, CSTAR and SFMASK are the guest's while it
 * runs and the host's whenever the host needs them: a thread that makes
 * system calls and checks its own GS base shares one host CPU with the
 * guest's thread, which the scheduler switches away from while the
 * guest's values are loaded (VMX loads them lazily). A host SYSCALL that
 * found the guest's LSTAR would crash the lab; a GS base that came back
 * as the guest's fails here.
 */
static void syscall_msrs_are_the_guests(void)
{
	struct minivm_msr_entry e[5] = {
		{ .index = 0xc0000102 }, { .index = 0xc0000081 }, { .index = 0xc0000082 },
		{ .index = 0xc0000083 }, { .index = 0xc0000084 },
	};
	struct syscall_guest g = { .cpuids = 3000 };
	unsigned long gs = 0, mine = 0x7f0012345000UL;
	cpu_set_t one, before;
	pthread_t t;
	struct vm v;
	int i, calls = 0;

	vm_start(&v, g_syscall64, g_syscall64_end);
	to_long_mode(&v);
	/* Reset values: 0 for each, as on a CPU after RESET. */
	CHECK_ERR(minivm_get_msrs(v.vcpu, e, 5, NULL), 0);
	for (i = 0; i < 5; i++)
		CHECK(e[i].data == 0, "MSR %#x resets to %#llx", e[i].index,
		      (unsigned long long)e[i].data);
	e[2].data = 0x800000000000ULL;		/* LSTAR must be canonical */
	CHECK_ERR(minivm_set_msrs(v.vcpu, &e[2], 1, NULL), EINVAL);
	e[4].data = 1ULL << 32;			/* SFMASK's high half is reserved */
	CHECK_ERR(minivm_set_msrs(v.vcpu, &e[4], 1, NULL), EINVAL);

	sched_getaffinity(0, sizeof(before), &before);
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	CHECK(sched_setaffinity(0, sizeof(one), &one) == 0, "sched_setaffinity: %s",
	      strerror(errno));
	CHECK(syscall(SYS_arch_prctl, ARCH_SET_GS, mine) == 0, "ARCH_SET_GS: %s", strerror(errno));
	g.v = &v;
	CHECK(pthread_create(&t, NULL, syscall_guest_run, &g) == 0, "pthread_create");
	/* This thread inherits CPU 0: the two take turns there. */
	while (pthread_tryjoin_np(t, NULL) == EBUSY) {
		syscall(SYS_arch_prctl, ARCH_GET_GS, &gs);
		if (gs != mine)
			break;
		calls++;
		sched_yield();
	}
	if (gs != mine)
		pthread_join(t, NULL);
	CHECK(gs == mine, "this thread's GS base became %#lx after %d calls", gs, calls);
	CHECK(g.ok, "the guest did not run to its end");
	sched_setaffinity(0, sizeof(before), &before);

	/* What the guest wrote reads back; the host's are untouched. */
	CHECK_ERR(minivm_get_msrs(v.vcpu, e, 5, NULL), 0);
	CHECK(e[0].data == 0, "KERNEL_GS_BASE %#llx after SWAPGS, want 0",
	      (unsigned long long)e[0].data);
	CHECK(e[1].data == 0x0010000800000000ULL, "STAR %#llx", (unsigned long long)e[1].data);
	CHECK(e[2].data == guest_addr(g_syscall64, g_syscall64_handler), "LSTAR %#llx",
	      (unsigned long long)e[2].data);
	CHECK(e[4].data == 0x200, "SFMASK %#llx", (unsigned long long)e[4].data);
	vm_close(&v);
}

static uint64_t host_tsc(void)
{
	uint32_t lo, hi;

	asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static uint64_t guest_tsc(int vcpu)
{
	struct minivm_msr_entry e = { .index = 0x10 };

	CHECK_ERR(minivm_get_msrs(vcpu, &e, 1, NULL), 0);
	return e.data;
}

/*
 * The guest's TSC counts from 0 at the VM's creation with one offset for
 * every vCPU (two read in turn differ by no more than the host's TSC moved
 * meanwhile), and a write moves one vCPU's TSC, counted in its TSC_ADJUST,
 * which can be written too, as on hardware. RDTSC in the guest reads it.
 */
static void tsc_counts_from_creation_and_is_writable(void)
{
	struct minivm_msr_entry e[2] = { { .index = 0x10, .data = 1ULL << 40 },
					 { .index = 0x3b } };
	uint64_t created = host_tsc(), before, t0, t1, after, adjust, khz = 0;
	struct minivm_run *run1;
	int vcpu1;
	struct vm v;

	vm_start(&v, g_rdtsc16, g_rdtsc16_end);
	CHECK_ERR(minivm_check_cap(v.sys, MINIVM_CAP_TSC_KHZ, &khz), 0);
	/* Bochs's TSC runs at its instructions-per-second setting: 50 MHz in the lab. */
	CHECK(khz >= 1000, "MINIVM_CAP_TSC_KHZ %llu", (unsigned long long)khz);
	vcpu1 = minivm_create_vcpu(v.fd, 1, &run1);
	CHECK(vcpu1 >= 0, "CREATE_VCPU 1: %s", strerror(-vcpu1));
	before = host_tsc();
	t0 = guest_tsc(v.vcpu);
	t1 = guest_tsc(vcpu1);
	after = host_tsc();
	CHECK(t0 <= after - created, "TSC %llu, %llu host ticks since creation",
	      (unsigned long long)t0, (unsigned long long)(after - created));
	CHECK(t1 >= t0 && t1 - t0 <= after - before, "vCPU 1 at %llu, vCPU 0 at %llu",
	      (unsigned long long)t1, (unsigned long long)t0);

	CHECK_ERR(minivm_set_msrs(v.vcpu, e, 1, NULL), 0);
	before = host_tsc();
	CHECK_ERR(minivm_get_msrs(v.vcpu, e, 2, NULL), 0);
	after = host_tsc();
	adjust = e[1].data;
	CHECK(e[0].data >= 1ULL << 40, "TSC %#llx after writing 1 << 40",
	      (unsigned long long)e[0].data);
	CHECK(adjust > (1ULL << 40) - (after - created) && adjust <= 1ULL << 40,
	      "TSC_ADJUST %#llx", (unsigned long long)adjust);
	CHECK(guest_tsc(vcpu1) < 1ULL << 40, "vCPU 1 moved with vCPU 0");
	if (expect_io(&v, 0x10, 4, MINIVM_IO_OUT, ANY)) {
		uint64_t lo = v.run->io.data;

		if (expect_io(&v, 0x11, 4, MINIVM_IO_OUT, ANY))
			CHECK((v.run->io.data << 32 | lo) >= 1ULL << 40, "RDTSC %#llx",
			      (unsigned long long)(v.run->io.data << 32 | lo));
	}
	/* TSC_ADJUST written: the TSC moves by the difference. */
	t1 = guest_tsc(vcpu1);
	e[1].data = 1000000;
	CHECK_ERR(minivm_set_msrs(vcpu1, &e[1], 1, NULL), 0);
	CHECK(guest_tsc(vcpu1) >= t1 + 1000000, "TSC_ADJUST write did not move the TSC");
	close(vcpu1);
	munmap(run1, (size_t)sysconf(_SC_PAGESIZE));
	vm_close(&v);
}

struct runner {
	int vcpu, ret;
	uint32_t reason;
	struct minivm_run *run;
};

static void *run_once(void *arg)
{
	struct runner *r = arg;

	r->ret = minivm_run(r->vcpu);
	r->reason = r->run->exit_reason;
	return NULL;
}

/* Two vCPUs of one VM fault in disjoint halves of RAM at the same time. */
static void two_vcpus_run_at_once(void)
{
	struct runner r[2];
	struct minivm_regs regs = { .rip = CODE_GPA, .rflags = 2 };
	struct minivm_sregs sregs;
	pthread_t t[2];
	unsigned int seg, bad = 0;
	struct vm v;
	int i;

	vm_start(&v, g_touch_range, g_touch_range_end);
	r[0] = (struct runner){ .vcpu = v.vcpu, .run = v.run };
	r[1].vcpu = minivm_create_vcpu(v.fd, 1, &r[1].run);
	CHECK(r[1].vcpu >= 0, "vCPU 1: %s", strerror(-r[1].vcpu));
	minivm_get_sregs(v.vcpu, &sregs);
	CHECK(minivm_set_sregs(r[1].vcpu, &sregs) == 0, "vCPU 1 sregs");
	for (i = 0; i < 2; i++) {
		regs.rbx = 0x1000 + i * 0x4000;
		regs.rcx = regs.rbx + 0x4000;
		CHECK(minivm_set_regs(r[i].vcpu, &regs) == 0, "vCPU %d regs", i);
	}
	for (i = 0; i < 2; i++)
		pthread_create(&t[i], NULL, run_once, &r[i]);
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		CHECK(r[i].ret == 0 && r[i].reason == MINIVM_EXIT_HLT, "vCPU %d: RUN %d, exit %s",
		      i, r[i].ret, minivm_exit_reason_name(r[i].reason));
	}
	for (seg = 0x1000; seg < 0x9000; seg += 0x100) {
		uint16_t got;

		memcpy(&got, v.mem + seg * 16, 2);
		bad += got != seg;
	}
	CHECK(bad == 0, "%u of 128 pages do not hold what the vCPUs wrote", bad);
	munmap(r[1].run, (size_t)sysconf(_SC_PAGESIZE));
	close(r[1].vcpu);
	vm_close(&v);
}

static void memory_region_validation(void)
{
	uint8_t *m = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct minivm_memory_region r;
	uint64_t slots = 0;
	struct vm v = { 0 };

	vm_open(&v);
	minivm_check_cap(v.sys, MINIVM_CAP_MAX_MEMORY_REGIONS, &slots);
	CHECK(slots >= 8, "only %llu region slots", (unsigned long long)slots);
	CHECK_ERR(minivm_set_memory_region(v.fd, slots, 0, 0, 4096, m), EINVAL);
	CHECK_ERR(minivm_set_memory_region(v.fd, 0, 2, 0, 4096, m), EINVAL);
	CHECK_ERR(minivm_set_memory_region(v.fd, 0, 0, 0x800, 4096, m), EINVAL);
	CHECK_ERR(minivm_set_memory_region(v.fd, 0, 0, 0, 100, m), EINVAL);
	CHECK_ERR(minivm_set_memory_region(v.fd, 0, 0, 0, 4096, m + 1), EINVAL);
	CHECK_ERR(minivm_set_memory_region(v.fd, 0, 0, 1ULL << 48, 4096, m), EINVAL);
	CHECK_ERR(minivm_set_memory_region(v.fd, 0, 0, ~0ULL & ~4095ULL, 8192, m), EINVAL);
	CHECK_ERR(minivm_set_memory_region(v.fd, 0, 0, 0, 4096, (void *)(~0UL & ~4095UL)), EINVAL);
	CHECK_ERR(minivm_set_memory_region(v.fd, 0, 0, 0, 0, m), ENOENT);
	CHECK_ERR(minivm_set_memory_region(v.fd, 0, 0, 0x10000, 2 * 4096, m), 0);
	CHECK_ERR(minivm_set_memory_region(v.fd, 0, 0, 0x20000, 4096, m), EEXIST);
	CHECK_ERR(minivm_set_memory_region(v.fd, 1, 0, 0x11000, 4096, m + 8192), EEXIST);
	CHECK_ERR(minivm_set_memory_region(v.fd, 1, 0, 0xf000, 8192, m + 8192), EEXIST);
	CHECK_ERR(minivm_set_memory_region(v.fd, 1, 0, 0x12000, 4096, m + 8192), 0);
	CHECK_ERR(minivm_set_memory_region(v.fd, 1, 0, 0, 0, NULL), 0);
	memset(&r, 0, sizeof(r));
	CHECK_ERR(ioctl(v.fd, MINIVM_SET_MEMORY_REGION, (void *)8) < 0 ? -errno : 0, EFAULT);
	vm_close(&v);
	munmap(m, 3 * 4096);
}

static void create_vcpu_validation(void)
{
	struct minivm_create_vcpu c;
	struct minivm_run *run;
	uint64_t max = 0;
	struct vm v = { 0 };
	int fd;

	vm_open(&v);
	minivm_check_cap(v.sys, MINIVM_CAP_MAX_VCPUS, &max);
	CHECK(max >= 1, "MAX_VCPUS is %llu", (unsigned long long)max);
	CHECK_ERR(minivm_create_vcpu(v.fd, max, &run), EINVAL);
	memset(&c, 0, sizeof(c));
	c.flags = 1;
	CHECK_ERR(ioctl(v.fd, MINIVM_CREATE_VCPU, &c) < 0 ? -errno : 0, EINVAL);
	c.flags = 0;
	c.reserved[2] = 1;
	CHECK_ERR(ioctl(v.fd, MINIVM_CREATE_VCPU, &c) < 0 ? -errno : 0, EINVAL);
	fd = minivm_create_vcpu(v.fd, max - 1, &run);
	CHECK(fd >= 0, "vCPU %llu: %s", (unsigned long long)max - 1, strerror(-fd));
	CHECK_ERR(minivm_create_vcpu(v.fd, max - 1, &run), EEXIST);
	/* The run page is one page at offset 0, nothing else. */
	CHECK(mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0) == MAP_FAILED && errno == EINVAL,
	      "a two-page mmap of the vCPU was accepted");
	CHECK(mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 4096) == MAP_FAILED && errno == EINVAL,
	      "an mmap at offset 4096 was accepted");
	/* Closing the VM first: the vCPU keeps it alive and still answers. */
	close(v.fd);
	v.fd = -1;
	CHECK_ERR(minivm_get_regs(fd, &(struct minivm_regs){ 0 }), 0);
	v.vcpu = fd;
	vm_close(&v);
}

static void register_validation(void)
{
	struct minivm_sregs sregs, back;
	struct minivm_regs regs;
	struct vm v;

	vm_start(&v, g_spin, g_spin_end);
	minivm_get_regs(v.vcpu, &regs);
	regs.rflags = 0;
	CHECK_ERR(minivm_set_regs(v.vcpu, &regs), EINVAL);
	regs.rflags = 2 | (1 << 17);	/* VM */
	CHECK_ERR(minivm_set_regs(v.vcpu, &regs), EINVAL);
	regs.rflags = 2 | (1ULL << 40);
	CHECK_ERR(minivm_set_regs(v.vcpu, &regs), EINVAL);
	regs.rflags = 0x202;
	regs.r13 = 0x1313;
	CHECK_ERR(minivm_set_regs(v.vcpu, &regs), 0);
	memset(&regs, 0, sizeof(regs));
	minivm_get_regs(v.vcpu, &regs);
	CHECK(regs.r13 == 0x1313 && regs.rflags == 0x202, "registers did not round-trip");

	minivm_get_sregs(v.vcpu, &sregs);
	back = sregs;
	back.reserved[0] = 1;
	CHECK_ERR(minivm_set_sregs(v.vcpu, &back), EINVAL);
	back = sregs;
	back.cr4 |= 1 << 13;	/* VMXE */
	CHECK_ERR(minivm_set_sregs(v.vcpu, &back), EINVAL);
	back = sregs;
	back.efer |= 1 << 12;	/* SVME */
	CHECK_ERR(minivm_set_sregs(v.vcpu, &back), EINVAL);
	back = sregs;
	back.ds.attrib |= 0x1000;
	CHECK_ERR(minivm_set_sregs(v.vcpu, &back), EINVAL);
	back = sregs;
	back.gdt.reserved[1] = 1;
	CHECK_ERR(minivm_set_sregs(v.vcpu, &back), EINVAL);
	back = sregs;
	back.cr0 |= 1U << 3 | 1U << 16;	/* TS, WP: allowed */
	CHECK_ERR(minivm_set_sregs(v.vcpu, &back), 0);
	CHECK_ERR(ioctl(v.vcpu, MINIVM_RUN, 1) < 0 ? -errno : 0, EINVAL);
	CHECK_ERR(ioctl(v.vcpu, MINIVM_GET_REGS, (void *)8) < 0 ? -errno : 0, EFAULT);
	CHECK_ERR(ioctl(v.vcpu, _IO(MINIVM_IOCTL_TYPE, 0x2f)) < 0 ? -errno : 0, ENOTTY);
	vm_close(&v);
}

static void vcpu_refused_in_another_process(void)
{
	struct vm v;
	pid_t pid;
	int status = -1;

	vm_start(&v, g_spin, g_spin_end);
	pid = fork();
	if (pid == 0) {
		struct minivm_regs regs;

		_exit(minivm_run(v.vcpu) == -EIO && minivm_get_regs(v.vcpu, &regs) == -EIO &&
		      minivm_set_memory_region(v.fd, 1, 0, 0x200000, 4096, v.mem) == -EIO ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the child could use the vCPU");
	vm_close(&v);
}

/*
 * minivm-run-test VENDOR workload: run g_workload and print what it did,
 * for the lab's tracing tests to hold the tools' reports against.
 */
static int workload(void)
{
	struct itimerval t = { .it_value = { .tv_usec = 200000 } };
	unsigned int outs = 0, hlts = 0;
	struct vm v;
	int ret;

	signal(SIGALRM, on_alarm);
	vm_start(&v, g_workload, g_workload_end);
	for (;;) {
		ret = minivm_run(v.vcpu);
		if (ret)
			break;
		if (v.run->exit_reason == MINIVM_EXIT_IO)
			outs++;
		else if (v.run->exit_reason == MINIVM_EXIT_HLT && !hlts++)
			setitimer(ITIMER_REAL, &t, NULL);	/* let the spin start */
		else
			break;
	}
	printf("workload pid %d vm %llu cpuid %d rdmsr %d out %u hlt %u faults %d\n",
	       (int)getpid(), (unsigned long long)v.id, WORKLOAD_CPUID, WORKLOAD_RDMSR, outs,
	       hlts, WORKLOAD_PAGES + 1);
	if (ret != -EINTR || outs != WORKLOAD_OUT || hlts != 1) {
		printf("# workload ended with %d (%s), exit %s\n", ret, strerror(-ret),
		       exit_str(v.run));
		return 1;
	}
	vm_close(&v);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3 || (strcmp(argv[1], "amd") && strcmp(argv[1], "intel")) ||
	    (argc == 3 && strcmp(argv[2], "workload"))) {
		fprintf(stderr, "usage: minivm-run-test amd|intel [workload]\n");
		return 2;
	}
	want_vendor = !strcmp(argv[1], "amd") ? MINIVM_VENDOR_AMD_SVM : MINIVM_VENDOR_INTEL_VMX;
	if (argc == 3)
		return workload();
	ktap_plan("minivm-run", 35);
	KTAP_RUN(port_io_exits_reach_userspace);
	KTAP_RUN(cpuid_is_handled_in_kernel);
	KTAP_RUN(unclaimed_ports_are_finished_in_kernel);
	KTAP_RUN(cpuid_answers_match_the_host);
	KTAP_RUN(hypercall_is_handled_in_kernel);
	KTAP_RUN(mmio_outside_regions_exits);
	KTAP_RUN(read_only_region_traps_writes);
	KTAP_RUN(first_touch_maps_host_pages);
	KTAP_RUN(host_dontneed_reaches_guest);
	KTAP_RUN(host_truncate_reaches_guest);
	KTAP_RUN(unmapped_backing_is_a_memory_error);
	KTAP_RUN(signal_interrupts_run);
	KTAP_RUN(triple_fault_is_shutdown);
	KTAP_RUN(paravirtual_clock_tells_the_tsc_rate);
	KTAP_RUN(xsetbv_leaves_the_hosts_xcr0);
	KTAP_RUN(protected_mode_runs);
	KTAP_RUN(long_mode_runs);
	KTAP_RUN(string_io_moves_each_element);
	KTAP_RUN(run_header_reports_event_state);
	KTAP_RUN(immediate_exit_ends_run_before_entry);
	KTAP_RUN(pae_paging_outside_long_mode);
	KTAP_RUN(huge_page_backing_maps_2m);
	KTAP_RUN(guest_fpu_state_is_kept);
	KTAP_RUN(guest_fpu_survives_preemption);
	KTAP_RUN(vcpu_follows_its_thread_across_cpus);
	KTAP_RUN(fds_close_while_vcpu_runs);
	KTAP_RUN(msrs_round_trip_and_refuse);
	KTAP_RUN(syscall_msrs_are_the_guests);
	KTAP_RUN(tsc_aux_is_the_guests);
	KTAP_RUN(tsc_counts_from_creation_and_is_writable);
	KTAP_RUN(two_vcpus_run_at_once);
	KTAP_RUN(memory_region_validation);
	KTAP_RUN(create_vcpu_validation);
	KTAP_RUN(register_validation);
	KTAP_RUN(vcpu_refused_in_another_process);
	return ktap_failed ? 1 : 0;
}
