// SPDX-License-Identifier: GPL-2.0
/*
 * minivm-corpus: guests written to misuse the CPU, each of which must end
 * with its documented exit (or be interrupted by a signal when it would run
 * forever) and leave the host as it was: random bytes as code in real,
 * protected and long mode, and crafted sequences (VMX and SVM instructions,
 * RDMSR/WRMSR of random MSRs, XSETBV of bad values, cli; hlt, a triple
 * fault, #UD and #BP storms, I/O to every port, junk in CR0/CR3/CR4,
 * LGDT/LIDT of junk, debug registers with reserved bits, endless loops),
 * and the in-kernel local APIC misused (a timer of one tick, a self-IPI
 * flood, INIT sent to itself, junk in every register).
 *
 * Each case runs in a child process that the parent kills if it has not
 * finished in time, so a RUN that never returns fails its case instead of
 * hanging the list; the lab scans the console for kernel reports. KTAP.
 *
 *   minivm-corpus amd|intel [random-seeds]
 *
 * random-seeds (default 16) random guests per CPU mode; 0 reports the four
 * random-code cases as skipped.
 */
#define _GNU_SOURCE
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/ioctl.h>
#include "vmtest.h"
#include "labemu.h"

/* How many exit reasons the ABI has: counted from its one list. */
enum {
#define MINIVM_RUN_EXIT(name, words) RUN_EXIT_##name,
#include <linux/minivm_exits.h>
	NR_RUN_EXITS
};

/* Outcomes a case may end with, as a mask of exit reasons. */
#define W(reason)	(1U << (reason))
#define END_HLT		W(MINIVM_EXIT_HLT)
#define END_SHUTDOWN	W(MINIVM_EXIT_SHUTDOWN)
#define END_INTR	W(MINIVM_EXIT_INTR)
#define END_FAIL	W(MINIVM_EXIT_FAIL_ENTRY)
#define END_ANY		(~(W(MINIVM_EXIT_NONE) | W(MINIVM_EXIT_IO)))

#define CASE_SECONDS	120	/* the parent's bound on one case (Bochs is slow) */
#define RUN_MS		200	/* a case that runs forever is interrupted after this */

enum mode { REAL, PROT, PROT_IDT, LONG };

struct outcome {
	uint32_t exit;		/* last exit reason; MINIVM_EXIT_INTR if interrupted */
	unsigned long ios;	/* port I/O exits on the way */
	uint32_t last_port;
	uint64_t last_data;
	int bad_port;		/* an OUT to a port out of the expected order */
};

/*
 * Run until the guest ends: port I/O is answered (IN gives all ones) and run
 * again; an MMIO exit ends the case (no device model here). A one-shot timer
 * interrupts a guest that never ends.
 */
static void run_to_end(struct vm *v, struct outcome *o, int ports_in_order)
{
	struct itimerval it = { .it_value.tv_usec = RUN_MS * 1000 };
	int ret;

	memset(o, 0, sizeof(*o));
	signal(SIGALRM, on_alarm);
	setitimer(ITIMER_REAL, &it, NULL);
	for (;;) {
		ret = minivm_run(v->vcpu);
		if (ret == -EINTR) {
			o->exit = MINIVM_EXIT_INTR;
			break;
		}
		CHECK(ret == 0 || ret == -EFAULT, "RUN: %s", strerror(-ret));
		if (ret && ret != -EFAULT)
			break;
		o->exit = v->run->exit_reason;
		CHECK(o->exit != MINIVM_EXIT_NONE && o->exit < NR_RUN_EXITS,
		      "exit reason %u is not in the ABI", o->exit);
		if (o->exit != MINIVM_EXIT_IO)
			break;
		if (ports_in_order && v->run->io.port != (uint16_t)o->ios)
			o->bad_port = 1;
		o->ios++;
		o->last_port = v->run->io.port;
		o->last_data = v->run->io.data;
		if (v->run->io.direction == MINIVM_IO_IN)
			v->run->io.data = ~0ULL;
	}
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
}

static void enter_mode(struct vm *v, enum mode mode)
{
	struct minivm_sregs s;

	switch (mode) {
	case REAL:
		return;
	case PROT:
	case PROT_IDT:
		to_protected_ring(v, 0);
		break;
	case LONG:
		to_long_mode(v);
		break;
	}
	if (mode != PROT_IDT) {
		/* No IDT: any exception is a triple fault, a documented end. */
		minivm_get_sregs(v->vcpu, &s);
		s.idt.limit = 0;
		CHECK_ERR(minivm_set_sregs(v->vcpu, &s), 0);
	}
}

static void set_regs(struct vm *v, uint64_t rax, uint64_t rcx, uint64_t rdx)
{
	struct minivm_regs r;

	minivm_get_regs(v->vcpu, &r);
	r.rax = rax;
	r.rcx = rcx;
	r.rdx = rdx;
	CHECK_ERR(minivm_set_regs(v->vcpu, &r), 0);
}

