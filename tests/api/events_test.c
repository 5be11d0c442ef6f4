// SPDX-License-Identifier: GPL-2.0
/*
 * minivm-events-test: events injected from userspace, in the lab (KTAP).
 *
 * External interrupts (MINIVM_INTERRUPT) held while the guest cannot take
 * them and delivered at the window, the interrupt window exit
 * (request_interrupt_window), NMIs and their blocking until IRET, exceptions
 * with error code and CR2, HLT ended by a queued interrupt, and the event
 * state (MINIVM_GET_EVENTS/MINIVM_SET_EVENTS): validated field by field, and
 * complete enough to move a vCPU with an interrupt pending to another VM.
 * Guests are assembled into this binary; each reports by port I/O.
 *
 * Usage: minivm-events-test amd|intel
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include "vmtest.h"

#define IRQ_VECTOR	0x20

/*
 * Real mode, interrupts off while the test queues one: it waits until STI
 * and the instruction in STI's shadow are done.
 */
GUEST(g_irq16, ".code16",
      "cli\n out %al, $0x10\n out %al, $0x12\n sti\n nop\n out %al, $0x13\n hlt\n"
      ".globl g_irq16_handler\n g_irq16_handler: out %al, $0x20\n iret\n"
      ".globl g_irq16_gp\n g_irq16_gp: out %al, $0x34\n hlt");
extern const unsigned char g_irq16_handler[], g_irq16_gp[];

/* The idle loop of every OS: STI; HLT with an interrupt queued in STI's shadow. */
GUEST(g_hlt16, ".code16",
      "cli\n out %al, $0x10\n sti\n hlt\n out %al, $0x13\n hlt\n"
      ".globl g_hlt16_handler\n g_hlt16_handler: out %al, $0x20\n iret");
extern const unsigned char g_hlt16_handler[];

/*
 * An interrupt shadow that holds across an exit: the instruction it covers
 * (INC, then HLT) runs before the queued interrupt, whose handler reports
 * BX. Found in CI (the APIC test's "sti; hlt" halting for good): the AMD
 * lab's QEMU does not load the shadow at VMRUN.
 */
GUEST(g_shadow16, ".code16",
      "cli\n xor %bx, %bx\n out %al, $0x10\n inc %bx\n out %al, $0x13\n"
      ".globl g_shadow16_hlt\n g_shadow16_hlt: hlt\n out %al, $0x14\n hlt\n"
      ".globl g_shadow16_handler\n g_shadow16_handler: mov %bx, %ax\n out %al, $0x20\n iret");
extern const unsigned char g_shadow16_hlt[], g_shadow16_handler[];

/* The window opens after STI and one more instruction; 0x11 comes after it. */
GUEST(g_window16, ".code16",
      "cli\n out %al, $0x10\n nop\n sti\n nop\n out %al, $0x11\n hlt\n"
      ".globl g_window16_handler\n g_window16_handler: out %al, $0x20\n iret");
extern const unsigned char g_window16_handler[];

/* NMIs with interrupts on; the handler makes two exits before its IRET. */
GUEST(g_nmi16, ".code16",
      "sti\n out %al, $0x10\n out %al, $0x11\n hlt\n"
      ".globl g_nmi16_handler\n g_nmi16_handler: out %al, $0x22\n out %al, $0x23\n iret");
extern const unsigned char g_nmi16_handler[];

/* The NMI handler halts before its IRET. */
GUEST(g_nmihlt16, ".code16",
      "sti\n out %al, $0x10\n out %al, $0x11\n hlt\n"
      ".globl g_nmihlt16_handler\n g_nmihlt16_handler: out %al, $0x22\n hlt\n"
      "out %al, $0x23\n iret");
extern const unsigned char g_nmihlt16_handler[];

/* Protected mode with an IDT: each handler reports its error code (and CR2). */
GUEST(g_exc32, ".code32",
      "out %al, $0x10\n hlt\n"
      ".globl g_exc32_pf\n g_exc32_pf: pop %eax\n out %eax, $0x30\n mov %cr2, %eax\n"
      "out %eax, $0x31\n hlt\n"
      ".globl g_exc32_gp\n g_exc32_gp: pop %eax\n out %eax, $0x32\n hlt\n"
      ".globl g_exc32_ud\n g_exc32_ud: out %al, $0x33\n hlt");
extern const unsigned char g_exc32_pf[], g_exc32_gp[], g_exc32_ud[];

static struct minivm_events get_events(struct vm *v)
{
	struct minivm_events e;

