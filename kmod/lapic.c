// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: the local APIC in the kernel (Intel SDM vol. 3, chapter 11).
 *
 * One per vCPU of a VM created with MINIVM_VM_LAPIC, as in KVM's split
 * irqchip: the APIC is on the hot path (timer interrupts, EOIs, IPIs, HLT
 * wake-ups), the IOAPIC, PIC and PIT stay in userspace and reach the APICs
 * through MSI-format messages. The guest sees the xAPIC register page at
 * IA32_APIC_BASE (MMIO, decoded from EPT/NPT faults on that page) or, once
 * it sets x2APIC mode, MSRs 0x800-0x8ff; both end in minivm_lapic_read()
 * and minivm_lapic_write(), which keep the xAPIC's layout.
 *
 * Interrupts reach an APIC from its timer (hard interrupt context, any
 * CPU), from other vCPUs' ICR writes and from its own vCPU: each sets an
 * IRR bit atomically, marks the vCPU's events pending and kicks the vCPU
 * (minivm_vcpu_kick()). Everything else in the page belongs to the vCPU's
 * own thread. The core's events code (events.c) asks minivm_lapic_next_irq()
 * for the vector the priority rules let through and acknowledges it with
 * minivm_lapic_ack() when the guest takes it.
 */
#include <linux/hrtimer.h>
#include <linux/math64.h>
#include <linux/rcuwait.h>
#include <linux/slab.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include <asm/smp.h>
#include <asm/tsc.h>
#include "apic_rules.h"
#include "lapic.h"
#include "minivm.h"

#define APIC_VERSION	0x14	/* an integrated xAPIC */
#define APIC_MAX_LVT	5	/* timer, thermal, performance, LINT0, LINT1, error */
#define X2APIC_MSR_LAST	(APIC_BASE_MSR + 0xff)
/* One timer tick before the divider is one nanosecond. */
static_assert(MINIVM_LAPIC_BUS_HZ == NSEC_PER_SEC);

/* The registers each mode has, one bit per 16-byte slot (offset >> 4). */
#define SLOT(off)	BIT_ULL((off) >> 4)
#define SLOTS(lo, hi)	GENMASK_ULL((hi) >> 4, (lo) >> 4)
#define READABLE_BOTH	(SLOT(APIC_ID) | SLOT(APIC_LVR) | SLOT(APIC_TASKPRI) |	\
			 SLOT(APIC_PROCPRI) | SLOT(APIC_LDR) | SLOT(APIC_SPIV) |	\
			 SLOTS(APIC_ISR, APIC_IRR + 0x70) | SLOT(APIC_ESR) |	\
			 SLOT(APIC_ICR) | SLOTS(APIC_LVTT, APIC_LVTERR) |	\
			 SLOT(APIC_TMICT) | SLOT(APIC_TMCCT) | SLOT(APIC_TDCR))
#define READABLE_XAPIC	(READABLE_BOTH | SLOT(APIC_ARBPRI) | SLOT(APIC_EOI) |	\
			 SLOT(APIC_RRR) | SLOT(APIC_DFR) | SLOT(APIC_ICR2))
#define READABLE_X2APIC	READABLE_BOTH

/* Writable bits of each LVT entry (delivery status and remote IRR are read-only). */
#define LVT_TIMER_BITS	(APIC_VECTOR_MASK | APIC_LVT_MASKED | (3 << 17))
#define LVT_MODE_BITS	(APIC_VECTOR_MASK | APIC_MODE_MASK | APIC_LVT_MASKED)
#define LVT_LINT_BITS	(LVT_MODE_BITS | APIC_INPUT_POLARITY | APIC_LVT_LEVEL_TRIGGER)
#define LVT_ERROR_BITS	(APIC_VECTOR_MASK | APIC_LVT_MASKED)
#define LVT_TIMER_MODE(lvt)	((lvt) & (3 << 17))

static u32 *apic_reg(struct minivm_lapic *apic, u32 offset)
{
	return &apic->regs[offset >> 2];
}

/* The word of IRR, ISR or TMR at @base that holds @vector, as bitops want it. */
static unsigned long *apic_vec_word(struct minivm_lapic *apic, u32 base, u8 vector)
{
	return (unsigned long *)apic_reg(apic, base + (vector >> 5) * 0x10);
}

