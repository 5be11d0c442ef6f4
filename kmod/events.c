// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: events (external interrupts, NMIs, exceptions) and when the guest
 * takes them, once for both vendors.
 *
 * A vCPU holds at most one event in delivery (&minivm_vcpu_events.injected:
 * one an exit interrupted, or one chosen for the next entry), one pending
 * exception, one queued external interrupt and one pending NMI. Right
 * before each entry, with interrupts off, minivm_events_enter() picks what
 * the entry delivers, in the architecture's order (an event being delivered,
 * then an exception, then an NMI when NMIs are not blocked, then an
 * interrupt when RFLAGS.IF is set and no STI or MOV SS shadow holds it), and
 * turns on the window exits that bring the vCPU back when the rest can be
 * taken. The backends only program the hardware (inject_event,
 * set_windows) and report what an exit interrupted (minivm_event_reinject()).
 */
#include <linux/static_call.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>
#include "minivm.h"

/* When an event became pending, for minivm_inject's latency; 0 if untraced. */
static u64 events_now(void)
{
	return trace_minivm_inject_enabled() ? ktime_get_ns() : 0;
}

/*
 * Vectors 0-31 no minivm guest can take as an exception: NMI, the old FPU
 * overrun, the reserved ones, and those of features it does not offer
 * (#CP of CET, #VC of SEV-ES, #SX of SVM's security checks), which VMX
 * entry would also refuse with an error code.
 */
#define EXC_NOT		(BIT(X86_TRAP_NMI) | BIT(X86_TRAP_OLD_MF) | BIT(X86_TRAP_SPURIOUS) | \
			 BIT(21) | GENMASK(27, 22) | BIT(29) | BIT(30) | BIT(31))
/* Contributory exceptions, for the double-fault rule (SDM table 6-5). */
#define EXC_CONTRIBUTORY (BIT(X86_TRAP_DE) | BIT(X86_TRAP_TS) | BIT(X86_TRAP_NP) | \
			  BIT(X86_TRAP_SS) | BIT(X86_TRAP_GP))

/**
 * minivm_exception_has_error() - whether exception @vector pushes an error code
 * @vector: 0 to 31
 *
 * Return: true for #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP, #VC and #SX.
 */
bool minivm_exception_has_error(unsigned int vector)
{
	return vector < 32 && (MINIVM_EXCEPTIONS_WITH_ERROR_CODE & BIT(vector));
}

/**
 * minivm_event_valid() - whether userspace's @ev is an event a CPU delivers
 * @ev: the event; %MINIVM_EVENT_NONE must be all zeroes
 *
 * Return: true when the type is known, the vector fits the type (2 for an
 * NMI; an exception's vector, with the error code exactly when it has one)
 * and the reserved byte is 0.
 */
bool minivm_event_valid(const struct minivm_event *ev)
{
	if (ev->reserved || ev->has_error_code > 1 ||
	    (!ev->has_error_code && ev->error_code))
		return false;
	switch (ev->type) {
	case MINIVM_EVENT_NONE:
		return !ev->vector && !ev->has_error_code;
	case MINIVM_EVENT_INTERRUPT:
		return !ev->has_error_code;
	case MINIVM_EVENT_NMI:
		return ev->vector == X86_TRAP_NMI && !ev->has_error_code;
	case MINIVM_EVENT_EXCEPTION:
		return ev->vector < 32 && !(EXC_NOT & BIT(ev->vector)) &&
		       ev->has_error_code == minivm_exception_has_error(ev->vector);
	}
	return false;
}

/**
 * minivm_exception_merge() - what a CPU delivers when exception @second is
 * raised while delivering exception @first (SDM vol. 3, table 6-5)
 * @first: the vector being delivered
 * @second: the vector raised meanwhile
 *
 * Return: %X86_TRAP_DF when the pair makes a double fault, -1 when it makes
 * a triple fault (a fault while delivering #DF), else @second: the two are
 * handled serially and the first is lost, as a benign one is.
 */
int minivm_exception_merge(unsigned int first, unsigned int second)
{
	bool c1 = EXC_CONTRIBUTORY & BIT(first), c2 = EXC_CONTRIBUTORY & BIT(second);

	if (first == X86_TRAP_DF)
		return -1;
	if ((c1 && c2) || (first == X86_TRAP_PF && (c2 || second == X86_TRAP_PF)))
		return X86_TRAP_DF;
	return second;
}

/**
 * minivm_queue_exception() - raise exception @vector in the guest
 * @vcpu: the vCPU
 * @vector: the exception
 * @error_code: its error code, used only when the exception has one
 *
 * Delivered by the next entry. One already pending merges with it as the
 * CPU would; a fault while delivering #DF shuts the guest down.
 */