	memset(&e, 0xaa, sizeof(e));
	CHECK_ERR(minivm_get_events(v->vcpu, &e), 0);
	return e;
}

static void interrupt_waits_for_the_window(void)
{
	struct minivm_interrupt bad = { .vector = 256 };
	struct minivm_events e;
	struct vm v;

	vm_start(&v, g_irq16, g_irq16_end);
	ivt(&v, IRQ_VECTOR, g_irq16, g_irq16_handler);
	if (!expect_io(&v, 0x10, 1, MINIVM_IO_OUT, ANY))
		goto out;
	CHECK_ERR(ioctl(v.vcpu, MINIVM_INTERRUPT, &bad) ? -errno : 0, EINVAL);
	bad = (struct minivm_interrupt){ .vector = IRQ_VECTOR, .reserved = 1 };
	CHECK_ERR(ioctl(v.vcpu, MINIVM_INTERRUPT, &bad) ? -errno : 0, EINVAL);
	CHECK_ERR(minivm_interrupt(v.vcpu, IRQ_VECTOR), 0);
	CHECK_ERR(minivm_interrupt(v.vcpu, IRQ_VECTOR + 1), EBUSY);
	/* RFLAGS.IF is clear: the guest goes on without it. */
	if (!expect_io(&v, 0x12, 1, MINIVM_IO_OUT, ANY))
		goto out;
	CHECK(!v.run->ready_for_interrupt_injection, "ready with IF clear");
	e = get_events(&v);
	CHECK(e.interrupt_pending == 1 && e.interrupt_vector == IRQ_VECTOR,
	      "pending %u vector %#x", e.interrupt_pending, e.interrupt_vector);
	/* STI and the NOP in its shadow, then the handler, then the rest. */
	if (expect_io(&v, 0x20, 1, MINIVM_IO_OUT, ANY)) {
		e = get_events(&v);
		CHECK(!e.interrupt_pending, "still pending after delivery");
		if (expect_io(&v, 0x13, 1, MINIVM_IO_OUT, ANY))
			run_expect(&v, MINIVM_EXIT_HLT);
	}
out:
	vm_close(&v);
}

/*
 * An interrupt put in delivery by SET_EVENTS while IF is clear waits for
 * the window as a queued one does, on both vendors alike.
 */
static void injected_interrupt_waits_for_if(void)
{
	struct minivm_events e;
	struct vm v;

	vm_start(&v, g_irq16, g_irq16_end);
	ivt(&v, IRQ_VECTOR, g_irq16, g_irq16_handler);
	if (expect_io(&v, 0x10, 1, MINIVM_IO_OUT, ANY)) {
		e = get_events(&v);
		e.injected = (struct minivm_event){ .type = MINIVM_EVENT_INTERRUPT,
						    .vector = IRQ_VECTOR };
		CHECK_ERR(minivm_set_events(v.vcpu, &e), 0);
		if (expect_io(&v, 0x12, 1, MINIVM_IO_OUT, ANY) &&
		    expect_io(&v, 0x20, 1, MINIVM_IO_OUT, ANY) &&
		    expect_io(&v, 0x13, 1, MINIVM_IO_OUT, ANY))
			run_expect(&v, MINIVM_EXIT_HLT);
	}
	vm_close(&v);
}

static void hlt_in_sti_shadow_wakes_for_the_interrupt(void)
{
	struct vm v;

	vm_start(&v, g_hlt16, g_hlt16_end);
	ivt(&v, IRQ_VECTOR, g_hlt16, g_hlt16_handler);
	if (expect_io(&v, 0x10, 1, MINIVM_IO_OUT, ANY)) {
		CHECK_ERR(minivm_interrupt(v.vcpu, IRQ_VECTOR), 0);
		/* HLT exits in the kernel and ends there: the interrupt wakes it. */
		if (expect_io(&v, 0x20, 1, MINIVM_IO_OUT, ANY) &&
		    expect_io(&v, 0x13, 1, MINIVM_IO_OUT, ANY))
			run_expect(&v, MINIVM_EXIT_HLT);
	}
	vm_close(&v);
}

/*
 * IF set, RIP at @rip (0: where it is), the STI shadow, an interrupt queued.
 * The events go back as GET_EVENTS read them, after a delivered interrupt
 * too (GET once kept its vector with type NONE, which SET refuses).
 */