static bool apic_x2(const struct minivm_lapic *apic)
{
	return apic->vcpu->apic_base & X2APIC_ENABLE;
}

static bool apic_hw_enabled(const struct minivm_lapic *apic)
{
	return apic->vcpu->apic_base & MSR_IA32_APICBASE_ENABLE;
}

static bool apic_sw_enabled(struct minivm_lapic *apic)
{
	return READ_ONCE(*apic_reg(apic, APIC_SPIV)) & APIC_SPIV_APIC_ENABLED;
}

static u32 apic_id(struct minivm_lapic *apic)
{
	u32 id = READ_ONCE(*apic_reg(apic, APIC_ID));

	return apic_x2(apic) ? id : id >> 24;
}

static u8 apic_ppr(struct minivm_lapic *apic)
{
	return minivm_apic_ppr(*apic_reg(apic, APIC_TASKPRI),
			       minivm_apic_highest_vector(apic_reg(apic, APIC_ISR)));
}

/**
 * minivm_vcpu_kick() - make a vCPU look at its events soon
 * @vcpu: the vCPU; any context, another CPU's included
 *
 * Called after the event is recorded. A vCPU in guest mode on another CPU
 * gets an IPI, which exits the guest; one about to enter sees the event
 * (the barrier pairs with the one between setting vcpu->mode and reading
 * events at entry); one sleeping in HLT is woken.
 */
void minivm_vcpu_kick(struct minivm_vcpu *vcpu)
{
	int cpu, me;

	WRITE_ONCE(vcpu->kicked, 1);
	smp_mb();	/* the event and the kick flag before the vCPU's mode */
	if (READ_ONCE(vcpu->mode) == MINIVM_IN_GUEST) {
		cpu = READ_ONCE(vcpu->cpu);
		me = get_cpu();
		if (cpu != me && cpu >= 0)
			smp_send_reschedule(cpu);
		put_cpu();
	}
	rcuwait_wake_up(&vcpu->wait);
}

static void apic_error(struct minivm_lapic *apic, u32 bit);

/**
 * minivm_lapic_irq() - an interrupt arrives at the APIC
 * @apic: the APIC
 * @vector: its vector
 * @level: level-triggered (TMR set, so EOI has to tell the IOAPIC)
 *
 * Any context. A vector below 16 is illegal (an error, not an interrupt).
 */
void minivm_lapic_irq(struct minivm_lapic *apic, u8 vector, bool level)
{
	if (vector < 16) {
		apic_error(apic, APIC_ESR_RECVILL);
		return;
	}
	if (level)
		set_bit(vector & 31, apic_vec_word(apic, APIC_TMR, vector));
	else
		clear_bit(vector & 31, apic_vec_word(apic, APIC_TMR, vector));
	set_bit(vector & 31, apic_vec_word(apic, APIC_IRR, vector));
	if (trace_minivm_inject_enabled() && !READ_ONCE(apic->pending_ns))
		cmpxchg64(&apic->pending_ns, 0, ktime_get_ns());
	WRITE_ONCE(apic->vcpu->ev.apic_pending, 1);
	minivm_vcpu_kick(apic->vcpu);
}

/* An error: latched for the next ESR write, and the LVT error interrupt. */
static void apic_error(struct minivm_lapic *apic, u32 bit)
{
	u32 lvt = READ_ONCE(*apic_reg(apic, APIC_LVTERR));

	atomic_or(bit, &apic->esr_pending);
	if (!(lvt & APIC_LVT_MASKED) && (lvt & APIC_VECTOR_MASK) >= 16)
		minivm_lapic_irq(apic, lvt & APIC_VECTOR_MASK, false);
}

/* The timer's count or deadline was reached: its interrupt (LVT @lvt), unless masked. */
static void apic_timer_expired(struct minivm_lapic *apic, u32 lvt)
{
	if (!(lvt & APIC_LVT_MASKED))
		minivm_lapic_irq(apic, lvt & APIC_VECTOR_MASK, false);
}

/* The hrtimer behind the count or deadline expired (hard interrupt context). */
static enum hrtimer_restart apic_timer_fn(struct hrtimer *t)
{
	struct minivm_lapic *apic = container_of(t, struct minivm_lapic, timer);
	u32 lvt = READ_ONCE(*apic_reg(apic, APIC_LVTT));