static const char *end_name(uint32_t exit)
{
	return minivm_exit_reason_name(exit);
}

/* Run @code in @mode; the end must be one of @want. Returns the outcome. */
static struct outcome run_code(const unsigned char *code, const unsigned char *end,
			       enum mode mode, uint32_t want, const char *what)
{
	struct outcome o;
	struct vm v;

	vm_start(&v, code, end);
	enter_mode(&v, mode);
	run_to_end(&v, &o, 0);
	CHECK(want & W(o.exit), "%s ended with %s (%s)", what, end_name(o.exit), exit_str(v.run));
	vm_close(&v);
	return o;
}

/* --- the crafted guests ------------------------------------------------- */

GUEST(g_cli_hlt, ".code16", "cli\n hlt");
GUEST(g_int3, ".code32", "int3\n hlt");

/* Exception storms: the handler raises the same exception again, forever. */
GUEST(g_ud_storm, ".code32",
      "ud2\n .globl g_ud_storm_handler\n g_ud_storm_handler: mov $0x9000, %esp\n ud2");
extern const unsigned char g_ud_storm_handler[];
GUEST(g_bp_storm, ".code32",
      "int3\n .globl g_bp_storm_handler\n g_bp_storm_handler: mov $0x9000, %esp\n int3");
extern const unsigned char g_bp_storm_handler[];

/* Endless loops that must stay interruptible. */
GUEST(g_loop_cli, ".code32", "cli\n 1: jmp 1b");
GUEST(g_loop_pause, ".code32", "cli\n 1: pause\n jmp 1b");
GUEST(g_loop_long, ".code64", "cli\n 1: dec %rcx\n jmp 1b");
GUEST(g_loop_real, ".code16", "cli\n 1: jmp 1b");
/* Exits the kernel finishes and re-enters at once (vcpu.c's vcpu_reenter()). */
GUEST(g_loop_cpuid, ".code32", "cli\n 1: cpuid\n jmp 1b");
GUEST(g_loop_rdmsr, ".code32", "cli\n mov $0x1b, %ecx\n 1: rdmsr\n jmp 1b");

/* OUT to every port, in order, then HLT. */
GUEST(g_io_all, ".code32", "xor %edx, %edx\n 1: out %al, (%dx)\n inc %dx\n jnz 1b\n hlt");

/* Control registers: EAX goes to the register; then HLT. */
GUEST(g_mov_cr0, ".code32", "mov %eax, %cr0\n hlt");
GUEST(g_mov_cr3, ".code32", "mov %eax, %cr3\n hlt");
GUEST(g_mov_cr4, ".code32", "mov %eax, %cr4\n hlt");
GUEST(g_mov_cr3_64, ".code64", "mov %rax, %cr3\n hlt");
GUEST(g_mov_cr4_64, ".code64", "mov %rax, %cr4\n hlt");
GUEST(g_mov_cr8_64, ".code64", "mov %rax, %cr8\n hlt");

/* Descriptor tables from junk (at 0x3000, which the case fills), then used. */
GUEST(g_lgdt_junk, ".code32",
      "lgdt (0x3000)\n mov $0x10, %ax\n mov %ax, %ds\n ljmp $0x8, $1f\n 1: hlt");
GUEST(g_lidt_junk, ".code32", "lidt (0x3000)\n int $0x80\n hlt");

/* XSETBV of ECX/EDX:EAX with CR4.OSXSAVE set (the case sets it, or not). */
GUEST(g_xsetbv, ".code32", "xsetbv\n hlt");

/* Debug registers: RAX to DR6 and DR7 (bits 32-63 are reserved: #GP). */
GUEST(g_mov_dr7_64, ".code64", "mov %rax, %dr7\n hlt");
GUEST(g_mov_dr6_64, ".code64", "mov %rax, %dr6\n hlt");
/* DR7.GD: the next MOV DR raises #DB before it runs. */
GUEST(g_dr7_gd, ".code32", "mov $0x2000, %eax\n mov %eax, %dr7\n mov %dr0, %eax\n hlt");

/*
 * RDMSR and WRMSR (of the value read, and of it with every bit flipped) of
 * MSR indexes from a generator in the guest; a #GP handler skips the
 * instruction. EFER is left out in QEMU's lab (the emulator limit in
 * Documentation/lab.rst: EFER.LME with paging off takes QEMU's own CPU).
 * Ends with OUT of the number of #GPs to port 0x10, then HLT.
 */
GUEST(g_msr_walk, ".code32",
      "xor %edi, %edi\n mov $0x9000, %esp\n"
      "1: imul $1103515245, %ebx, %ebx\n add $12345, %ebx\n mov %ebx, %ecx\n"
      "test $0x100, %ebx\n jz 2f\n and $0x1fff, %ecx\n"	/* 0-0x1fff */
      "test $0x200, %ebx\n jz 2f\n or $0xc0000000, %ecx\n"	/* 0xc0000000-0xc0001fff */
      "test $0x400, %ebx\n jz 2f\n or $0x00010000, %ecx\n"	/* 0xc0010000-0xc0011fff */
      "2: cmp %esi, %ecx\n je 3f\n"				/* ESI: an MSR to leave out */
      "rdmsr\n wrmsr\n not %eax\n not %edx\n wrmsr\n"
      "3: dec %ebp\n jnz 1b\n mov %edi, %eax\n out %eax, $0x10\n hlt\n"
      ".globl g_msr_walk_gp\n g_msr_walk_gp: add $4, %esp\n addl $2, (%esp)\n inc %edi\n iret");
