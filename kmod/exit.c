// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: what the core does with each kind of exit, once for both vendors.
 *
 * The backend has decoded the hardware's exit into a &struct minivm_exit;
 * here each kind is handled in one place, with interrupts still off and the
 * vCPU loaded, so the backend's hooks (skip, inject, get_cr) may touch the
 * VMCS/VMCB. What needs interrupts on (EPT/NPT faults, PDPTE loads, INS and
 * OUTS, which read guest memory) is left to the run loop in vcpu.c.
 */
#include <linux/rcupdate.h>
#include <linux/static_call.h>
#include <asm/trapnr.h>
#include <asm/processor-flags.h>
#include "minivm.h"

/**
 * minivm_exit_user() - end the run with @reason, the hardware's words attached
 * @vcpu: the vCPU
 * @reason: the MINIVM_EXIT_* userspace sees
 * @exit: the exit behind it
 */
void minivm_exit_user(struct minivm_vcpu *vcpu, u32 reason, const struct minivm_exit *exit)
{
	struct minivm_run *run = vcpu->run;

	vcpu->io_in_pending = false;	/* whatever was filled, this is the exit */
	run->exit_reason = reason;
	run->hw.qualification = exit->qualification;
	run->hw.info = exit->info;
	run->hw.rip = exit->rip;
}

/**
 * minivm_exit_user_io() - end the run with MINIVM_EXIT_IO for @exit's port
 * @vcpu: the vCPU
 * @exit: an IN, OUT, INS or OUTS (%MINIVM_KIND_IO)
 * @data: the value an OUT or OUTS writes; ignored for an IN
 *
 * An IN is completed by the next RUN with what userspace put in the run
 * page (vcpu_run()).
 */
void minivm_exit_user_io(struct minivm_vcpu *vcpu, const struct minivm_exit *exit, u64 data)
{
	struct minivm_run *run = vcpu->run;

	run->exit_reason = MINIVM_EXIT_IO;
	run->io.port = exit->io.port;
	run->io.size = exit->io.size;
	run->io.direction = exit->io.in ? MINIVM_IO_IN : MINIVM_IO_OUT;
	run->io.reserved = 0;
	run->io.data = data;
	vcpu->io_in_pending = exit->io.in;
}

static u64 edx_eax(const u64 *gpr)
{
	return (gpr[MINIVM_RDX] << 32) | (u32)gpr[MINIVM_RAX];
}

/*
 * Whether every port of the access is one the VMM said no device of its
 * decodes (MINIVM_SET_UNCLAIMED_PORTS). Interrupts are off: an RCU read
 * side.
 */
static bool io_unclaimed(const struct minivm_vcpu *vcpu, const struct minivm_exit *exit)
{
	const unsigned long *bits = rcu_dereference_sched(vcpu->vm->unclaimed_ports);
	unsigned int port = exit->io.port, end = port + exit->io.size;

	if (!bits || end > MINIVM_NR_PORTS)
		return false;
	for (; port < end; port++)
		if (!test_bit(port, bits))
			return false;
	return true;
}

/*
 * IN or OUT: to userspace, which completes an IN on the next RUN (vcpu.c);
 * on unclaimed ports finished here, as a bus with no device there would:
 * IN reads all ones (a 32-bit IN clears RAX's upper half), OUT goes nowhere.
 */
static void exit_io(struct minivm_vcpu *vcpu, struct minivm_exit *exit)
{
	unsigned int size = exit->io.size;

	if (io_unclaimed(vcpu, exit)) {
		u64 *rax = &vcpu->gpr[MINIVM_RAX];

		if (exit->io.in)
			*rax = size == 4 ? U32_MAX : *rax | GENMASK_ULL(size * 8 - 1, 0);
		static_call(minivm_be_skip)(vcpu, exit);
		exit->kind = MINIVM_KIND_CONTINUE;
		return;
	}
	minivm_exit_user_io(vcpu, exit, vcpu->gpr[MINIVM_RAX] & GENMASK_ULL(size * 8 - 1, 0));
	static_call(minivm_be_skip)(vcpu, exit);
	exit->kind = MINIVM_KIND_USER;
}

/*
 * RDMSR or WRMSR of the MSR in ECX; #GP for what the guest may not do.
 * Returns true when the run ends: an x2APIC EOI of a level-triggered vector.
 * Out of line: its value in memory would give every exit a stack canary.
 */
static noinline bool exit_msr(struct minivm_vcpu *vcpu, struct minivm_exit *exit, bool write)
{
	u64 *gpr = vcpu->gpr, value = edx_eax(gpr);

	if (minivm_msr(vcpu, write, gpr[MINIVM_RCX], &value)) {
		minivm_queue_exception(vcpu, X86_TRAP_GP, 0);
		return false;
	}
	if (!write) {
		gpr[MINIVM_RAX] = (u32)value;
		gpr[MINIVM_RDX] = value >> 32;
	}
	static_call(minivm_be_skip)(vcpu, exit);
	return write && minivm_lapic_eoi_exit(vcpu);
}