	apic_timer_expired(apic, lvt);
	if (apic->period_ns) {
		hrtimer_forward_now(t, ns_to_ktime(apic->period_ns));
		return HRTIMER_RESTART;
	}
	if (LVT_TIMER_MODE(lvt) == APIC_LVT_TIMER_TSCDEADLINE)
		WRITE_ONCE(apic->tsc_deadline, 0);
	return HRTIMER_NORESTART;
}

static void apic_timer_stop(struct minivm_lapic *apic)
{
	hrtimer_cancel(&apic->timer);
	apic->period_ns = 0;
}

/* A write of the initial count (or of the mode): count down from it. */
static void apic_timer_start(struct minivm_lapic *apic)
{
	u32 lvt = *apic_reg(apic, APIC_LVTT), count = *apic_reg(apic, APIC_TMICT);
	u64 ns;

	apic_timer_stop(apic);
	if (LVT_TIMER_MODE(lvt) == APIC_LVT_TIMER_TSCDEADLINE || !count)
		return;
	ns = (u64)count * minivm_apic_timer_divisor(*apic_reg(apic, APIC_TDCR));
	if (LVT_TIMER_MODE(lvt) == APIC_LVT_TIMER_PERIODIC)
		apic->period_ns = max(ns, MINIVM_LAPIC_MIN_PERIOD_NS);
	hrtimer_start(&apic->timer, ktime_add_ns(ktime_get(), ns), HRTIMER_MODE_ABS_HARD);
}

/* The current count: what is left of this period, in timer ticks. */
static u32 apic_timer_current(struct minivm_lapic *apic)
{
	u32 lvt = *apic_reg(apic, APIC_LVTT);
	s64 left;

	if (LVT_TIMER_MODE(lvt) == APIC_LVT_TIMER_TSCDEADLINE || !hrtimer_active(&apic->timer))
		return 0;
	left = ktime_to_ns(hrtimer_get_remaining(&apic->timer));
	if (left <= 0)
		return 0;
	return div_u64(left, minivm_apic_timer_divisor(*apic_reg(apic, APIC_TDCR)));
}

/* IA32_TSC_DEADLINE: fire when the guest's TSC reaches @deadline (0 disarms). */
static void apic_set_tsc_deadline(struct minivm_lapic *apic, u64 deadline)
{
	u64 now, ns;

	apic_timer_stop(apic);
	/* Outside TSC-deadline mode the write is ignored (SDM 11.5.4.1). */
	if (LVT_TIMER_MODE(*apic_reg(apic, APIC_LVTT)) != APIC_LVT_TIMER_TSCDEADLINE)
		deadline = 0;
	apic->tsc_deadline = deadline;
	if (!deadline)
		return;
	now = rdtsc() + apic->vcpu->tsc_offset;
	/*
	 * A deadline already reached fires now, as on hardware: an hrtimer in
	 * the past would still wait for the host's next timer interrupt, and
	 * the guest could run on past the point where it must have the
	 * interrupt (the WRMSR, STI, NOP a guest may rely on).
	 */
	if (deadline <= now) {
		apic->tsc_deadline = 0;
		apic_timer_expired(apic, *apic_reg(apic, APIC_LVTT));
		return;
	}
	/* Far deadlines are bounded (2^44 ticks: hours), so the product fits. */
	ns = mul_u64_u32_div(min(deadline - now, 1ULL << 44), 1000000, tsc_khz ?: 1);
	hrtimer_start(&apic->timer, ktime_add_ns(ktime_get(), ns), HRTIMER_MODE_ABS_HARD);
}

/*
 * EOI: the highest vector in service is done. A level-triggered one (TMR
 * set: it came from the IOAPIC in userspace) must reach that IOAPIC, which
 * clears the pin's Remote IRR and sends the interrupt again if the line is
 * still asserted: the run ends with MINIVM_EXIT_EOI after the instruction.
 */
static void apic_eoi(struct minivm_lapic *apic)
{
	int vector = minivm_apic_highest_vector(apic_reg(apic, APIC_ISR));

	if (vector < 0)
		return;
	clear_bit(vector & 31, apic_vec_word(apic, APIC_ISR, vector));
	if (test_bit(vector & 31, apic_vec_word(apic, APIC_TMR, vector)))
		apic->eoi_exit = MINIVM_LAPIC_EOI_EXIT | vector;
	/* A lower vector may be deliverable now. */
	WRITE_ONCE(apic->vcpu->ev.apic_pending, 1);
}