void minivm_queue_exception(struct minivm_vcpu *vcpu, unsigned int vector, u32 error_code)
{
	struct minivm_event *exc = &vcpu->ev.exception;
	int merged = vector;

	if (exc->type == MINIVM_EVENT_EXCEPTION)
		merged = minivm_exception_merge(exc->vector, vector);
	if (merged < 0) {
		exc->type = MINIVM_EVENT_NONE;
		vcpu->ev.triple_fault = true;
		return;
	}
	if (merged == X86_TRAP_DF)
		error_code = 0;
	exc->type = MINIVM_EVENT_EXCEPTION;
	exc->vector = merged;
	exc->has_error_code = minivm_exception_has_error(merged);
	exc->error_code = exc->has_error_code ? error_code : 0;
	vcpu->ev.has_cr2 = false;
	vcpu->ev.exception_ns = events_now();
}

/**
 * minivm_queue_interrupt() - queue an external interrupt (MINIVM_INTERRUPT)
 * @vcpu: the vCPU; none may be queued already
 * @vector: its vector
 */
void minivm_queue_interrupt(struct minivm_vcpu *vcpu, u8 vector)
{
	vcpu->ev.irq_vector = vector;
	vcpu->ev.irq_pending = true;
	vcpu->ev.irq_ns = events_now();
}

/**
 * minivm_queue_nmi() - make an NMI pending; one pending already absorbs it
 * @vcpu: the vCPU
 */
void minivm_queue_nmi(struct minivm_vcpu *vcpu)
{
	if (!vcpu->ev.nmi_pending)
		vcpu->ev.nmi_ns = events_now();
	vcpu->ev.nmi_pending = true;
}

/**
 * minivm_event_reinject() - the event the next entry must deliver again
 * @vcpu: the vCPU that exited
 * @type: MINIVM_EVENT_*
 * @vector: its vector
 * @has_error: whether it had an error code
 * @error_code: the error code
 *
 * Called by a backend right after an exit whose IDT-vectoring information
 * or EXITINTINFO names an event, and for a #DB or #AC it reflects (which
 * replaces it: both are benign, delivered serially).
 */
void minivm_event_reinject(struct minivm_vcpu *vcpu, u8 type, u8 vector, bool has_error,
			   u32 error_code)
{
	struct minivm_vcpu_events *ev = &vcpu->ev;
	bool again = ev->delivering.type == type && ev->delivering.vector == vector;

	ev->injected = (struct minivm_event) {
		.type = type, .vector = vector, .has_error_code = has_error,
		.error_code = has_error ? error_code : 0,
	};
	ev->injected_ns = again ? ev->delivering_ns : events_now();
}

/* The event the entry delivers, as the hardware takes it. */
static void events_deliver(struct minivm_vcpu *vcpu, struct minivm_event *ev)
{
	u64 since = vcpu->ev.injected_ns;

	/* Real mode delivers no error code (and VM entry refuses one). */
	if (ev->has_error_code && !(minivm_be->get_cr(vcpu, 0) & X86_CR0_PE)) {
		ev->has_error_code = 0;
		ev->error_code = 0;
	}
	minivm_be->inject_event(vcpu, ev);
	if (trace_minivm_inject_enabled())
		trace_minivm_inject(vcpu->vm->id, vcpu->id, ev->type, ev->vector, ev->error_code,
				    since ? ktime_get_ns() - since : 0);
	vcpu->ev.delivering = *ev;
	vcpu->ev.delivering_ns = since;
	vcpu->ev.injected.type = MINIVM_EVENT_NONE;
}

/**
 * minivm_events_decide() - choose what the next entry delivers, when
 * minivm_events_enter() found something to decide
 * @vcpu: the vCPU about to enter; interrupts off, loaded on this CPU
 */