extern const unsigned char g_msr_walk_gp[];

/* Every VMX and SVM instruction, each as its own guest: "insn; hlt". */
struct insn {
	const char *name;
	unsigned char bytes[6];
	unsigned int len;
};

static const struct insn vendor_insns[] = {
	{ "vmxon", { 0xf3, 0x0f, 0xc7, 0x30 }, 4 },		/* vmxon (%eax) */
	{ "vmclear", { 0x66, 0x0f, 0xc7, 0x30 }, 4 },
	{ "vmptrld", { 0x0f, 0xc7, 0x30 }, 3 },
	{ "vmptrst", { 0x0f, 0xc7, 0x38 }, 3 },
	{ "vmread", { 0x0f, 0x78, 0xc1 }, 3 },
	{ "vmwrite", { 0x0f, 0x79, 0xc1 }, 3 },
	{ "vmlaunch", { 0x0f, 0x01, 0xc2 }, 3 },
	{ "vmresume", { 0x0f, 0x01, 0xc3 }, 3 },
	{ "vmxoff", { 0x0f, 0x01, 0xc4 }, 3 },
	{ "invept", { 0x66, 0x0f, 0x38, 0x80, 0x08 }, 5 },	/* invept (%eax), %ecx */
	{ "invvpid", { 0x66, 0x0f, 0x38, 0x81, 0x08 }, 5 },
	{ "vmfunc", { 0x0f, 0x01, 0xd4 }, 3 },
	{ "vmrun", { 0x0f, 0x01, 0xd8 }, 3 },
	{ "vmload", { 0x0f, 0x01, 0xda }, 3 },
	{ "vmsave", { 0x0f, 0x01, 0xdb }, 3 },
	{ "stgi", { 0x0f, 0x01, 0xdc }, 3 },
	{ "clgi", { 0x0f, 0x01, 0xdd }, 3 },
	{ "skinit", { 0x0f, 0x01, 0xde }, 3 },
	{ "invlpga", { 0x0f, 0x01, 0xdf }, 3 },
	{ "vmcall", { 0x0f, 0x01, 0xc1 }, 3 },
	{ "vmmcall", { 0x0f, 0x01, 0xd9 }, 3 },
};

static int amd;
static int in_qemu;	/* the lab's emulator: some limits are allowed for */

/* --- the in-kernel local APIC, misused ----------------------------------- */

/* Real mode: x2APIC on, software-enabled; the handlers EOI through the MSR. */
#define X2APIC_ON	"mov $0x1b, %ecx\n rdmsr\n or $0xc00, %eax\n wrmsr\n xor %edx, %edx\n" \
			"mov $0x80f, %ecx\n mov $0x1ff, %eax\n wrmsr\n"
#define X2APIC_EOI_IRET	"mov $0x80b, %ecx\n xor %eax, %eax\n xor %edx, %edx\n wrmsr\n iret"

/* A periodic timer of one tick at divide-by-1 (the module's floor applies). */
GUEST(g_timer_storm, ".code16", X2APIC_ON "mov $0x83e, %ecx\n mov $0xb, %eax\n wrmsr\n"
      "mov $0x832, %ecx\n mov $0x20040, %eax\n wrmsr\n mov $0x838, %ecx\n mov $1, %eax\n"
      "wrmsr\n sti\n 1: jmp 1b\n"
      ".globl g_timer_storm_isr\n g_timer_storm_isr: " X2APIC_EOI_IRET);
extern const unsigned char g_timer_storm_isr[];
/* Self-IPIs as fast as the guest can send them, each taken and EOIed. */
GUEST(g_ipi_flood, ".code16", X2APIC_ON "sti\n"
      "1: mov $0x83f, %ecx\n mov $0x41, %eax\n xor %edx, %edx\n wrmsr\n jmp 1b\n"
      ".globl g_ipi_flood_isr\n g_ipi_flood_isr: " X2APIC_EOI_IRET);
extern const unsigned char g_ipi_flood_isr[];
/*
 * INIT to itself: vCPU 0, the bootstrap CPU, starts over at the reset
 * vector (0xfffffff0, not RAM here: an MMIO exit); vCPU 1 waits for a
 * start-up IPI that never comes.
 */
GUEST(g_init_self, ".code16", X2APIC_ON
      "mov $0x830, %ecx\n mov $0x44500, %eax\n wrmsr\n out %al, $0x10\n hlt");