/* minivm_lapic_eoi_exit()'s rare half: fill the run page. */
bool minivm_lapic_fill_eoi_exit(struct minivm_vcpu *vcpu)
{
	struct minivm_lapic *apic = vcpu->lapic;

	vcpu->run->exit_reason = MINIVM_EXIT_EOI;
	vcpu->run->eoi.vector = apic->eoi_exit & 0xff;
	vcpu->run->eoi.reserved = 0;
	apic->eoi_exit = 0;
	return true;
}

/* The x2APIC logical ID: cluster (ID bits 31:4) in 31:16, one member bit. */
static u32 x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | BIT(id & 0xf);
}

static enum minivm_apic_mode apic_mode(struct minivm_lapic *apic)
{
	if (apic_x2(apic))
		return MINIVM_APIC_X2APIC;
	return (*apic_reg(apic, APIC_DFR) >> 28) == 0xf ? MINIVM_APIC_XAPIC_FLAT :
							  MINIVM_APIC_XAPIC_CLUSTER;
}

/* Whether @apic is one of the destinations of an ICR or MSI. */
static bool apic_is_dest(struct minivm_lapic *apic, struct minivm_lapic *from, u32 shorthand,
			 bool logical, u32 dest)
{
	switch (shorthand) {
	case APIC_DEST_SELF:
		return apic == from;
	case APIC_DEST_ALLINC:
		return true;
	case APIC_DEST_ALLBUT:
		return apic != from;
	}
	return minivm_apic_match_dest(apic_mode(apic), apic_id(apic),
				      READ_ONCE(*apic_reg(apic, APIC_LDR)), logical, dest);
}

/* Ask @apic's vCPU to act on a request bit, kicking it. */
static void apic_request(struct minivm_lapic *apic, unsigned int req)
{
	set_bit(req, &apic->requests);
	WRITE_ONCE(apic->vcpu->ev.apic_pending, 1);
	minivm_vcpu_kick(apic->vcpu);
}

/* Hand one interrupt of an IPI or MSI to @apic. */
static void apic_accept(struct minivm_lapic *apic, u32 icr)
{
	if (!apic_hw_enabled(apic))
		return;
	switch (icr & APIC_MODE_MASK) {
	case APIC_DM_FIXED:
	case APIC_DM_LOWEST:
		if (apic_sw_enabled(apic))
			minivm_lapic_irq(apic, icr & APIC_VECTOR_MASK,
					 icr & APIC_INT_LEVELTRIG);
		break;
	case APIC_DM_NMI:
		apic_request(apic, MINIVM_LAPIC_REQ_NMI);
		break;
	case APIC_DM_INIT:
		/* "INIT level de-assert" (level 0, level-triggered) does nothing. */
		if ((icr & (APIC_INT_LEVELTRIG | APIC_INT_ASSERT)) != APIC_INT_LEVELTRIG)
			apic_request(apic, MINIVM_LAPIC_REQ_INIT);
		break;
	case APIC_DM_STARTUP:
		WRITE_ONCE(apic->sipi_vector, icr & APIC_VECTOR_MASK);
		apic_request(apic, MINIVM_LAPIC_REQ_SIPI);	/* set_bit orders the vector */
		break;
	default:
		break;	/* SMI and ExtINT: not delivered */
	}
}

/*
 * Send an IPI (from an APIC's ICR) or an MSI (@from NULL): @icr is the
 * ICR's low word, @dest the destination field (xAPIC: 8 bits; x2APIC: 32).
 * Lowest priority goes to the matching APIC with the lowest processor
 * priority (the lowest ID among equals). Returns how many APICs it reached.
 */