static void queue_in_shadow(struct vm *v, uint64_t rip)
{
	struct minivm_events e;
	struct minivm_regs r;

	CHECK_ERR(minivm_get_regs(v->vcpu, &r), 0);
	r.rflags |= 0x200;
	if (rip)
		r.rip = rip;
	CHECK_ERR(minivm_set_regs(v->vcpu, &r), 0);
	e = get_events(v);
	e.flags = MINIVM_EVENTS_STI_SHADOW;
	CHECK_ERR(minivm_set_events(v->vcpu, &e), 0);
	CHECK_ERR(minivm_interrupt(v->vcpu, IRQ_VECTOR), 0);
}

static void shadow_holds_across_an_exit(void)
{
	struct vm v;

	vm_start(&v, g_shadow16, g_shadow16_end);
	ivt(&v, IRQ_VECTOR, g_shadow16, g_shadow16_handler);
	if (!expect_io(&v, 0x10, 1, MINIVM_IO_OUT, ANY))
		goto out;
	/* On the INC: BX is 1 when the interrupt comes. */
	queue_in_shadow(&v, 0);
	if (!expect_io(&v, 0x20, 1, MINIVM_IO_OUT, 1) ||
	    !expect_io(&v, 0x13, 1, MINIVM_IO_OUT, ANY) || !run_expect(&v, MINIVM_EXIT_HLT))
		goto out;
	/* On the HLT: it halts, the interrupt wakes it, and its handler returns past it. */
	queue_in_shadow(&v, guest_addr(g_shadow16, g_shadow16_hlt));
	if (expect_io(&v, 0x20, 1, MINIVM_IO_OUT, 1) && expect_io(&v, 0x14, 1, MINIVM_IO_OUT, ANY))
		run_expect(&v, MINIVM_EXIT_HLT);
out:
	vm_close(&v);
}

static void interrupt_window_exit(void)
{
	struct minivm_regs r;
	struct vm v;

	vm_start(&v, g_window16, g_window16_end);
	ivt(&v, IRQ_VECTOR, g_window16, g_window16_handler);
	if (!expect_io(&v, 0x10, 1, MINIVM_IO_OUT, ANY))
		goto out;
	v.run->request_interrupt_window = 2;
	CHECK_ERR(minivm_run(v.vcpu), EINVAL);
	v.run->request_interrupt_window = 1;
	if (!run_expect(&v, MINIVM_EXIT_IRQ_WINDOW_OPEN))
		goto out;
	CHECK(v.run->ready_for_interrupt_injection && v.run->if_flag && !v.run->flags,
	      "ready %u if %u flags %#x", v.run->ready_for_interrupt_injection, v.run->if_flag,
	      v.run->flags);
	minivm_get_regs(v.vcpu, &r);
	/* Past STI and the NOP in its shadow, on the OUT: 1 + 2 + 1 + 1 + 1 bytes in. */
	CHECK(r.rip == CODE_GPA + 6, "rip %#llx, want %#x", (unsigned long long)r.rip,
	      CODE_GPA + 6);
	v.run->request_interrupt_window = 0;
	CHECK_ERR(minivm_interrupt(v.vcpu, IRQ_VECTOR), 0);
	if (expect_io(&v, 0x20, 1, MINIVM_IO_OUT, ANY) &&
	    expect_io(&v, 0x11, 1, MINIVM_IO_OUT, ANY))
		run_expect(&v, MINIVM_EXIT_HLT);
out:
	vm_close(&v);
}

/*
 * A pending NMI that NMIs' blocking holds does not end a HLT in the handler
 * (the CPU would not wake for it): HLT returns to userspace, and the NMI is
 * delivered after the handler's IRET.
 */
static void blocked_nmi_does_not_wake_hlt(void)
{
	struct vm v;

	vm_start(&v, g_nmihlt16, g_nmihlt16_end);
	ivt(&v, 2, g_nmihlt16, g_nmihlt16_handler);
	if (expect_io(&v, 0x10, 1, MINIVM_IO_OUT, ANY)) {
		CHECK_ERR(minivm_nmi(v.vcpu), 0);
		if (expect_io(&v, 0x22, 1, MINIVM_IO_OUT, ANY)) {
			CHECK_ERR(minivm_nmi(v.vcpu), 0);
			if (run_expect(&v, MINIVM_EXIT_HLT) &&
			    expect_io(&v, 0x23, 1, MINIVM_IO_OUT, ANY) &&
			    expect_io(&v, 0x22, 1, MINIVM_IO_OUT, ANY) &&
			    run_expect(&v, MINIVM_EXIT_HLT) &&
			    expect_io(&v, 0x23, 1, MINIVM_IO_OUT, ANY) &&
			    expect_io(&v, 0x11, 1, MINIVM_IO_OUT, ANY))
				run_expect(&v, MINIVM_EXIT_HLT);
		}
	}
	vm_close(&v);
}