/* Every x2APIC register written with generated junk; #GP skips the WRMSR. */
GUEST(g_x2apic_junk, ".code16", "cli\n mov $0x1b, %ecx\n rdmsr\n or $0xc00, %eax\n wrmsr\n"
      "mov $0x7000, %sp\n mov $0x800, %esi\n"
      "1: imul $1103515245, %ebx, %ebx\n add $12345, %ebx\n mov %ebx, %eax\n"
      "mov %ebx, %edx\n ror $7, %edx\n mov %esi, %ecx\n wrmsr\n rdmsr\n"
      "inc %esi\n cmp $0x900, %esi\n jb 1b\n out %al, $0x10\n hlt\n"
      ".globl g_x2apic_junk_gp\n g_x2apic_junk_gp: push %bp\n mov %sp, %bp\n"
      "addw $2, 2(%bp)\n pop %bp\n iret");
extern const unsigned char g_x2apic_junk_gp[];
/* Every xAPIC register (protected mode, interrupts off) written with junk. */
GUEST(g_xapic_junk, ".code32", "cli\n mov $0xfee00000, %edi\n"
      "1: imul $1103515245, %ebx, %ebx\n add $12345, %ebx\n mov %ebx, (%edi)\n"
      "mov (%edi), %eax\n add $0x10, %edi\n cmp $0xfee01000, %edi\n jb 1b\n"
      "out %al, $0x10\n hlt");

/* A VM with the in-kernel APIC running @code from real mode, @isr at @vector. */
static void apic_start(struct vm *v, const unsigned char *code, const unsigned char *end,
		       const unsigned char *isr, unsigned int vector)
{
	vm_flags = MINIVM_VM_LAPIC;
	vm_start(v, code, end);
	vm_flags = 0;
	if (isr)
		put32(v, vector * 4, (uint32_t)guest_addr(code, isr));
}

/* Interrupt storms the guest makes for itself: only it slows down, and a signal ends RUN. */
static void apic_storms_are_interruptible(void)
{
	struct outcome o;
	struct vm v;

	apic_start(&v, g_timer_storm, g_timer_storm_end, g_timer_storm_isr, 0x40);
	run_to_end(&v, &o, 0);
	CHECK(o.exit == MINIVM_EXIT_INTR, "one-tick periodic timer ended with %s", end_name(o.exit));
	vm_close(&v);
	apic_start(&v, g_ipi_flood, g_ipi_flood_end, g_ipi_flood_isr, 0x41);
	run_to_end(&v, &o, 0);
	CHECK(o.exit == MINIVM_EXIT_INTR, "self-IPI flood ended with %s", end_name(o.exit));
	vm_close(&v);
}

static void init_to_itself(void)
{
	struct minivm_mp_state mp = { .state = 99 };
	struct minivm_run *run1;
	struct minivm_regs r;
	struct outcome o;
	struct vm v;
	int ap;

	/* The bootstrap CPU: from the reset vector again. */
	apic_start(&v, g_init_self, g_init_self_end, NULL, 0);
	run_to_end(&v, &o, 0);
	CHECK(o.exit == MINIVM_EXIT_MMIO && !o.ios && v.run->mmio.gpa == 0xfffffff0,
	      "INIT to the bootstrap CPU ended with %s after %lu OUTs", exit_str(v.run), o.ios);
	CHECK_ERR(minivm_get_regs(v.vcpu, &r), 0);
	CHECK(r.rip == 0xfff0, "rip %#llx after INIT, want the reset vector",
	      (unsigned long long)r.rip);
	/* vCPU 1, started by hand at the same code: it waits for a start-up IPI. */
	ap = minivm_create_vcpu(v.fd, 1, &run1);
	CHECK(ap >= 0, "CREATE_VCPU 1: %s", strerror(-ap));
	if (ap >= 0) {
		struct vm w = v;

		mp.state = MINIVM_MP_RUNNABLE;
		CHECK_ERR(ioctl(ap, MINIVM_SET_MP_STATE, &mp) ? -errno : 0, 0);
		CHECK_ERR(minivm_get_regs(v.vcpu, &r), 0);
		r.rip = CODE_GPA;
		CHECK_ERR(minivm_set_regs(ap, &r), 0);
		{
			struct minivm_sregs s;

			CHECK_ERR(minivm_get_sregs(ap, &s), 0);
			s.cs.selector = 0;
			s.cs.base = 0;
			CHECK_ERR(minivm_set_sregs(ap, &s), 0);
		}
		w.vcpu = ap;
		w.run = run1;
		run_to_end(&w, &o, 0);
		CHECK(o.exit == MINIVM_EXIT_INTR && !o.ios, "INIT to vCPU 1 ended with %s after %lu OUTs",
		      end_name(o.exit), o.ios);
		CHECK_ERR(ioctl(ap, MINIVM_GET_MP_STATE, &mp) ? -errno : 0, 0);
		CHECK(mp.state == MINIVM_MP_WAIT_SIPI, "vCPU 1's state %u after INIT", mp.state);
		munmap(run1, (size_t)sysconf(_SC_PAGESIZE));
		close(ap);
	}
	vm_close(&v);
}