static int apic_send(struct minivm_vm *vm, struct minivm_lapic *from, u32 icr, u32 dest)
{
	struct minivm_lapic *lowest = NULL;
	u32 shorthand = icr & APIC_DEST_ALLBUT, mode = icr & APIC_MODE_MASK;
	bool logical = icr & APIC_DEST_LOGICAL;
	unsigned int i;
	int n = 0;

	if ((mode == APIC_DM_FIXED || mode == APIC_DM_LOWEST) &&
	    (icr & APIC_VECTOR_MASK) < 16) {
		if (from)
			apic_error(from, APIC_ESR_SENDILL);
		return 0;
	}
	for (i = 0; i < MINIVM_MAX_VCPUS; i++) {
		struct minivm_vcpu *vcpu = READ_ONCE(vm->vcpus[i]);
		struct minivm_lapic *apic = vcpu ? vcpu->lapic : NULL;

		if (!apic || !apic_is_dest(apic, from, shorthand, logical, dest))
			continue;
		if (mode != APIC_DM_LOWEST || shorthand) {
			apic_accept(apic, icr);
			n++;
			continue;
		}
		if (!lowest || apic_ppr(apic) < apic_ppr(lowest))
			lowest = apic;
	}
	if (lowest) {
		apic_accept(lowest, icr);
		n++;
	}
	return n;
}

/**
 * minivm_lapic_msi() - deliver an MSI-format message to a VM's APICs
 * @vm: the VM, created with MINIVM_VM_LAPIC
 * @address: the message address, checked (0xfee in bits 31:20)
 * @data: the message data, checked (bits 31:16 zero)
 *
 * Return: how many APICs the message reached.
 */
int minivm_lapic_msi(struct minivm_vm *vm, u64 address, u32 data)
{
	/* The data word is laid out as the ICR's low word; address bit 2 is logical mode. */
	u32 icr = (data & (APIC_VECTOR_MASK | APIC_MODE_MASK | APIC_INT_ASSERT |
			   APIC_INT_LEVELTRIG)) | ((address & BIT(2)) ? APIC_DEST_LOGICAL : 0);

	return apic_send(vm, NULL, icr, (address >> 12) & 0xff);
}

/**
 * minivm_lapic_read() - read an APIC register
 * @apic: the APIC; its vCPU's thread
 * @offset: the xAPIC offset (x2APIC MSR index - 0x800, times 16)
 * @value: the value: 32 bits, or 64 for the x2APIC ICR
 * @x2apic: the access is an x2APIC RDMSR
 *
 * Return: 0, or -EINVAL where the x2APIC raises #GP (no such register, or
 * a write-only one). The xAPIC reads 0 from a register it does not have.
 */
int minivm_lapic_read(struct minivm_lapic *apic, u32 offset, u64 *value, bool x2apic)
{
	u64 readable = x2apic ? READABLE_X2APIC : READABLE_XAPIC;

	*value = 0;
	if (offset >= 0x400 || (offset & 0xf) || !(readable & SLOT(offset)))
		return x2apic ? -EINVAL : 0;
	switch (offset) {
	case APIC_PROCPRI:
		*value = apic_ppr(apic);
		break;
	case APIC_TMCCT:
		*value = apic_timer_current(apic);
		break;
	case APIC_EOI:
	case APIC_ARBPRI:
	case APIC_RRR:
		break;
	case APIC_ICR:
		*value = *apic_reg(apic, APIC_ICR);
		if (x2apic)
			*value |= (u64)*apic_reg(apic, APIC_ICR2) << 32;
		break;
	default:
		*value = READ_ONCE(*apic_reg(apic, offset));
		break;
	}
	return 0;
}

static void apic_write_lvt(struct minivm_lapic *apic, u32 offset, u32 value)
{
	u32 bits, old = *apic_reg(apic, offset);

	switch (offset) {
	case APIC_LVTT:
		bits = LVT_TIMER_BITS;
		break;
	case APIC_LVT0:
	case APIC_LVT1:
		bits = LVT_LINT_BITS;
		break;
	case APIC_LVTERR:
		bits = LVT_ERROR_BITS;
		break;
	default:
		bits = LVT_MODE_BITS;
		break;
	}
	value = (value & bits) | (old & ~bits);
	/* A software-disabled APIC keeps every LVT entry masked. */
	if (!apic_sw_enabled(apic))
		value |= APIC_LVT_MASKED;
	WRITE_ONCE(*apic_reg(apic, offset), value);
	if (offset == APIC_LVTT && LVT_TIMER_MODE(value) != LVT_TIMER_MODE(old)) {
		/* A new mode starts disarmed (SDM 11.5.4.1). */
		apic_timer_stop(apic);
		apic->tsc_deadline = 0;
		*apic_reg(apic, APIC_TMICT) = 0;
	}
}