static void nmi_is_blocked_until_iret(void)
{
	struct minivm_events e;
	struct vm v;

	vm_start(&v, g_nmi16, g_nmi16_end);
	ivt(&v, 2, g_nmi16, g_nmi16_handler);
	CHECK_ERR(ioctl(v.vcpu, MINIVM_NMI, 1) ? -errno : 0, EINVAL);
	if (!expect_io(&v, 0x10, 1, MINIVM_IO_OUT, ANY))
		goto out;
	e = get_events(&v);
	CHECK(!e.nmi_pending && !e.nmi_masked, "pending %u masked %u before", e.nmi_pending,
	      e.nmi_masked);
	CHECK_ERR(minivm_nmi(v.vcpu), 0);
	if (!expect_io(&v, 0x22, 1, MINIVM_IO_OUT, ANY))
		goto out;
	e = get_events(&v);
	CHECK(!e.nmi_pending && e.nmi_masked == 1, "in the handler: pending %u masked %u",
	      e.nmi_pending, e.nmi_masked);
	/* A second NMI waits for the handler's IRET. */
	CHECK_ERR(minivm_nmi(v.vcpu), 0);
	if (!expect_io(&v, 0x23, 1, MINIVM_IO_OUT, ANY))
		goto out;
	e = get_events(&v);
	CHECK(e.nmi_pending == 1, "second NMI not pending");
	if (expect_io(&v, 0x22, 1, MINIVM_IO_OUT, ANY) &&
	    expect_io(&v, 0x23, 1, MINIVM_IO_OUT, ANY) &&
	    expect_io(&v, 0x11, 1, MINIVM_IO_OUT, ANY))
		run_expect(&v, MINIVM_EXIT_HLT);
	e = get_events(&v);
	CHECK(!e.nmi_pending && !e.nmi_masked, "pending %u masked %u after", e.nmi_pending,
	      e.nmi_masked);
out:
	vm_close(&v);
}

/* Protected mode, the IDT's three gates; stop at the first OUT. */
static int exc32_start(struct vm *v)
{
	vm_start(v, g_exc32, g_exc32_end);
	to_protected_ring(v, 0);
	idt32_gate(v, 14, guest_addr(g_exc32, g_exc32_pf));
	idt32_gate(v, 13, guest_addr(g_exc32, g_exc32_gp));
	idt32_gate(v, 6, guest_addr(g_exc32, g_exc32_ud));
	return expect_io(v, 0x10, 1, MINIVM_IO_OUT, ANY);
}

static void exceptions_carry_error_code_and_cr2(void)
{
	struct vm v;

	if (exc32_start(&v)) {
		CHECK_ERR(minivm_inject_page_fault(v.vcpu, 0xdeadb000, 6), 0);
		CHECK_ERR(minivm_inject_exception(v.vcpu, 13, 0), EBUSY);
		if (expect_io(&v, 0x30, 4, MINIVM_IO_OUT, 6) &&
		    expect_io(&v, 0x31, 4, MINIVM_IO_OUT, 0xdeadb000))
			run_expect(&v, MINIVM_EXIT_HLT);
	}
	vm_close(&v);

	if (exc32_start(&v)) {
		CHECK_ERR(minivm_inject_exception(v.vcpu, 13, 0x18), 0);
		if (expect_io(&v, 0x32, 4, MINIVM_IO_OUT, 0x18))
			run_expect(&v, MINIVM_EXIT_HLT);
	}
	vm_close(&v);

	if (exc32_start(&v)) {
		CHECK_ERR(minivm_inject_exception(v.vcpu, 6, 0), 0);
		if (expect_io(&v, 0x33, 1, MINIVM_IO_OUT, ANY))
			run_expect(&v, MINIVM_EXIT_HLT);
	}
	vm_close(&v);
}