/* Junk in every APIC register: any documented end, and the vCPU still readable. */
static void apic_registers_with_junk(void)
{
	unsigned int seed;

	for (seed = 1; seed <= 4; seed++) {
		struct minivm_regs r;
		struct outcome o;
		struct vm v;

		apic_start(&v, g_x2apic_junk, g_x2apic_junk_end, g_x2apic_junk_gp, 13);
		set_regs(&v, 0, 0, 0);
		minivm_get_regs(v.vcpu, &r);
		r.rbx = seed * 0x9e3779b9U;
		CHECK_ERR(minivm_set_regs(v.vcpu, &r), 0);
		run_to_end(&v, &o, 0);
		CHECK(END_ANY & W(o.exit), "x2APIC junk, seed %u: %s", seed, exit_str(v.run));
		CHECK_ERR(minivm_get_regs(v.vcpu, &r), 0);
		vm_close(&v);

		apic_start(&v, g_xapic_junk, g_xapic_junk_end, NULL, 0);
		enter_mode(&v, PROT);
		minivm_get_regs(v.vcpu, &r);
		r.rbx = seed * 0x85ebca6bU;
		CHECK_ERR(minivm_set_regs(v.vcpu, &r), 0);
		run_to_end(&v, &o, 0);
		CHECK(END_ANY & W(o.exit), "xAPIC junk, seed %u: %s", seed, exit_str(v.run));
		CHECK_ERR(minivm_get_regs(v.vcpu, &r), 0);
		vm_close(&v);
	}
}

/*
 * None of these is the guest's (minivm offers no nested virtualization):
 * each must raise #UD, a triple fault here, except the vendor's own
 * hypercall, which returns to the guest (RAX says "unknown hypercall").
 */
static void vmx_and_svm_instructions_fault(void)
{
	unsigned char code[8];
	size_t i;

	for (i = 0; i < sizeof(vendor_insns) / sizeof(vendor_insns[0]); i++) {
		const struct insn *in = &vendor_insns[i];
		int hypercall = !strcmp(in->name, amd ? "vmmcall" : "vmcall");

		memcpy(code, in->bytes, in->len);
		code[in->len] = 0xf4;	/* hlt */
		run_code(code, code + in->len + 1, PROT, hypercall ? END_HLT : END_SHUTDOWN,
			 in->name);
	}
}

static void cli_hlt_ends_with_hlt(void)
{
	run_code(g_cli_hlt, g_cli_hlt_end, REAL, END_HLT, "cli; hlt");
}

static void triple_fault_ends_with_shutdown(void)
{
	run_code(g_int3, g_int3_end, PROT, END_SHUTDOWN, "int3 without an IDT");
}

static void storm(const unsigned char *code, const unsigned char *end, const unsigned char *handler,
		  unsigned int vector, const char *what)
{
	struct outcome o;
	struct vm v;

	vm_start(&v, code, end);
	to_protected_ring(&v, 0);
	idt32_gate(&v, vector, guest_addr(code, handler));
	run_to_end(&v, &o, 0);
	CHECK(o.exit == MINIVM_EXIT_INTR, "%s ended with %s, want the signal to end it", what,
	      end_name(o.exit));
	vm_close(&v);
}

static void ud_storm_is_interruptible(void)
{
	storm(g_ud_storm, g_ud_storm_end, g_ud_storm_handler, 6, "#UD storm");
}

static void bp_storm_is_interruptible(void)
{
	storm(g_bp_storm, g_bp_storm_end, g_bp_storm_handler, 3, "#BP storm");
}

static void endless_loops_are_interruptible(void)
{
	run_code(g_loop_real, g_loop_real_end, REAL, END_INTR, "cli; jmp . in real mode");
	run_code(g_loop_cli, g_loop_cli_end, PROT, END_INTR, "cli; jmp .");
	run_code(g_loop_pause, g_loop_pause_end, PROT, END_INTR, "a PAUSE loop");
	run_code(g_loop_long, g_loop_long_end, LONG, END_INTR, "a loop in long mode");
	run_code(g_loop_cpuid, g_loop_cpuid_end, PROT, END_INTR, "a CPUID loop");
	run_code(g_loop_rdmsr, g_loop_rdmsr_end, PROT, END_INTR, "an RDMSR loop (APIC base)");
}

static void io_to_every_port_exits_in_order(void)
{
	struct outcome o;
	struct vm v;

	vm_start(&v, g_io_all, g_io_all_end);
	to_protected_mode(&v, 0);
	run_to_end(&v, &o, 1);
	/* 65536 exits outlast the timer: each interruption, the next RUN goes on. */
	while (o.exit == MINIVM_EXIT_INTR) {
		struct outcome more;

		run_to_end(&v, &more, 0);
		if (more.ios && more.last_port != (uint16_t)(o.ios + more.ios - 1))
			o.bad_port = 1;
		o.ios += more.ios;
		o.exit = more.exit;
		o.last_port = more.last_port;
	}
	CHECK(o.exit == MINIVM_EXIT_HLT, "ended with %s", exit_str(v.run));
	CHECK(o.ios == 65536, "%lu port exits, want 65536", o.ios);
	CHECK(!o.bad_port, "ports out of order (last %#x after %lu)", o.last_port, o.ios);
	vm_close(&v);
}