static void apic_write_svr(struct minivm_lapic *apic, u32 value)
{
	static const u32 lvts[] = {
		APIC_LVTT, APIC_LVTTHMR, APIC_LVTPC, APIC_LVT0, APIC_LVT1, APIC_LVTERR,
	};
	unsigned int i;

	WRITE_ONCE(*apic_reg(apic, APIC_SPIV),
		   value & (APIC_VECTOR_MASK | APIC_SPIV_APIC_ENABLED | APIC_SPIV_FOCUS_DISABLED));
	if (value & APIC_SPIV_APIC_ENABLED)
		return;
	for (i = 0; i < ARRAY_SIZE(lvts); i++)
		*apic_reg(apic, lvts[i]) |= APIC_LVT_MASKED;
}

/**
 * minivm_lapic_write() - write an APIC register
 * @apic: the APIC; its vCPU's thread
 * @offset: the xAPIC offset (x2APIC MSR index - 0x800, times 16)
 * @value: 32 bits, or 64 for the x2APIC ICR
 * @x2apic: the access is an x2APIC WRMSR
 *
 * Return: 0, or -EINVAL where the x2APIC raises #GP (no such register, a
 * read-only one, reserved bits). The xAPIC ignores writes to read-only or
 * missing registers.
 */
int minivm_lapic_write(struct minivm_lapic *apic, u32 offset, u64 value, bool x2apic)
{
	u32 v = value;
	int bad = x2apic ? -EINVAL : 0;

	if (offset >= 0x400 || (offset & 0xf))
		return bad;
	if (x2apic && offset != APIC_ICR && (value >> 32))
		return -EINVAL;
	switch (offset) {
	case APIC_ID:
		if (x2apic)
			return -EINVAL;
		WRITE_ONCE(*apic_reg(apic, APIC_ID), v & 0xff000000);
		break;
	case APIC_TASKPRI:
		if (x2apic && (v & ~0xffU))
			return -EINVAL;
		*apic_reg(apic, APIC_TASKPRI) = v & 0xff;
		WRITE_ONCE(apic->vcpu->ev.apic_pending, 1);
		break;
	case APIC_EOI:
		if (x2apic && v)
			return -EINVAL;
		apic_eoi(apic);
		break;
	case APIC_LDR:
		if (x2apic)
			return -EINVAL;
		WRITE_ONCE(*apic_reg(apic, APIC_LDR), v & APIC_LDR_MASK);
		break;
	case APIC_DFR:
		if (x2apic)
			return -EINVAL;
		*apic_reg(apic, APIC_DFR) = v | APIC_DFR_CLUSTER;
		break;
	case APIC_SPIV:
		if (x2apic && (v & ~0x1ffU))
			return -EINVAL;
		apic_write_svr(apic, v);
		break;
	case APIC_ESR:
		if (x2apic && v)
			return -EINVAL;
		*apic_reg(apic, APIC_ESR) = atomic_xchg(&apic->esr_pending, 0);
		break;
	case APIC_ICR:
		/* Delivery is immediate: the send-pending bit never reads 1. */
		v &= ~APIC_ICR_BUSY;
		if (x2apic)
			*apic_reg(apic, APIC_ICR2) = value >> 32;
		*apic_reg(apic, APIC_ICR) = v;
		apic_send(apic->vcpu->vm, apic, v, x2apic ? value >> 32 :
			  *apic_reg(apic, APIC_ICR2) >> 24);
		break;
	case APIC_ICR2:
		if (x2apic)
			return -EINVAL;
		*apic_reg(apic, APIC_ICR2) = v & 0xff000000;
		break;
	case APIC_LVTT:
		if (LVT_TIMER_MODE(v) == (3 << 17))
			return bad;	/* reserved mode */
		fallthrough;
	case APIC_LVTTHMR:
	case APIC_LVTPC:
	case APIC_LVT0:
	case APIC_LVT1:
	case APIC_LVTERR:
		apic_write_lvt(apic, offset, v);
		break;
	case APIC_TMICT:
		if (LVT_TIMER_MODE(*apic_reg(apic, APIC_LVTT)) == APIC_LVT_TIMER_TSCDEADLINE)
			break;	/* ignored in TSC-deadline mode */
		*apic_reg(apic, APIC_TMICT) = v;
		apic_timer_start(apic);
		break;
	case APIC_TDCR:
		if (x2apic && (v & ~0xbU))
			return -EINVAL;
		*apic_reg(apic, APIC_TDCR) = v & 0xb;
		break;
	case APIC_SELF_IPI:
		if (!x2apic)
			return 0;
		if (v & ~APIC_VECTOR_MASK)
			return -EINVAL;
		apic_send(apic->vcpu->vm, apic, APIC_DEST_SELF | v, 0);
		break;
	default:
		return bad;	/* read-only or missing */
	}
	return 0;
}