void minivm_events_decide(struct minivm_vcpu *vcpu)
{
	struct minivm_vcpu_events *ev = &vcpu->ev;
	struct minivm_event_state st;
	unsigned int windows = 0;
	int apic_irq = -1;
	bool irq_open;

	/* First, so an NMI another vCPU sent joins the queue below. */
	if (READ_ONCE(ev->apic_pending))
		apic_irq = minivm_lapic_next_irq(vcpu);
	st = static_call(minivm_be_get_event_state)(vcpu);
	if (!ev->injected.type && ev->exception.type) {
		if (ev->has_cr2)
			minivm_be->set_cr2(vcpu, ev->cr2);
		ev->has_cr2 = false;
		ev->injected = ev->exception;
		ev->injected_ns = ev->exception_ns;
		ev->exception.type = MINIVM_EVENT_NONE;
	}
	if (!ev->injected.type && ev->nmi_pending && !st.nmi_masked && !st.shadow) {
		ev->injected = (struct minivm_event) {
			.type = MINIVM_EVENT_NMI, .vector = X86_TRAP_NMI,
		};
		ev->injected_ns = ev->nmi_ns;
		ev->nmi_pending = false;
	}
	irq_open = (st.rflags & X86_EFLAGS_IF) && !st.shadow;
	if (!ev->injected.type && ev->irq_pending && irq_open) {
		ev->injected = (struct minivm_event) {
			.type = MINIVM_EVENT_INTERRUPT, .vector = ev->irq_vector,
		};
		ev->injected_ns = ev->irq_ns;
		ev->irq_pending = false;
	} else if (!ev->injected.type && apic_irq >= 0 && irq_open) {
		/* The APIC's interrupt goes into service as the CPU takes it. */
		ev->injected_ns = minivm_lapic_ack(vcpu, apic_irq);
		ev->injected = (struct minivm_event) {
			.type = MINIVM_EVENT_INTERRUPT, .vector = apic_irq,
		};
		apic_irq = -1;
	}
	/*
	 * An interrupt in delivery needs what its first delivery needed (IF,
	 * no shadow), an NMI no MOV SS shadow: one MINIVM_SET_EVENTS put there
	 * against that waits for its window, the same on both vendors (VMX
	 * entry would refuse it, SVM would deliver it regardless).
	 */
	if ((ev->injected.type == MINIVM_EVENT_INTERRUPT && !irq_open) ||
	    (ev->injected.type == MINIVM_EVENT_NMI && (st.shadow & MINIVM_EVENTS_MOV_SS_SHADOW)))
		windows |= ev->injected.type == MINIVM_EVENT_NMI ? MINIVM_WINDOW_NMI :
			   MINIVM_WINDOW_IRQ;
	else if (ev->injected.type)
		events_deliver(vcpu, &ev->injected);
	/*
	 * Come back when the rest can be taken. An NMI held only by an STI
	 * shadow waits for the interrupt window (IF is set under STI's
	 * shadow, so it opens after one instruction): VMX may report the NMI
	 * window open while STI blocks, and entering again would exit again.
	 */
	if (ev->irq_pending || ev->want_irq_window || apic_irq >= 0)
		windows |= MINIVM_WINDOW_IRQ;
	if (ev->nmi_pending)
		windows |= (st.nmi_masked || (st.shadow & MINIVM_EVENTS_MOV_SS_SHADOW)) ?
			   MINIVM_WINDOW_NMI : MINIVM_WINDOW_IRQ;
	if (windows != ev->windows) {
		minivm_be->set_windows(vcpu, windows);
		ev->windows = windows;
	}
}

/**
 * minivm_events_delivered() - after an exit that followed a delivery: an
 * entry that failed delivered nothing, so the event waits again
 * @vcpu: the vCPU; interrupts off, loaded on this CPU
 * @exit: the decoded exit
 */
void minivm_events_delivered(struct minivm_vcpu *vcpu, const struct minivm_exit *exit)
{
	struct minivm_vcpu_events *ev = &vcpu->ev;

	if (exit->kind == MINIVM_KIND_FAIL_ENTRY && !ev->injected.type)
		ev->injected = ev->delivering;
	ev->delivering.type = MINIVM_EVENT_NONE;
}

/**
 * minivm_events_wake() - whether a HLT ends at once: an event is there
 * @vcpu: the vCPU that executed HLT; preemption off, loaded on this CPU
 *
 * Return: true when an exception (or an NMI, in delivery) is pending, an
 * NMI is pending and NMIs are not blocked, or an interrupt is queued (or
 * in delivery, or the in-kernel APIC has one above its priority) and
 * RFLAGS.IF is set (HLT's own exit leaves no shadow).
 */
bool minivm_events_wake(struct minivm_vcpu *vcpu)
{
	struct minivm_vcpu_events *ev = &vcpu->ev;
	struct minivm_event_state st;
	/* First: it also moves an NMI another vCPU sent into the queue. */
	bool apic = READ_ONCE(ev->apic_pending) && minivm_lapic_next_irq(vcpu) >= 0;
	u8 injected = ev->injected.type;
	bool irq = apic || ev->irq_pending || injected == MINIVM_EVENT_INTERRUPT;

	if (ev->exception.type || (injected && injected != MINIVM_EVENT_INTERRUPT))
		return true;
	if (!irq && !ev->nmi_pending)
		return false;
	st = static_call(minivm_be_get_event_state)(vcpu);
	return (ev->nmi_pending && !st.nmi_masked) || (irq && (st.rflags & X86_EFLAGS_IF));
}

/**
 * minivm_events_busy() - whether an event keeps an interrupt from being taken
 * @vcpu: the vCPU
 *
 * Return: true while an event waits to be delivered or an interrupt is
 * queued (what &minivm_run.ready_for_interrupt_injection reports).
 */