/* A value in a control register: HLT if the CPU takes it, SHUTDOWN (#GP) if not. */
struct cr_case {
	const char *what;
	const unsigned char *code, *end;
	enum mode mode;
	uint64_t value;
	uint32_t want;
	uint32_t qemu;	/* what QEMU 7.2 does instead (Documentation/lab.rst) */
};

static void control_registers_with_junk(void)
{
	const struct cr_case cases[] = {
		{ "CR0.PG without PE", g_mov_cr0, g_mov_cr0_end, PROT, 0x80000010, END_SHUTDOWN, 0 },
		/* QEMU: the MOV completes; an exit before HLT then fails VMRUN's check. */
		{ "CR0.NW without CD", g_mov_cr0, g_mov_cr0_end, PROT, 0x20000011, END_SHUTDOWN,
		  END_HLT | END_FAIL },
		{ "CR0 all ones", g_mov_cr0, g_mov_cr0_end, PROT, 0xffffffff, END_SHUTDOWN, 0 },
		{ "CR0.CD|NW", g_mov_cr0, g_mov_cr0_end, PROT, 0x60000011, END_HLT, 0 },
		{ "CR3 junk, paging off", g_mov_cr3, g_mov_cr3_end, PROT, 0xdeadbeef, END_HLT, 0 },
		{ "CR4 reserved bit 31", g_mov_cr4, g_mov_cr4_end, PROT, 0x80000000, END_SHUTDOWN,
		  END_FAIL },
		{ "CR4.VMXE", g_mov_cr4, g_mov_cr4_end, PROT, 0x2000, END_SHUTDOWN, END_FAIL },
		{ "CR4 all ones", g_mov_cr4, g_mov_cr4_end, PROT, 0xffffffff, END_SHUTDOWN, END_FAIL },
		{ "CR3 bit 63, long mode", g_mov_cr3_64, g_mov_cr3_64_end, LONG,
		  0x8000000000004000ULL, END_SHUTDOWN, END_FAIL },
		{ "CR3 above MAXPHYADDR", g_mov_cr3_64, g_mov_cr3_64_end, LONG,
		  0x00f0000000004000ULL, END_SHUTDOWN, END_FAIL },
		{ "CR4.PAE off in long mode", g_mov_cr4_64, g_mov_cr4_64_end, LONG, 0, END_SHUTDOWN, 0 },
		{ "CR8 reserved bits", g_mov_cr8_64, g_mov_cr8_64_end, LONG, 0x10, END_SHUTDOWN,
		  END_HLT },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct cr_case *c = &cases[i];
		struct outcome o;
		struct vm v;

		vm_start(&v, c->code, c->end);
		enter_mode(&v, c->mode);
		set_regs(&v, c->value, 0, 0);
		run_to_end(&v, &o, 0);
		CHECK((c->want | (in_qemu ? c->qemu : 0)) & W(o.exit), "%s (%#llx): %s", c->what,
		      (unsigned long long)c->value,
		      exit_str(v.run));
		vm_close(&v);
	}
}

static uint64_t rng = 0x1234567;

static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/*
 * Emulator limit (Documentation/lab.rst): QEMU 7.2 keeps a nested guest's
 * hardware breakpoints after #VMEXIT and later crashes removing them, so in
 * its lab junk holds no MOV to a debug register (0f 23 becomes UD2).
 */
static void fill_memory_junk(struct vm *v, size_t off, size_t len)
{
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t r = next_random();

		memcpy(v->mem + off + i, &r, 8);
	}
	for (i = 0; in_qemu && i + 1 < len; i++)
		if (v->mem[off + i] == 0x0f && v->mem[off + i + 1] == 0x23)
			v->mem[off + i + 1] = 0x0b;
}

/* Junk GDT and IDT limits and bases; what follows faults or runs on. */
static void descriptor_tables_from_junk(void)
{
	int i;

	for (i = 0; i < 16; i++) {
		uint64_t junk = next_random(), junk2 = next_random();
		struct outcome o;
		struct vm v;

		vm_start(&v, i & 1 ? g_lidt_junk : g_lgdt_junk, i & 1 ? g_lidt_junk_end : g_lgdt_junk_end);
		to_protected_mode(&v, 0);
		memcpy(v.mem + 0x3000, &junk, 8);
		memcpy(v.mem + 0x3008, &junk2, 8);
		fill_memory_junk(&v, 0x10000, 0x10000);
		run_to_end(&v, &o, 0);
		CHECK(END_ANY & W(o.exit), "%s %#llx: %s", i & 1 ? "lidt" : "lgdt",
		      (unsigned long long)junk, exit_str(v.run));
		vm_close(&v);
	}
}

