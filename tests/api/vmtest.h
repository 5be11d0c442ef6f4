/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the lab's guest tests share (minivm-run-test, minivm-hostile-test):
 * guests assembled into the test binary, a VM with 1 MiB of RAM and one
 * vCPU to run them in, and checks of the exits they make. Header-only, as
 * ktap.h is: each test program is one file.
 */
#ifndef MINIVM_VMTEST_H
#define MINIVM_VMTEST_H

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#include "libminivm.h"
#include "ktap.h"

/* Guest code, assembled here and copied to CODE_GPA. */
#define GUEST(name, mode, body)						\
	extern const unsigned char name[], name##_end[];		\
	asm(".pushsection .rodata\n" #name ":\n" mode "\n" body "\n"	\
	    ".code64\n" #name "_end:\n.popsection\n")

#define MEM_SIZE	(1UL << 20)
#define CODE_GPA	0x1000
#define ROM_GPA		0x20000

static uint64_t want_vendor;
/* MINIVM_VM_* flags vm_open() creates its VMs with. */
static uint32_t vm_flags;

struct vm {
	uint64_t id;
	int sys, fd, vcpu;
	struct minivm_run *run;
	uint8_t *mem;
};

static inline void vm_open(struct vm *v)
{
	v->sys = minivm_open();
	if (v->sys < 0) {
		printf("# cannot open %s: %s\n", MINIVM_DEVICE, strerror(-v->sys));
		exit(1);
	}
	v->fd = minivm_create_vm_flags(v->sys, vm_flags, &v->id);
	CHECK(v->fd >= 0, "CREATE_VM: %s", strerror(-v->fd));
}

/* A VM with 1 MiB of RAM at 0, @code at CODE_GPA and one vCPU in real mode. */
static inline void vm_start(struct vm *v, const unsigned char *code, const unsigned char *end)
{
	struct minivm_sregs sregs;
	struct minivm_regs regs = { .rip = CODE_GPA, .rsp = 0x8000, .rflags = 2 };
	int ret;

	vm_open(v);
	v->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(v->mem != MAP_FAILED, "mmap: %s", strerror(errno));
	ret = minivm_set_memory_region(v->fd, 0, 0, 0, MEM_SIZE, v->mem);
	CHECK(ret == 0, "SET_MEMORY_REGION: %s", strerror(-ret));
	memcpy(v->mem + CODE_GPA, code, (size_t)(end - code));
	v->vcpu = minivm_create_vcpu(v->fd, 0, &v->run);
	CHECK(v->vcpu >= 0, "CREATE_VCPU: %s", strerror(-v->vcpu));
	ret = minivm_get_sregs(v->vcpu, &sregs);
	CHECK(ret == 0, "GET_SREGS: %s", strerror(-ret));
	CHECK(sregs.cs.selector == 0xf000 && sregs.cs.base == 0xffff0000,
	      "reset CS %#x base %#llx", sregs.cs.selector, (unsigned long long)sregs.cs.base);
	sregs.cs.selector = 0;
	sregs.cs.base = 0;
	ret = minivm_set_sregs(v->vcpu, &sregs);
	CHECK(ret == 0, "SET_SREGS: %s", strerror(-ret));
	ret = minivm_set_regs(v->vcpu, &regs);
	CHECK(ret == 0, "SET_REGS: %s", strerror(-ret));
}

static inline void vm_close(struct vm *v)
{
	if (v->run)
		munmap(v->run, (size_t)sysconf(_SC_PAGESIZE));
	if (v->mem)
		munmap(v->mem, MEM_SIZE);
	close(v->vcpu);
	close(v->fd);
	close(v->sys);
	memset(v, 0, sizeof(*v));
}

static inline const char *exit_str(const struct minivm_run *run)
{
	static char buf[160];

	snprintf(buf, sizeof(buf), "%s (hw %#llx qual %#llx info %#llx rip %#llx)",
		 minivm_exit_reason_name(run->exit_reason), (unsigned long long)run->hw_reason,
		 (unsigned long long)run->hw.qualification, (unsigned long long)run->hw.info,
		 (unsigned long long)run->hw.rip);
	return buf;
}

static inline void dump_segment(const char *name, const struct minivm_segment *g)
{
	printf("    # %s sel %#x base %#llx limit %#x attrib %#x\n", name, g->selector,
	       (unsigned long long)g->base, g->limit, g->attrib);
}

/* The vCPU's registers as TAP comments: what a failed case saw, for the log. */
static inline void dump_vcpu(const struct vm *v)
{
	struct minivm_sregs s;
	struct minivm_regs r;

	if (minivm_get_regs(v->vcpu, &r) || minivm_get_sregs(v->vcpu, &s)) {
		printf("    # registers unreadable\n");
		return;
	}
	printf("    # rip %#llx rsp %#llx rflags %#llx rax %#llx rbx %#llx rcx %#llx rdx %#llx\n",
	       (unsigned long long)r.rip, (unsigned long long)r.rsp,
	       (unsigned long long)r.rflags, (unsigned long long)r.rax,
	       (unsigned long long)r.rbx, (unsigned long long)r.rcx, (unsigned long long)r.rdx);
	printf("    # rsi %#llx rdi %#llx rbp %#llx r8 %#llx r15 %#llx\n",
	       (unsigned long long)r.rsi, (unsigned long long)r.rdi, (unsigned long long)r.rbp,
	       (unsigned long long)r.r8, (unsigned long long)r.r15);
	dump_segment("cs", &s.cs);
	dump_segment("ss", &s.ss);
	dump_segment("ds", &s.ds);
	dump_segment("tr", &s.tr);
	printf("    # gdt %#llx/%#x idt %#llx/%#x cr0 %#llx cr2 %#llx cr3 %#llx cr4 %#llx efer %#llx\n",
	       (unsigned long long)s.gdt.base, s.gdt.limit, (unsigned long long)s.idt.base,
	       s.idt.limit, (unsigned long long)s.cr0, (unsigned long long)s.cr2,
	       (unsigned long long)s.cr3, (unsigned long long)s.cr4, (unsigned long long)s.efer);
}

/* Run until the next exit; check that it is @reason. */
static inline int run_expect(struct vm *v, uint32_t reason)
{
	int ret = minivm_run(v->vcpu);

	CHECK(ret == 0, "RUN: %s", strerror(-ret));
	CHECK(v->run->exit_reason == reason, "exit %s, want %s", exit_str(v->run),
	      minivm_exit_reason_name(reason));
	return ret == 0 && v->run->exit_reason == reason;
}

#define ANY	(~0ULL)	/* expect_io(): any data */

static inline int expect_io(struct vm *v, uint16_t port, uint8_t size, uint8_t dir, uint64_t data)
{
	if (!run_expect(v, MINIVM_EXIT_IO))
		return 0;
	CHECK(v->run->io.port == port && v->run->io.size == size && v->run->io.direction == dir,
	      "io port %#x size %u dir %u, want %#x %u %u", v->run->io.port, v->run->io.size,
	      v->run->io.direction, port, size, dir);
	if (dir == MINIVM_IO_OUT && data != ANY)
		CHECK(v->run->io.data == data, "out data %#llx, want %#llx",
		      (unsigned long long)v->run->io.data, (unsigned long long)data);
	return 1;
}

static inline void on_alarm(int sig)
{
	(void)sig;
}

#ifdef _GNU_SOURCE
#include <sched.h>
/* The calling thread may run on every CPU again, after a test pinned it. */
static inline void run_on_all_cpus(void)
{
	long i, n = sysconf(_SC_NPROCESSORS_CONF);
	cpu_set_t all;

	CPU_ZERO(&all);
	for (i = 0; i < n && i < CPU_SETSIZE; i++)
		CPU_SET(i, &all);
	sched_setaffinity(0, sizeof(all), &all);
}
#endif

static const struct minivm_segment flat32_code = { .limit = 0xffffffff, .selector = 8,
	.attrib = 0xb | MINIVM_SEG_S | MINIVM_SEG_P | MINIVM_SEG_DB | MINIVM_SEG_G };
static const struct minivm_segment flat_data = { .limit = 0xffffffff, .selector = 16,
	.attrib = 0x3 | MINIVM_SEG_S | MINIVM_SEG_P | MINIVM_SEG_DB | MINIVM_SEG_G };
static const struct minivm_segment tss = { .limit = 0x67, .selector = 24,
	.attrib = 0xb | MINIVM_SEG_P };

static inline void set_flat(struct minivm_sregs *s, struct minivm_segment cs)
{
	s->cs = cs;
	s->ds = s->es = s->fs = s->gs = s->ss = flat_data;
	s->tr = tss;
	s->ldt.attrib = 0;	/* unusable */
	s->ldt.selector = 0;
}

static inline void to_protected_mode(struct vm *v, uint64_t cr4)
{
	struct minivm_sregs sregs;

	minivm_get_sregs(v->vcpu, &sregs);
	set_flat(&sregs, flat32_code);
	sregs.cr0 = 0x11;	/* PE | ET */
	sregs.cr4 = cr4;
	CHECK(minivm_set_sregs(v->vcpu, &sregs) == 0, "SET_SREGS");
}

/* Guest memory of the cases in protected mode with a real GDT, IDT and TSS. */
#define GDT_GPA		0x500
#define IDT_GPA		0x7000
#define TSS_GPA		0x7800
#define STACK_TOP	0x9000	/* ring-0 stack (TSS.ESP0 / IST1) */

/* Selectors of the GDT to_protected_ring() builds. */
#define SEL_CODE0	0x08
#define SEL_DATA0	0x10
#define SEL_CODE3	0x1b
#define SEL_DATA3	0x23
#define SEL_TSS		0x28

static inline void put64(struct vm *v, uint64_t gpa, uint64_t val)
{
	memcpy(v->mem + gpa, &val, sizeof(val));
}

static inline void put32(struct vm *v, uint64_t gpa, uint32_t val)
{
	memcpy(v->mem + gpa, &val, sizeof(val));
}

static inline uint64_t guest_addr(const unsigned char *start, const unsigned char *sym)
{
	return CODE_GPA + (uint64_t)(sym - start);
}

/* A real-mode interrupt vector (segment 0) to @handler in the code at @start. */
static inline void ivt(struct vm *v, unsigned int vector, const unsigned char *start,
		       const unsigned char *handler)
{
	put32(v, vector * 4, (uint32_t)guest_addr(start, handler));
}

/* A 32-bit interrupt gate to @handler in ring 0's code segment. */
static inline void idt32_gate(struct vm *v, unsigned int vector, uint64_t handler)
{
	put64(v, IDT_GPA + vector * 8, (handler & 0xffff) | (uint64_t)SEL_CODE0 << 16 |
	      (uint64_t)0x8e00 << 32 | (handler >> 16) << 48);
}

/*
 * Flat 32-bit protected mode at ring 0 (or ring 3) with a real GDT, an IDT
 * and a TSS whose ring-0 stack is STACK_TOP, so exceptions are delivered.
 */
static inline void to_protected_ring(struct vm *v, int ring)
{
	struct minivm_segment code = flat32_code, data = flat_data;
	struct minivm_sregs s;

	put64(v, GDT_GPA + 0x08, 0x00cf9a000000ffffULL);
	put64(v, GDT_GPA + 0x10, 0x00cf92000000ffffULL);
	put64(v, GDT_GPA + 0x18, 0x00cffa000000ffffULL);
	put64(v, GDT_GPA + 0x20, 0x00cff2000000ffffULL);
	put64(v, GDT_GPA + 0x28, 0x00008b0000000067ULL | (uint64_t)TSS_GPA << 16);
	put32(v, TSS_GPA + 4, STACK_TOP);	/* ESP0 */
	put32(v, TSS_GPA + 8, SEL_DATA0);	/* SS0 */
	minivm_get_sregs(v->vcpu, &s);
	if (ring == 3) {
		code.selector = SEL_CODE3;
		code.attrib |= 3 << MINIVM_SEG_DPL_SHIFT;
		data.selector = SEL_DATA3;
		data.attrib |= 3 << MINIVM_SEG_DPL_SHIFT;
	}
	s.cs = code;
	s.ds = s.es = s.fs = s.gs = s.ss = data;
	s.tr = (struct minivm_segment){ .base = TSS_GPA, .limit = 0x67, .selector = SEL_TSS,
					.attrib = 0xb | MINIVM_SEG_P };
	s.ldt = (struct minivm_segment){ 0 };
	s.gdt = (struct minivm_dtable){ .base = GDT_GPA, .limit = 0x2f };
	s.idt = (struct minivm_dtable){ .base = IDT_GPA, .limit = 0xff };
	s.cr0 = 0x11;	/* PE | ET */
	CHECK_ERR(minivm_set_sregs(v->vcpu, &s), 0);
}

/* 64-bit mode, the first 2 MiB identity-mapped by one large page (tables at 0x4000-0x6fff). */
static inline void to_long_mode(struct vm *v)
{
	struct minivm_segment code64 = flat32_code;
	struct minivm_sregs sregs;

	put64(v, 0x4000, 0x5000 | 3);	/* PML4[0] */
	put64(v, 0x5000, 0x6000 | 3);	/* PDPT[0] */
	put64(v, 0x6000, 0x83);		/* PD[0]: 2 MiB, writable, present */
	minivm_get_sregs(v->vcpu, &sregs);
	code64.attrib = (code64.attrib & ~MINIVM_SEG_DB) | MINIVM_SEG_L;
	set_flat(&sregs, code64);
	sregs.cr3 = 0x4000;
	sregs.cr4 = 0x20;	/* PAE */
	sregs.efer = 0x500;	/* LME | LMA */
	sregs.cr0 = 0x80000011;	/* PG | PE | ET */
	CHECK(minivm_set_sregs(v->vcpu, &sregs) == 0, "SET_SREGS");
}
#endif /* MINIVM_VMTEST_H */
