/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm: the local APIC of each vCPU, in the kernel (lapic.c), for VMs
 * created with MINIVM_VM_LAPIC. Vendor-neutral: the backends never see it;
 * the core asks it for the next interrupt when it decides an entry's events.
 */
#ifndef MINIVM_LAPIC_H
#define MINIVM_LAPIC_H

#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/types.h>

struct minivm_vcpu;
struct minivm_vm;
struct minivm_exit;

/* &minivm_lapic.requests: what another vCPU asked of this one. */
#define MINIVM_LAPIC_REQ_NMI	0
#define MINIVM_LAPIC_REQ_INIT	1
#define MINIVM_LAPIC_REQ_SIPI	2	/* with &minivm_lapic.sipi_vector */
#define MINIVM_LAPIC_REQ_INIT_SIPI	(BIT(MINIVM_LAPIC_REQ_INIT) | BIT(MINIVM_LAPIC_REQ_SIPI))

/**
 * struct minivm_lapic - one vCPU's local APIC
 * @vcpu: its vCPU
 * @regs: the register page as the xAPIC lays it out, regs[offset / 4]
 *	(IRR bits are set by other CPUs and the timer: atomic bitops only)
 * @timer: one-shot, periodic or TSC-deadline expiry, in hard interrupt
 *	context, on whichever CPU armed it; it runs on while the vCPU's
 *	thread sleeps or is scheduled out
 * @period_ns: periodic mode: the period; 0 in the other modes
 * @tsc_deadline: IA32_TSC_DEADLINE, in guest TSC ticks; 0 when disarmed
 * @esr_pending: errors since the last write of the error status register
 * @requests: MINIVM_LAPIC_REQ_* bits other vCPUs set, folded into the
 *	vCPU's events (NMI) or its state (INIT, SIPI) before its next entry
 * @sipi_vector: the vector of the last start-up IPI, written before its
 *	request bit
 * @eoi_exit: %MINIVM_LAPIC_EOI_EXIT | vector when userspace must hear of
 *	the guest's EOI of that vector (a level-triggered I/O APIC line)
 * @pending_ns: while minivm_inject is traced, when the first interrupt
 *	since the guest last took one was requested (0: none, or untraced)
 */
struct minivm_lapic {
	struct minivm_vcpu *vcpu;
	u32 *regs;
	struct hrtimer timer;
	u64 period_ns;
	u64 tsc_deadline;
	atomic_t esr_pending;
	unsigned long requests;
	u8 sipi_vector;
	u16 eoi_exit;
	u64 pending_ns;
};

#define MINIVM_LAPIC_EOI_EXIT	0x100

/*
 * The timer's input clock: 1 GHz, so one tick before the divider is one
 * nanosecond (as KVM's); a guest calibrates it as on any PC.
 */
#define MINIVM_LAPIC_BUS_HZ	1000000000ULL
/* The shortest period a guest may program: a hostile guest's timer storm is bounded. */
#define MINIVM_LAPIC_MIN_PERIOD_NS	100000ULL

int minivm_lapic_create(struct minivm_vcpu *vcpu);
void minivm_lapic_free(struct minivm_vcpu *vcpu);
void minivm_lapic_reset(struct minivm_vcpu *vcpu);
int minivm_lapic_set_base(struct minivm_vcpu *vcpu, u64 value);
int minivm_lapic_msr(struct minivm_vcpu *vcpu, bool write, u32 index, u64 *value);
int minivm_lapic_read(struct minivm_lapic *apic, u32 offset, u64 *value, bool x2apic);
int minivm_lapic_write(struct minivm_lapic *apic, u32 offset, u64 value, bool x2apic);
bool minivm_lapic_mmio_hit(struct minivm_vcpu *vcpu, u64 gpa);
int minivm_lapic_mmio(struct minivm_vcpu *vcpu, const struct minivm_exit *exit);
int minivm_lapic_next_irq(struct minivm_vcpu *vcpu);
u64 minivm_lapic_ack(struct minivm_vcpu *vcpu, u8 vector);
void minivm_lapic_fold_requests(struct minivm_vcpu *vcpu);
void minivm_lapic_irq(struct minivm_lapic *apic, u8 vector, bool level);
int minivm_lapic_msi(struct minivm_vm *vm, u64 address, u32 data);
void minivm_vcpu_kick(struct minivm_vcpu *vcpu);
bool minivm_lapic_fill_eoi_exit(struct minivm_vcpu *vcpu);

#endif /* MINIVM_LAPIC_H */