/* Real mode pushes no error code: a #GP's frame is FLAGS, CS, IP only. */
static void real_mode_exception_has_no_error_code(void)
{
	struct minivm_regs r;
	struct vm v;

	vm_start(&v, g_irq16, g_irq16_end);
	ivt(&v, 13, g_irq16, g_irq16_gp);
	if (expect_io(&v, 0x10, 1, MINIVM_IO_OUT, ANY)) {
		CHECK_ERR(minivm_inject_exception(v.vcpu, 13, 0), 0);
		if (expect_io(&v, 0x34, 1, MINIVM_IO_OUT, ANY)) {
			minivm_get_regs(v.vcpu, &r);
			CHECK(r.rsp == 0x8000 - 6, "rsp %#llx, want 0x7ffa",
			      (unsigned long long)r.rsp);
		}
	}
	vm_close(&v);
}

static void set_events_refuses_what_no_cpu_has(void)
{
	struct minivm_events e, good;
	struct vm v;

	vm_start(&v, g_irq16, g_irq16_end);
	memset(&good, 0, sizeof(good));
	CHECK_ERR(minivm_set_events(v.vcpu, &good), 0);
#define REFUSED(field, value) do {					\
		e = good;						\
		e.field = value;					\
		CHECK_ERR(minivm_set_events(v.vcpu, &e), EINVAL);	\
	} while (0)
	REFUSED(reserved[3], 1);
	REFUSED(flags, 0x8);
	REFUSED(flags, MINIVM_EVENTS_STI_SHADOW);	/* RFLAGS.IF is clear */
	REFUSED(flags, MINIVM_EVENTS_STI_SHADOW | MINIVM_EVENTS_MOV_SS_SHADOW);
	REFUSED(flags, MINIVM_EVENTS_EXCEPTION_CR2);	/* no #PF pending */
	REFUSED(exception_cr2, 0x1000);
	REFUSED(injected.type, 4);
	REFUSED(injected.reserved, 1);
	REFUSED(exception.type, MINIVM_EVENT_INTERRUPT);
	REFUSED(interrupt_pending, 2);
	REFUSED(interrupt_vector, 0x20);		/* without interrupt_pending */
	REFUSED(nmi_pending, 2);
	REFUSED(nmi_masked, 2);
	e = good;
	e.injected = (struct minivm_event){ .type = MINIVM_EVENT_NMI, .vector = 3 };
	CHECK_ERR(minivm_set_events(v.vcpu, &e), EINVAL);
	e.injected = (struct minivm_event){ .type = MINIVM_EVENT_EXCEPTION, .vector = 2 };
	CHECK_ERR(minivm_set_events(v.vcpu, &e), EINVAL);
	e.injected = (struct minivm_event){ .type = MINIVM_EVENT_EXCEPTION, .vector = 13 };
	CHECK_ERR(minivm_set_events(v.vcpu, &e), EINVAL);	/* #GP has an error code */
	e.injected = (struct minivm_event){ .type = MINIVM_EVENT_EXCEPTION, .vector = 6,
					    .has_error_code = 1 };
	CHECK_ERR(minivm_set_events(v.vcpu, &e), EINVAL);
	e.injected = (struct minivm_event){ .type = MINIVM_EVENT_INTERRUPT, .vector = 0x20 };
	e.exception = (struct minivm_event){ .type = MINIVM_EVENT_EXCEPTION, .vector = 6 };
	CHECK_ERR(minivm_set_events(v.vcpu, &e), EINVAL);	/* both at once */
	e.exception = (struct minivm_event){ .type = MINIVM_EVENT_EXCEPTION, .vector = 13,
					     .has_error_code = 1, .error_code = 8 };
	e.injected = (struct minivm_event){ 0 };
	e.flags = MINIVM_EVENTS_EXCEPTION_CR2;		/* CR2 is #PF's only */
	CHECK_ERR(minivm_set_events(v.vcpu, &e), EINVAL);
#undef REFUSED
	/* Nothing a refusal touched is left behind. */
	e = get_events(&v);
	CHECK(!memcmp(&e, &good, sizeof(e)), "a refused SET_EVENTS changed the state");
	vm_close(&v);
}

/*
 * With an interrupt queued and IF clear, the whole vCPU (registers,
 * segments, events, memory) moves to a vCPU of another VM, which goes on
 * exactly as the first would have: STI, then the interrupt.
 */