bool minivm_events_busy(const struct minivm_vcpu *vcpu)
{
	const struct minivm_vcpu_events *ev = &vcpu->ev;

	return ev->injected.type || ev->exception.type || ev->irq_pending;
}

/**
 * minivm_events_get() - %MINIVM_GET_EVENTS
 * @vcpu: the vCPU, loaded on this CPU
 * @out: filled
 */
void minivm_events_get(struct minivm_vcpu *vcpu, struct minivm_events *out)
{
	struct minivm_vcpu_events *ev = &vcpu->ev;
	struct minivm_event_state st;

	st = static_call(minivm_be_get_event_state)(vcpu);
	memset(out, 0, sizeof(*out));
	/*
	 * An event taken leaves its vector behind with type NONE, which
	 * SET_EVENTS refuses: none reads as all zeroes.
	 */
	if (ev->injected.type)
		out->injected = ev->injected;
	if (ev->exception.type)
		out->exception = ev->exception;
	if (ev->exception.type && ev->has_cr2) {
		out->exception_cr2 = ev->cr2;
		out->flags |= MINIVM_EVENTS_EXCEPTION_CR2;
	}
	out->interrupt_pending = ev->irq_pending;
	out->interrupt_vector = ev->irq_pending ? ev->irq_vector : 0;
	out->nmi_pending = ev->nmi_pending;
	out->nmi_masked = st.nmi_masked;
	out->flags |= st.shadow;
}

/**
 * minivm_events_set() - %MINIVM_SET_EVENTS
 * @vcpu: the vCPU, loaded on this CPU
 * @in: the state, from userspace
 *
 * Return: 0, or -EINVAL (nothing changed) for a reserved field, an unknown
 * flag, an event no CPU delivers, a pending exception beside an event in
 * delivery, CR2 for anything but #PF, both shadows, or STI's shadow with
 * RFLAGS.IF clear.
 */
int minivm_events_set(struct minivm_vcpu *vcpu, const struct minivm_events *in)
{
	struct minivm_vcpu_events *ev = &vcpu->ev;
	struct minivm_event_state st;
	u32 shadow = in->flags & (MINIVM_EVENTS_STI_SHADOW | MINIVM_EVENTS_MOV_SS_SHADOW);
	bool cr2 = in->flags & MINIVM_EVENTS_EXCEPTION_CR2;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(in->reserved); i++)
		if (in->reserved[i])
			return -EINVAL;
	if (in->flags & ~(MINIVM_EVENTS_STI_SHADOW | MINIVM_EVENTS_MOV_SS_SHADOW |
			  MINIVM_EVENTS_EXCEPTION_CR2))
		return -EINVAL;
	if (!minivm_event_valid(&in->injected) || !minivm_event_valid(&in->exception) ||
	    (in->exception.type != MINIVM_EVENT_NONE &&
	     in->exception.type != MINIVM_EVENT_EXCEPTION) ||
	    (in->exception.type && in->injected.type))
		return -EINVAL;
	if (cr2 && (in->exception.type != MINIVM_EVENT_EXCEPTION ||
		    in->exception.vector != X86_TRAP_PF))
		return -EINVAL;
	if (!cr2 && in->exception_cr2)
		return -EINVAL;
	if (in->interrupt_pending > 1 || (!in->interrupt_pending && in->interrupt_vector) ||
	    in->nmi_pending > 1 || in->nmi_masked > 1)
		return -EINVAL;
	st = static_call(minivm_be_get_event_state)(vcpu);
	if (shadow == (MINIVM_EVENTS_STI_SHADOW | MINIVM_EVENTS_MOV_SS_SHADOW) ||
	    ((shadow & MINIVM_EVENTS_STI_SHADOW) && !(st.rflags & X86_EFLAGS_IF)))
		return -EINVAL;

	ev->injected = in->injected;
	ev->exception = in->exception;
	ev->has_cr2 = cr2;
	ev->cr2 = in->exception_cr2;
	ev->irq_pending = in->interrupt_pending;
	ev->irq_vector = in->interrupt_vector;
	ev->nmi_pending = in->nmi_pending;
	ev->triple_fault = false;
	ev->injected_ns = events_now();
	ev->exception_ns = ev->injected_ns;
	ev->irq_ns = ev->injected_ns;
	ev->nmi_ns = ev->injected_ns;
	minivm_be->set_event_state(vcpu, shadow, in->nmi_masked);
	return 0;
}

/**
 * minivm_events_reset() - no event at all, as after RESET or INIT
 * @vcpu: the vCPU, loaded on this CPU
 */
void minivm_events_reset(struct minivm_vcpu *vcpu)
{
	unsigned int windows = vcpu->ev.windows;

	memset(&vcpu->ev, 0, sizeof(vcpu->ev));
	vcpu->ev.windows = windows;
	minivm_be->set_event_state(vcpu, 0, false);
}