/**
 * minivm_lapic_msr() - RDMSR/WRMSR of an x2APIC register or IA32_TSC_DEADLINE
 * @vcpu: the vCPU, with an in-kernel APIC
 * @write: WRMSR, else RDMSR
 * @index: the MSR
 * @value: in for a write, out for a read
 *
 * Return: 0; -ENOENT when @index is not the APIC's; -EINVAL for #GP (x2APIC
 * registers while the APIC is not in x2APIC mode, and the x2APIC's rules).
 */
int minivm_lapic_msr(struct minivm_vcpu *vcpu, bool write, u32 index, u64 *value)
{
	struct minivm_lapic *apic = vcpu->lapic;

	if (index == MSR_IA32_TSC_DEADLINE) {
		if (write)
			apic_set_tsc_deadline(apic, *value);
		else
			*value = READ_ONCE(apic->tsc_deadline);
		return 0;
	}
	if (index < APIC_BASE_MSR || index > X2APIC_MSR_LAST)
		return -ENOENT;
	if (!apic_x2(apic))
		return -EINVAL;
	if (write)
		return minivm_lapic_write(apic, (index - APIC_BASE_MSR) << 4, *value, true);
	return minivm_lapic_read(apic, (index - APIC_BASE_MSR) << 4, value, true);
}

/**
 * minivm_lapic_set_base() - a write of IA32_APIC_BASE, bits already checked
 *	(minivm_apic_base_valid())
 * @vcpu: the vCPU, with an in-kernel APIC
 * @value: the new value
 *
 * Return: 0, or -EINVAL for the transitions the SDM forbids (11.12.5):
 * x2APIC mode without the enable bit, x2APIC back to xAPIC directly.
 */
int minivm_lapic_set_base(struct minivm_vcpu *vcpu, u64 value)
{
	struct minivm_lapic *apic = vcpu->lapic;
	bool x2 = value & X2APIC_ENABLE, en = value & MSR_IA32_APICBASE_ENABLE;
	u64 old = vcpu->apic_base;

	if ((x2 && !en) || (!x2 && en && (old & X2APIC_ENABLE)))
		return -EINVAL;
	vcpu->apic_base = value;
	if (!en) {
		/* Disabled: as after a reset, but the ID stays. */
		u32 id = *apic_reg(apic, APIC_ID);

		minivm_lapic_reset(vcpu);
		*apic_reg(apic, APIC_ID) = (old & X2APIC_ENABLE) ? id << 24 : id;
		vcpu->apic_base = value;
	} else if (x2 && !(old & X2APIC_ENABLE)) {
		u32 id = *apic_reg(apic, APIC_ID) >> 24;

		WRITE_ONCE(*apic_reg(apic, APIC_ID), id);
		WRITE_ONCE(*apic_reg(apic, APIC_LDR), x2apic_ldr(id));
	}
	return 0;
}

/**
 * minivm_lapic_mmio_hit() - whether a guest-physical address is the xAPIC page
 * @vcpu: the vCPU, with an in-kernel APIC
 * @gpa: the address an EPT/NPT fault reported
 */
bool minivm_lapic_mmio_hit(struct minivm_vcpu *vcpu, u64 gpa)
{
	u64 base = vcpu->apic_base;

	return (base & MSR_IA32_APICBASE_ENABLE) && !(base & X2APIC_ENABLE) &&
	       (gpa & PAGE_MASK) == (base & MSR_IA32_APICBASE_BASE & PAGE_MASK);
}

/**
 * minivm_lapic_next_irq() - the vector the APIC would interrupt with now
 * @vcpu: the vCPU; its thread, before an entry
 *
 * Clears the vCPU's apic_pending hint when nothing is deliverable (it is
 * set again by whatever changes that); folds NMIs other vCPUs sent.
 *
 * Return: the highest requested vector above the processor priority, or -1.
 */