static void xsetbv_of_bad_values(void)
{
	const struct { uint32_t ecx; uint64_t value; uint64_t cr4; uint32_t want; } cases[] = {
		{ 0, 1, 0, END_SHUTDOWN },			/* no CR4.OSXSAVE: #UD */
		{ 0, 0, 0x40000, END_SHUTDOWN },		/* x87 bit clear: #GP */
		{ 0, 4, 0x40000, END_SHUTDOWN },		/* AVX without SSE: #GP */
		{ 1, 1, 0x40000, END_SHUTDOWN },		/* XCR1: #GP */
		{ 0, 1ULL << 63, 0x40000, END_SHUTDOWN },	/* reserved bit */
		{ 0, ~0ULL, 0x40000, END_SHUTDOWN },
		{ 0, 1, 0x40000, END_HLT },			/* x87 alone: taken */
	};
	struct minivm_sregs s;
	int osxsave;
	size_t i;
	struct vm v;

	/* Without XSAVE in the CPU, CR4.OSXSAVE is refused and XSETBV is #UD. */
	vm_start(&v, g_xsetbv, g_xsetbv_end);
	minivm_get_sregs(v.vcpu, &s);
	s.cr4 |= 0x40000;
	osxsave = minivm_set_sregs(v.vcpu, &s) == 0;
	vm_close(&v);
	printf("    # CR4.OSXSAVE %s\n", osxsave ? "allowed" : "refused: every XSETBV is #UD");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t cr4 = osxsave ? cases[i].cr4 : 0;
		uint32_t want = osxsave ? cases[i].want : END_SHUTDOWN;
		struct outcome o;

		vm_start(&v, g_xsetbv, g_xsetbv_end);
		to_protected_mode(&v, cr4);
		enter_mode(&v, PROT);
		set_regs(&v, (uint32_t)cases[i].value, cases[i].ecx, cases[i].value >> 32);
		run_to_end(&v, &o, 0);
		CHECK(want & W(o.exit), "xsetbv XCR%u %#llx (CR4 %#llx): %s", cases[i].ecx,
		      (unsigned long long)cases[i].value, (unsigned long long)cr4, exit_str(v.run));
		vm_close(&v);
	}
}

static void debug_registers_with_reserved_bits(void)
{
	struct outcome o;
	struct vm v;

	vm_start(&v, g_mov_dr6_64, g_mov_dr6_64_end);
	enter_mode(&v, LONG);
	set_regs(&v, ~0ULL, 0, 0);
	run_to_end(&v, &o, 0);
	CHECK(o.exit == MINIVM_EXIT_SHUTDOWN, "DR6 all ones: %s", exit_str(v.run));
	vm_close(&v);

	/* Emulator limit: a DR7 write may later crash QEMU 7.2 (see fill_memory_junk()). */
	if (in_qemu) {
		printf("    # DR7 cases: Intel's lab only (QEMU 7.2 crashes on stale breakpoints)\n");
		return;
	}
	vm_start(&v, g_mov_dr7_64, g_mov_dr7_64_end);
	enter_mode(&v, LONG);
	set_regs(&v, 0x100000400ULL, 0, 0);
	run_to_end(&v, &o, 0);
	CHECK(o.exit == MINIVM_EXIT_SHUTDOWN, "DR7 bit 32: %s", exit_str(v.run));
	vm_close(&v);

	run_code(g_dr7_gd, g_dr7_gd_end, PROT, END_SHUTDOWN, "MOV DR with DR7.GD");
}

static void rdmsr_wrmsr_of_random_msrs(void)
{
	struct outcome o;
	struct minivm_regs r;
	struct vm v;

	vm_start(&v, g_msr_walk, g_msr_walk_end);
	to_protected_ring(&v, 0);
	idt32_gate(&v, 13, guest_addr(g_msr_walk, g_msr_walk_gp));
	minivm_get_regs(v.vcpu, &r);
	r.rbx = 0x2545f491;			/* the generator's seed */
	r.rbp = 2000;				/* MSRs to try */
	r.rsi = in_qemu ? 0xc0000080 : 0;	/* EFER, see above */
	CHECK_ERR(minivm_set_regs(v.vcpu, &r), 0);
	run_to_end(&v, &o, 0);
	/* Interrupted before the end on a slow emulator: run on. */
	while (o.exit == MINIVM_EXIT_INTR)
		run_to_end(&v, &o, 0);
	CHECK(o.exit == MINIVM_EXIT_HLT && o.ios == 1 && o.last_port == 0x10,
	      "ended with %s after %lu port exits", exit_str(v.run), o.ios);
	printf("    # 2000 MSRs: %llu #GPs\n", (unsigned long long)(uint32_t)o.last_data);
	vm_close(&v);
}

/* --- random bytes as code ------------------------------------------------ */