/* Each kind once; see minivm_handle_exit(). */
static void exit_decide(struct minivm_vcpu *vcpu, struct minivm_exit *exit)
{
	u64 *gpr = vcpu->gpr;

	switch (exit->kind) {
	case MINIVM_KIND_CPUID:
		minivm_cpuid(vcpu);
		static_call(minivm_be_skip)(vcpu, exit);
		break;
	case MINIVM_KIND_RDMSR:
	case MINIVM_KIND_WRMSR:
		if (!exit_msr(vcpu, exit, exit->kind == MINIVM_KIND_WRMSR)) {
			if (unlikely(vcpu->pvclock_pending)) {
				exit->kind = MINIVM_KIND_PVCLOCK;	/* guest memory: not here */
				return;
			}
			break;
		}
		exit->kind = MINIVM_KIND_USER;
		return;
	case MINIVM_KIND_XSETBV:
		if (minivm_set_xcr0(vcpu, gpr[MINIVM_RCX], edx_eax(gpr)))
			minivm_queue_exception(vcpu, X86_TRAP_GP, 0);
		else
			static_call(minivm_be_skip)(vcpu, exit);
		break;
	case MINIVM_KIND_IO:
		if (exit->io.string) {
			exit->kind = MINIVM_KIND_IO_STRING;
			return;
		}
		exit_io(vcpu, exit);
		return;
	case MINIVM_KIND_HLT:
		static_call(minivm_be_skip)(vcpu, exit);
		if (minivm_events_wake(vcpu))
			break;	/* the event the entry delivers ends the halt */
		if (vcpu->lapic) {
			exit->kind = MINIVM_KIND_HALT;	/* the run loop sleeps */
			return;
		}
		minivm_exit_user(vcpu, MINIVM_EXIT_HLT, exit);
		exit->kind = MINIVM_KIND_USER;
		return;
	case MINIVM_KIND_IRQ_WINDOW:
		if (!vcpu->ev.want_irq_window || minivm_events_busy(vcpu))
			break;	/* the next entry delivers what waits */
		minivm_exit_user(vcpu, MINIVM_EXIT_IRQ_WINDOW_OPEN, exit);
		exit->kind = MINIVM_KIND_USER;
		return;
	case MINIVM_KIND_NMI_WINDOW:
		break;		/* the next entry delivers the NMI */
	case MINIVM_KIND_HYPERCALL:
		gpr[MINIVM_RAX] = MINIVM_HYPERCALL_UNKNOWN;	/* none are defined */
		static_call(minivm_be_skip)(vcpu, exit);
		break;
	case MINIVM_KIND_INVD:
		/* Caches are coherent: nothing to drop. */
		static_call(minivm_be_skip)(vcpu, exit);
		break;
	case MINIVM_KIND_UD:
		minivm_queue_exception(vcpu, X86_TRAP_UD, 0);
		break;
	case MINIVM_KIND_SHUTDOWN:
		minivm_exit_user(vcpu, MINIVM_EXIT_SHUTDOWN, exit);
		exit->kind = MINIVM_KIND_USER;
		return;
	case MINIVM_KIND_FAIL_ENTRY:
		minivm_exit_user(vcpu, MINIVM_EXIT_FAIL_ENTRY, exit);
		exit->kind = MINIVM_KIND_USER;
		return;
	case MINIVM_KIND_OTHER:
		minivm_exit_user(vcpu, MINIVM_EXIT_UNHANDLED, exit);
		exit->kind = MINIVM_KIND_USER;
		return;
	default:
		return;		/* CONTINUE, or for the run loop */
	}
	exit->kind = MINIVM_KIND_CONTINUE;
}

/**
 * minivm_handle_exit() - handle a decoded exit
 * @vcpu: the vCPU that exited; interrupts off, loaded on this CPU
 * @exit: the decoded exit; on return its kind says what the run loop does
 *	next: %MINIVM_KIND_CONTINUE, %MINIVM_KIND_USER (the run page is
 *	filled), or one of the kinds the loop handles with interrupts on
 *	(%MINIVM_KIND_FAULT, %MINIVM_KIND_PDPTES, %MINIVM_KIND_IO_STRING,
 *	%MINIVM_KIND_HALT, %MINIVM_KIND_PVCLOCK)
 */
void minivm_handle_exit(struct minivm_vcpu *vcpu, struct minivm_exit *exit)
{
	exit_decide(vcpu, exit);
	/* An exception raised while #DF was pending: the CPU shuts down. */
	if (unlikely(vcpu->ev.triple_fault)) {
		vcpu->ev.triple_fault = false;
		minivm_exit_user(vcpu, MINIVM_EXIT_SHUTDOWN, exit);
		exit->kind = MINIVM_KIND_USER;
	}
}