int minivm_lapic_next_irq(struct minivm_vcpu *vcpu)
{
	struct minivm_lapic *apic = vcpu->lapic;
	int irr;

	WRITE_ONCE(vcpu->ev.apic_pending, 0);
	/* Clear the hint before reading IRR: a concurrent sender sets it after. */
	smp_mb();
	if (test_and_clear_bit(MINIVM_LAPIC_REQ_NMI, &apic->requests))
		minivm_queue_nmi(vcpu);
	irr = minivm_apic_highest_vector(apic_reg(apic, APIC_IRR));
	if (!minivm_apic_can_deliver(irr, apic_ppr(apic)))
		return -1;
	WRITE_ONCE(vcpu->ev.apic_pending, 1);
	return irr;
}

/**
 * minivm_lapic_ack() - the guest takes @vector: from IRR into ISR
 * @vcpu: the vCPU; its thread
 * @vector: what minivm_lapic_next_irq() returned
 *
 * Return: when the oldest interrupt not yet taken was requested, for
 * minivm_inject's latency; 0 when not known.
 */
u64 minivm_lapic_ack(struct minivm_vcpu *vcpu, u8 vector)
{
	struct minivm_lapic *apic = vcpu->lapic;

	clear_bit(vector & 31, apic_vec_word(apic, APIC_IRR, vector));
	set_bit(vector & 31, apic_vec_word(apic, APIC_ISR, vector));
	return READ_ONCE(apic->pending_ns) ? xchg(&apic->pending_ns, 0) : 0;
}

/**
 * minivm_lapic_reset() - the APIC's power-up and INIT state (SDM 11.4.7.1)
 * @vcpu: the vCPU; its own thread. Requests other vCPUs made stay (a
 *	start-up IPI right behind an INIT).
 */
void minivm_lapic_reset(struct minivm_vcpu *vcpu)
{
	static const u32 lvts[] = {
		APIC_LVTT, APIC_LVTTHMR, APIC_LVTPC, APIC_LVT0, APIC_LVT1, APIC_LVTERR,
	};
	struct minivm_lapic *apic = vcpu->lapic;
	unsigned int i;

	apic_timer_stop(apic);
	memset(apic->regs, 0, PAGE_SIZE);
	apic->tsc_deadline = 0;
	apic->eoi_exit = 0;
	atomic_set(&apic->esr_pending, 0);
	/* INIT leaves IA32_APIC_BASE, so an x2APIC stays one. */
	if (vcpu->apic_base & X2APIC_ENABLE) {
		*apic_reg(apic, APIC_ID) = vcpu->id;
		*apic_reg(apic, APIC_LDR) = x2apic_ldr(vcpu->id);
	} else {
		*apic_reg(apic, APIC_ID) = vcpu->id << 24;
	}
	*apic_reg(apic, APIC_LVR) = APIC_VERSION | (APIC_MAX_LVT << 16);
	*apic_reg(apic, APIC_DFR) = APIC_DFR_FLAT;
	*apic_reg(apic, APIC_SPIV) = 0xff;
	for (i = 0; i < ARRAY_SIZE(lvts); i++)
		*apic_reg(apic, lvts[i]) = APIC_LVT_MASKED;
	WRITE_ONCE(vcpu->ev.apic_pending, 0);
}

/**
 * minivm_lapic_create() - give a vCPU its APIC (in the reset state once
 *	vcpu_reset() runs)
 * @vcpu: the new vCPU
 *
 * Return: 0 or -ENOMEM.
 */
int minivm_lapic_create(struct minivm_vcpu *vcpu)
{
	struct minivm_lapic *apic = kzalloc(sizeof(*apic), GFP_KERNEL_ACCOUNT);

	if (!apic)
		return -ENOMEM;
	apic->regs = (u32 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!apic->regs) {
		kfree(apic);
		return -ENOMEM;
	}
	apic->vcpu = vcpu;
	hrtimer_init(&apic->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_HARD);
	apic->timer.function = apic_timer_fn;
	vcpu->lapic = apic;
	return 0;
}

/**
 * minivm_lapic_free() - stop the APIC's timer and free it
 * @vcpu: the vCPU, which nothing runs any more
 */
void minivm_lapic_free(struct minivm_vcpu *vcpu)
{
	struct minivm_lapic *apic = vcpu->lapic;

	if (!apic)
		return;
	hrtimer_cancel(&apic->timer);
	free_page((unsigned long)apic->regs);
	kfree(apic);
	vcpu->lapic = NULL;
}