static void random_code(enum mode mode, unsigned int seeds, const char *name)
{
	unsigned int s;

	for (s = 1; s <= seeds; s++) {
		char what[64];
		struct vm v;
		struct outcome o;

		rng = 0x9e3779b97f4a7c15ULL * s + (uint64_t)mode;
		vm_start(&v, g_cli_hlt, g_cli_hlt_end);
		enter_mode(&v, mode);
		/* Code, stack and the tables around them: the guest may read or run any of it. */
		fill_memory_junk(&v, CODE_GPA, 0x3000);
		fill_memory_junk(&v, 0x7000, 0x9000);
		if (mode == REAL)
			fill_memory_junk(&v, 0, 0x400);	/* the IVT */
		run_to_end(&v, &o, 0);
		snprintf(what, sizeof(what), "%s seed %u", name, s);
		CHECK(END_ANY & W(o.exit), "%s: %s", what, exit_str(v.run));
		/* The vCPU is still the caller's: its state reads back. */
		{
			struct minivm_regs r;

			CHECK_ERR(minivm_get_regs(v.vcpu, &r), 0);
		}
		vm_close(&v);
	}
}

static unsigned int nr_seeds = 16;

static void random_bytes_in_real_mode(void)
{
	random_code(REAL, nr_seeds, "real mode");
}

static void random_bytes_in_protected_mode(void)
{
	random_code(PROT, nr_seeds, "protected mode");
}

static void random_bytes_in_protected_mode_with_idt(void)
{
	random_code(PROT_IDT, nr_seeds, "protected mode, IDT of junk");
}

static void random_bytes_in_long_mode(void)
{
	random_code(LONG, nr_seeds, "long mode");
}

/* --- each case in a child the parent can kill -------------------------- */

/* A case not run here, and why: counted as skipped. */
static void skip_case(const char *name, const char *why)
{
	printf("ok %d %s # SKIP %s\n", ++ktap_nr, name, why);
	fflush(stdout);
}

static void run_case(const char *name, void (*fn)(void))
{
	const char *only = getenv("KTAP_ONLY");
	int status = 0, i;
	pid_t pid;

	if (only && !strstr(name, only))
		return;
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		ktap_case_failed = 0;
		fn();
		fflush(stdout);
		_exit(ktap_case_failed ? 1 : 0);
	}
	for (i = 0; i < CASE_SECONDS * 10; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		usleep(100000);
	}
	ktap_nr++;
	if (i == CASE_SECONDS * 10) {
		kill(pid, SIGKILL);
		for (i = 0; i < 100 && waitpid(pid, &status, WNOHANG) != pid; i++)
			usleep(100000);
		printf("    # not finished after %d s%s\n", CASE_SECONDS,
		       i == 100 ? "; not dead 10 s after SIGKILL: stuck in the kernel" : "");
		status = 1 << 8;
	} else if (WIFSIGNALED(status)) {
		printf("    # the case died of signal %d\n", WTERMSIG(status));
	}
	if (status)
		ktap_failed++;
	printf("%s %d %s\n", status ? "not ok" : "ok", ktap_nr, name);
	fflush(stdout);
}

#define CASE(fn) run_case(#fn, fn)

int main(int argc, char **argv)
{
	if (argc < 2 || (strcmp(argv[1], "amd") && strcmp(argv[1], "intel"))) {
		fprintf(stderr, "usage: minivm-corpus amd|intel [random-seeds]\n");
		return 2;
	}
	amd = !strcmp(argv[1], "amd");
	want_vendor = amd ? MINIVM_VENDOR_AMD_SVM : MINIVM_VENDOR_INTEL_VMX;
	in_qemu = lab_emulator_is_qemu();
	if (argc > 2)
		nr_seeds = (unsigned int)strtoul(argv[2], NULL, 0);
	ktap_plan("minivm-corpus", 19);
	CASE(cli_hlt_ends_with_hlt);
	CASE(triple_fault_ends_with_shutdown);
	CASE(vmx_and_svm_instructions_fault);
	CASE(rdmsr_wrmsr_of_random_msrs);
	CASE(xsetbv_of_bad_values);
	CASE(control_registers_with_junk);
	CASE(descriptor_tables_from_junk);
	CASE(debug_registers_with_reserved_bits);
	CASE(ud_storm_is_interruptible);
	CASE(bp_storm_is_interruptible);
	CASE(endless_loops_are_interruptible);
	CASE(io_to_every_port_exits_in_order);
	CASE(apic_storms_are_interruptible);
	CASE(init_to_itself);
	CASE(apic_registers_with_junk);
	if (nr_seeds) {
		CASE(random_bytes_in_real_mode);
		CASE(random_bytes_in_protected_mode);
		CASE(random_bytes_in_protected_mode_with_idt);
		CASE(random_bytes_in_long_mode);
	} else {
		skip_case("random_bytes_in_real_mode", "0 random guests asked for");
		skip_case("random_bytes_in_protected_mode", "0 random guests asked for");
		skip_case("random_bytes_in_protected_mode_with_idt", "0 random guests asked for");
		skip_case("random_bytes_in_long_mode", "0 random guests asked for");
	}
	return ktap_failed ? 1 : 0;
}