static void event_state_moves_a_vcpu(void)
{
	struct minivm_events e, e2;
	struct minivm_sregs s;
	struct minivm_regs r;
	struct vm v, w;

	vm_start(&v, g_irq16, g_irq16_end);
	ivt(&v, IRQ_VECTOR, g_irq16, g_irq16_handler);
	if (!expect_io(&v, 0x10, 1, MINIVM_IO_OUT, ANY)) {
		vm_close(&v);
		return;
	}
	CHECK_ERR(minivm_interrupt(v.vcpu, IRQ_VECTOR), 0);
	CHECK_ERR(minivm_get_regs(v.vcpu, &r), 0);
	CHECK_ERR(minivm_get_sregs(v.vcpu, &s), 0);
	e = get_events(&v);
	CHECK(e.interrupt_pending && e.interrupt_vector == IRQ_VECTOR, "not pending");

	vm_start(&w, g_irq16, g_irq16_end);
	memcpy(w.mem, v.mem, MEM_SIZE);
	CHECK_ERR(minivm_set_sregs(w.vcpu, &s), 0);
	CHECK_ERR(minivm_set_regs(w.vcpu, &r), 0);
	CHECK_ERR(minivm_set_events(w.vcpu, &e), 0);
	e2 = get_events(&w);
	CHECK(!memcmp(&e, &e2, sizeof(e)), "GET after SET differs");
	vm_close(&v);
	if (expect_io(&w, 0x12, 1, MINIVM_IO_OUT, ANY) &&
	    expect_io(&w, 0x20, 1, MINIVM_IO_OUT, ANY) &&
	    expect_io(&w, 0x13, 1, MINIVM_IO_OUT, ANY))
		run_expect(&w, MINIVM_EXIT_HLT);
	vm_close(&w);
}

/*
 * A guest whose IDT cannot deliver anything (limit 0) and is handed an
 * interrupt, an NMI and an exception in turn: each ends in a triple fault,
 * reported as a shutdown; nothing spins in the host.
 */
static void events_into_a_broken_idt_shut_down(void)
{
	struct minivm_sregs s;
	int i;

	for (i = 0; i < 3; i++) {
		struct vm v;

		if (!exc32_start(&v)) {
			vm_close(&v);
			return;
		}
		CHECK_ERR(minivm_get_sregs(v.vcpu, &s), 0);
		s.idt.limit = 0;
		CHECK_ERR(minivm_set_sregs(v.vcpu, &s), 0);
		if (i == 0) {
			struct minivm_regs r;

			minivm_get_regs(v.vcpu, &r);
			r.rflags |= 0x200;	/* IF, so the interrupt is taken at once */
			minivm_set_regs(v.vcpu, &r);
			CHECK_ERR(minivm_interrupt(v.vcpu, IRQ_VECTOR), 0);
		} else if (i == 1) {
			CHECK_ERR(minivm_nmi(v.vcpu), 0);
		} else {
			CHECK_ERR(minivm_inject_exception(v.vcpu, 13, 0), 0);
		}
		run_expect(&v, MINIVM_EXIT_SHUTDOWN);
		vm_close(&v);
	}
}

static void events_capability(void)
{
	uint64_t value = 0;
	int sys = minivm_open();

	CHECK(sys >= 0, "open: %s", strerror(-sys));
	if (sys < 0)
		return;
	CHECK_ERR(minivm_check_cap(sys, MINIVM_CAP_EVENTS, &value), 0);
	CHECK(value == 1, "MINIVM_CAP_EVENTS %llu", (unsigned long long)value);
	close(sys);
}

int main(int argc, char **argv)
{
	if (argc != 2 || (strcmp(argv[1], "amd") && strcmp(argv[1], "intel"))) {
		fprintf(stderr, "usage: minivm-events-test amd|intel\n");
		return 2;
	}
	want_vendor = !strcmp(argv[1], "amd") ? MINIVM_VENDOR_AMD_SVM : MINIVM_VENDOR_INTEL_VMX;
	ktap_plan("minivm-events", 13);
	KTAP_RUN(events_capability);
	KTAP_RUN(interrupt_waits_for_the_window);
	KTAP_RUN(injected_interrupt_waits_for_if);
	KTAP_RUN(hlt_in_sti_shadow_wakes_for_the_interrupt);
	KTAP_RUN(shadow_holds_across_an_exit);
	KTAP_RUN(interrupt_window_exit);
	KTAP_RUN(nmi_is_blocked_until_iret);
	KTAP_RUN(blocked_nmi_does_not_wake_hlt);
	KTAP_RUN(exceptions_carry_error_code_and_cr2);
	KTAP_RUN(real_mode_exception_has_no_error_code);
	KTAP_RUN(set_events_refuses_what_no_cpu_has);
	KTAP_RUN(event_state_moves_a_vcpu);
	KTAP_RUN(events_into_a_broken_idt_shut_down);
	return ktap_failed ? 1 : 0;
}
