// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: vCPU file descriptors and the run loop.
 *
 * The loop enters the guest through the backend, which decodes the exit;
 * the core handles it in the kernel when it must be there (exit.c: CPUID,
 * MSRs, XSETBV; here: EPT/NPT faults on RAM, PDPTE loads, INS/OUTS, which
 * need interrupts on). Anything else returns to userspace through the
 * shared run page. A vCPU struct lives as long as its VM, so the VM's
 * invalidation path may look at any vCPU without taking a reference.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/static_call.h>
#include <linux/uaccess.h>
#include <asm/apicdef.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include "arch_state.h"
#include "minivm.h"
#include "pvclock.h"

static u64 host_xcr0;

static int minivm_vcpu_release(struct inode *inode, struct file *file)
{
	struct minivm_vcpu *vcpu = file->private_data;

	fput(vcpu->vm->file);
	return 0;
}

static vm_fault_t minivm_run_fault(struct vm_fault *vmf)
{
	struct minivm_vcpu *vcpu = vmf->vma->vm_file->private_data;

	if (vmf->pgoff)
		return VM_FAULT_SIGBUS;
	vmf->page = virt_to_page(vcpu->run);
	get_page(vmf->page);
	return 0;
}

static const struct vm_operations_struct minivm_run_vm_ops = {
	.fault = minivm_run_fault,
};

static int minivm_vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff || vma->vm_end - vma->vm_start != PAGE_SIZE)
		return -EINVAL;
	vma->vm_ops = &minivm_run_vm_ops;
	return 0;
}

/* Put the value userspace read for an IN into the guest's RAX. */
static void vcpu_complete_io_in(struct minivm_vcpu *vcpu)
{
	u64 data = vcpu->run->io.data, rax = vcpu->gpr[MINIVM_RAX];

	switch (vcpu->run->io.size) {
	case 1:
		rax = (rax & ~0xffULL) | (data & 0xff);
		break;
	case 2:
		rax = (rax & ~0xffffULL) | (data & 0xffff);
		break;
	default:
		rax = (u32)data;
		break;
	}
	vcpu->gpr[MINIVM_RAX] = rax;
}

/* The backend's vcpu_load, which SVM does not need (a VMCB is not per CPU). */
static inline void vcpu_be_load(struct minivm_vcpu *vcpu, int cpu)
{
	if (minivm_be->vcpu_load)
		minivm_be->vcpu_load(vcpu, cpu);
}

/*
 * What ends a run or must run before the next entry: a signal, or the
 * scheduler wanting this CPU (RCU asks that way too, when this CPU holds up
 * a grace period).
 */
#define VCPU_RUN_WORK	(_TIF_SIGPENDING | _TIF_NOTIFY_SIGNAL | _TIF_NEED_RESCHED)

/* An external interrupt can be injected now: IF set, no shadow, nothing queued. */
static bool vcpu_window_open(struct minivm_vcpu *vcpu, const struct minivm_event_state *st)
{
	return (st->rflags & X86_EFLAGS_IF) && !st->shadow && !minivm_events_busy(vcpu);
}

/*
 * The run page's header, the same for every exit: the guest's event state.
 * The vCPU is loaded on this CPU, preemption off.
 */
static __always_inline void vcpu_fill_header(struct minivm_vcpu *vcpu)
{
	struct minivm_event_state st;
	struct minivm_run *run = vcpu->run;

	st = static_call(minivm_be_get_event_state)(vcpu);
	run->cr8 = st.cr8;
	run->if_flag = !!(st.rflags & X86_EFLAGS_IF);
	run->flags = st.shadow ? MINIVM_RUN_INTR_SHADOW : 0;
	run->ready_for_interrupt_injection = vcpu_window_open(vcpu, &st);
	run->reserved_out = 0;
}

/*
 * Exits the core finishes with interrupts off in a few hundred instructions
 * and that change nothing the entry path decided once per vcpu_enter(): after
 * them the guest is entered again at once (as KVM's fastpath exits are), with
 * the thread's flags and the APIC's INIT/SIPI requests looked at again. An
 * interrupt for the host (a kick, an IPI, the tick) is pending at the next
 * entry and makes the guest exit at once, with a kind not listed here.
 *
 * At most VCPU_REENTER_MAX times in a row, then interrupts go on anyway: an
 * emulated CPU need not exit for an interrupt that was pending before the
 * entry (Bochs 2.7 does not: a guest looping on CPUID held its host CPU
 * until RCU stalled), and the host's interrupts must not depend on that.
 */
#define VCPU_REENTER_MAX	64
static inline bool vcpu_reenter(const struct minivm_vcpu *vcpu, const struct minivm_exit *exit,
				unsigned int decoded)
{
	return exit->kind == MINIVM_KIND_CONTINUE && (BIT(decoded) & MINIVM_REENTER_KINDS) &&
	       !(read_thread_flags() & VCPU_RUN_WORK) &&
	       !(vcpu->lapic && (READ_ONCE(vcpu->lapic->requests) & MINIVM_LAPIC_REQ_INIT_SIPI));
}

/*
 * Entries and exits until one the run loop must see, interrupts off around
 * the part that must have them off.
 */
static void vcpu_enter(struct minivm_vcpu *vcpu, struct minivm_exit *exit)
{
	int cpu = get_cpu();
	bool flush = vcpu->cpu != cpu;
	bool debug_loaded;
	u64 gen, xcr0 = host_xcr0;
	unsigned int decoded, budget = VCPU_REENTER_MAX;
	unsigned long thread_flags;

	vcpu_be_load(vcpu, cpu);
	WRITE_ONCE(vcpu->cpu, cpu);	/* read by mmu_flush_guest_tlbs() */
	local_irq_disable();
	/*
	 * A signal or a reschedule that came after vcpu_run() looked and before
	 * interrupts went off would wait in the guest for the host's next
	 * interrupt: look again, now that nothing can slip in, and do not enter.
	 */
	thread_flags = read_thread_flags();
	if (unlikely(thread_flags & VCPU_RUN_WORK)) {
		local_irq_enable();
		put_cpu();
		exit->kind = MINIVM_KIND_CONTINUE;
		return;
	}
	/*
	 * The guest's FPU registers went to its fpstate when this thread was
	 * scheduled out (cond_resched() in the run loop) or the kernel used the
	 * FPU; the CPU now holds another task's or the kernel's. Load them back
	 * (with the host's XCR0), or the guest would run on those.
	 */
	if (thread_flags & _TIF_NEED_FPU_LOAD)
		switch_fpu_return();
	WRITE_ONCE(vcpu->mode, MINIVM_IN_GUEST);
	smp_mb();	/* pairs with mmu_flush_guest_tlbs() */
	do {
		/* Only an entry that happens closes the exit's latency. */
		if (trace_minivm_entry_enabled() && vcpu->exit_ns) {
			trace_minivm_entry(vcpu->vm->id, vcpu->id, minivm_be->vendor,
					   vcpu->exit_reason, ktime_get_ns() - vcpu->exit_ns);
			vcpu->exit_ns = 0;
		}
		gen = atomic64_read(&vcpu->vm->tlb_gen);
		if (unlikely(gen != vcpu->tlb_gen)) {
			flush = true;
			vcpu->tlb_gen = gen;
		}
		/*
		 * XCR0 holds the guest's while it runs; what it holds is kept
		 * in @xcr0, as the exit may be the guest's XSETBV and the
		 * host's must come back whatever the guest's is after it.
		 */
		if (vcpu->xcr0 != xcr0) {
			xcr0 = vcpu->xcr0;
			xsetbv(XCR_XFEATURE_ENABLED_MASK, xcr0);
		}
		if (unlikely(vcpu->tsc_aux_cpu != cpu) && minivm_caps.rdtscp)
			minivm_vcpu_load_tsc_aux(vcpu, cpu);
		minivm_events_enter(vcpu);
		debug_loaded = minivm_debug_enter(vcpu);
		static_call(minivm_be_vcpu_run)(vcpu, flush, exit);
		minivm_debug_exit(vcpu, exit, debug_loaded);
		minivm_events_exit(vcpu, exit);
		decoded = exit->kind;
		minivm_handle_exit(vcpu, exit);
		flush = false;
	} while (--budget && vcpu_reenter(vcpu, exit, decoded));
	if (vcpu->host_deferred)
		minivm_be->leave(vcpu);
	/* The run ends here: the header while the vCPU is loaded anyway. */
	if (exit->kind == MINIVM_KIND_USER)
		vcpu_fill_header(vcpu);
	if (xcr0 != host_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, host_xcr0);
	WRITE_ONCE(vcpu->mode, MINIVM_OUTSIDE_GUEST);
	local_irq_enable();
	put_cpu();
}

/*
 * The four PAE PDPTEs of the table at @cr3 (bits 31:5), checked: 0, or
 * -EINVAL when one has a reserved bit set or the table is not in RAM.
 */
static int vcpu_read_pdptes(struct minivm_vcpu *vcpu, u64 cr3, u64 *pdpte)
{
	if (minivm_read_guest(vcpu, (u32)cr3 & ~0x1fU, pdpte, 4 * sizeof(u64)) ||
	    !minivm_pdptes_valid(pdpte, boot_cpu_data.x86_phys_bits))
		return -EINVAL;
	return 0;
}

/*
 * An instruction the backend emulates enters PAE paging (VMX: MOV to CR0
 * setting PG, MOV to CR3 when it exits): the PDPTEs are read here, with
 * interrupts on, and the backend completes it or raises #GP. Out of line:
 * its array would give every run a stack canary.
 */
static noinline void vcpu_load_pdptes(struct minivm_vcpu *vcpu, u64 cr3)
{
	u64 pdpte[4];

	minivm_be->load_pdptes(vcpu, vcpu_read_pdptes(vcpu, cr3, pdpte) ? NULL : pdpte);
}

/*
 * The run page's in fields, read once, in one load: its first eight bytes
 * are request_interrupt_window and immediate_exit, each 0 or 1, and six
 * reserved bytes, which must be zero. Return: 1 to end the run at once, 0
 * to run, or -EINVAL.
 */
#define RUN_IN_WINDOW	BIT_ULL(0)
#define RUN_IN_NOW	BIT_ULL(8)
static_assert(offsetof(struct minivm_run, request_interrupt_window) == 0);
static_assert(offsetof(struct minivm_run, immediate_exit) == 1);
static_assert(offsetof(struct minivm_run, reserved_in) == 2);
static_assert(offsetof(struct minivm_run, exit_reason) == sizeof(u64));

static int vcpu_run_check(struct minivm_vcpu *vcpu)
{
	u64 in = READ_ONCE(*(const u64 *)vcpu->run);

	if (in & ~(RUN_IN_WINDOW | RUN_IN_NOW))
		return -EINVAL;
	vcpu->ev.want_irq_window = in & RUN_IN_WINDOW;
	return !!(in & RUN_IN_NOW);
}

/* The guest's interrupt flag, shadow and CR8, read on a CPU it is loaded on. */
static void vcpu_event_state(struct minivm_vcpu *vcpu, struct minivm_event_state *st)
{
	int cpu = get_cpu();

	vcpu_be_load(vcpu, cpu);
	*st = static_call(minivm_be_get_event_state)(vcpu);
	put_cpu();
}

/* The header for a run that did not end right after an exit to userspace. */
static void vcpu_run_header(struct minivm_vcpu *vcpu)
{
	int cpu = get_cpu();

	vcpu_be_load(vcpu, cpu);
	vcpu_fill_header(vcpu);
	put_cpu();
}

/*
 * Whether an event ends the guest's HLT: the vCPU loaded here for the
 * interrupt flag and NMI blocking, which decide it.
 */
static bool vcpu_wakes(struct minivm_vcpu *vcpu)
{
	int cpu = get_cpu();
	bool wake;

	vcpu_be_load(vcpu, cpu);
	wake = minivm_events_wake(vcpu);
	put_cpu();
	return wake;
}

/*
 * Whether the interrupt window userspace asked for is open in a halted
 * vCPU. A HLT does not wait for an interrupt only userspace can give (its
 * 8259s'): the run returns MINIVM_EXIT_IRQ_WINDOW_OPEN, userspace injects,
 * and the next run wakes.
 */
static bool vcpu_halted_window_open(struct minivm_vcpu *vcpu)
{
	struct minivm_event_state st;

	if (!vcpu->ev.want_irq_window)
		return false;
	vcpu_event_state(vcpu, &st);
	return vcpu_window_open(vcpu, &st);
}

static void vcpu_init_state(struct minivm_vcpu *vcpu);

/*
 * INIT and start-up IPIs other vCPUs sent (lapic.c): INIT puts the vCPU in
 * its INIT state; the bootstrap CPU then runs from the reset vector, the
 * others wait for a start-up IPI, which starts them in real mode at
 * vector << 12 and is ignored unless the vCPU waits for it.
 */
static void vcpu_init_sipi(struct minivm_vcpu *vcpu)
{
	struct minivm_lapic *apic = vcpu->lapic;
	struct minivm_sregs s;
	struct minivm_regs r = { .rflags = X86_EFLAGS_FIXED };
	u8 vector;

	if (test_and_clear_bit(MINIVM_LAPIC_REQ_INIT, &apic->requests)) {
		vcpu_init_state(vcpu);
		if (!(vcpu->apic_base & MSR_IA32_APICBASE_BSP))
			vcpu->mp_state = MINIVM_MP_WAIT_SIPI;
	}
	if (!test_and_clear_bit(MINIVM_LAPIC_REQ_SIPI, &apic->requests) ||
	    vcpu->mp_state != MINIVM_MP_WAIT_SIPI)
		return;
	vector = READ_ONCE(apic->sipi_vector);
	minivm_be->get_sregs(vcpu, &s);
	s.cs.selector = vector << 8;
	s.cs.base = (u64)vector << 12;
	minivm_be->set_sregs(vcpu, &s);
	minivm_be->get_regs(vcpu, &r);
	r.rip = 0;
	minivm_be->set_regs(vcpu, &r);
	vcpu->mp_state = MINIVM_MP_RUNNABLE;
}

/*
 * A vCPU of the in-kernel APIC that does not run: halted, or waiting for a
 * start-up IPI. Sleep until an event would make it run (minivm_vcpu_kick()
 * says when to look again) or a signal comes, which ends the run with the
 * vCPU still waiting. Return: 0 to run, 1 when a halted vCPU's interrupt
 * window is open for userspace (the vCPU stays halted), -EINTR.
 */
static int vcpu_block(struct minivm_vcpu *vcpu)
{
	for (;;) {
		WRITE_ONCE(vcpu->kicked, 0);
		smp_mb();	/* the kick flag before the events it announces */
		if (READ_ONCE(vcpu->lapic->requests) & MINIVM_LAPIC_REQ_INIT_SIPI)
			vcpu_init_sipi(vcpu);
		if (vcpu->mp_state == MINIVM_MP_HALTED && vcpu_wakes(vcpu))
			vcpu->mp_state = MINIVM_MP_RUNNABLE;
		if (vcpu->mp_state == MINIVM_MP_RUNNABLE)
			return 0;
		if (vcpu->mp_state == MINIVM_MP_HALTED && vcpu_halted_window_open(vcpu))
			return 1;
		if (rcuwait_wait_event(&vcpu->wait, READ_ONCE(vcpu->kicked), TASK_INTERRUPTIBLE))
			return -EINTR;
	}
}

/*
 * The host's state back, on the CPU that ran the vCPU (the run's end, or its
 * thread scheduled out): TSC_AUX, then what the backend loaded.
 */
static void vcpu_put_host_state(struct minivm_vcpu *vcpu)
{
	if (vcpu->tsc_aux_written) {
		wrmsrl(MSR_TSC_AUX, vcpu->host_tsc_aux);
		vcpu->tsc_aux_written = false;
		vcpu->tsc_aux_cpu = -1;
	}
	if (minivm_be->vcpu_put)
		minivm_be->vcpu_put(vcpu);
}

/**
 * minivm_vcpu_set_tsc_aux() - the guest's IA32_TSC_AUX changes (its WRMSR,
 * or MINIVM_SET_MSRS); preemption off
 * @vcpu: the vCPU
 * @value: the value, checked
 *
 * While a run holds the guest's value in this CPU (it was written, so the
 * run has not been scheduled out since), the new one goes there too;
 * otherwise the next entry loads it.
 */
void minivm_vcpu_set_tsc_aux(struct minivm_vcpu *vcpu, u64 value)
{
	vcpu->tsc_aux = value;
	if (vcpu->tsc_aux_written)
		wrmsrl(MSR_TSC_AUX, value);
	else
		vcpu->tsc_aux_cpu = -1;
}

/**
 * minivm_vcpu_load_tsc_aux() - the guest's IA32_TSC_AUX into this CPU, for
 * RDTSCP: at a run's first entry here (interrupts off). Only a value other
 * than the host's is written, and undone when the run ends or its thread is
 * scheduled out (the host keeps its CPU number there, which its own RDTSCP
 * and RDPID read in user mode).
 * @vcpu: the vCPU
 * @cpu: this CPU
 */
void minivm_vcpu_load_tsc_aux(struct minivm_vcpu *vcpu, int cpu)
{
	rdmsrl(MSR_TSC_AUX, vcpu->host_tsc_aux);
	vcpu->tsc_aux_cpu = cpu;
	if (vcpu->tsc_aux == vcpu->host_tsc_aux)
		return;
	minivm_vcpu_hold_host_state(vcpu);
	wrmsrl(MSR_TSC_AUX, vcpu->tsc_aux);
	vcpu->tsc_aux_written = true;
}

/* The run's thread is scheduled out: the host's state goes back. */
static void vcpu_sched_out(struct preempt_notifier *pn, struct task_struct *next)
{
	vcpu_put_host_state(container_of(pn, struct minivm_vcpu, preempt));
}

static void vcpu_sched_in(struct preempt_notifier *pn, int cpu)
{
}

static struct preempt_ops vcpu_preempt_ops = {
	.sched_in = vcpu_sched_in,
	.sched_out = vcpu_sched_out,
};

/**
 * minivm_vcpu_hold_host_state() - the backend loaded guest state the host
 * needs back (vcpu_put) before its thread is scheduled away and when the
 * run ends; called from vcpu_run with preemption off
 * @vcpu: the vCPU
 */
void minivm_vcpu_hold_host_state(struct minivm_vcpu *vcpu)
{
	if (vcpu->holds_host_state)
		return;
	preempt_notifier_register(&vcpu->preempt);
	vcpu->holds_host_state = true;
}

static long vcpu_run(struct minivm_vcpu *vcpu)
{
	struct minivm_exit *exit = &vcpu->exit;
	int now = vcpu_run_check(vcpu);
	long ret = 0;

	if (now < 0)
		return now;
	/* Only this run's last exit may have filled the header (vcpu_enter()). */
	exit->kind = MINIVM_KIND_CONTINUE;

	if (trace_minivm_userspace_enabled() && vcpu->user_ns) {
		trace_minivm_userspace(vcpu->vm->id, vcpu->id, vcpu->user_exit,
				       ktime_get_ns() - vcpu->user_ns);
		vcpu->user_ns = 0;
	}
	if (vcpu->io_in_pending) {
		if (vcpu->ins_len[0])
			minivm_ins_complete(vcpu);
		else
			vcpu_complete_io_in(vcpu);
		vcpu->io_in_pending = false;
	}
	if (now) {
		vcpu->run->exit_reason = MINIVM_EXIT_INTR;
		ret = -EINTR;
		goto out;
	}
	fpu_swap_kvm_fpstate(&vcpu->fpu, true);
	for (;;) {
		if (vcpu->lapic && unlikely(READ_ONCE(vcpu->lapic->requests) &
					    MINIVM_LAPIC_REQ_INIT_SIPI))
			vcpu_init_sipi(vcpu);
		/* One test of the thread's flags while nothing is pending. */
		if (unlikely((read_thread_flags() & VCPU_RUN_WORK) ||
			     vcpu->mp_state != MINIVM_MP_RUNNABLE)) {
			int block = signal_pending(current) ? -EINTR : 0;

			if (!block && vcpu->mp_state != MINIVM_MP_RUNNABLE)
				block = vcpu_block(vcpu);
			if (block) {
				vcpu->run->exit_reason = block > 0 ? MINIVM_EXIT_IRQ_WINDOW_OPEN :
						       MINIVM_EXIT_INTR;
				ret = block > 0 ? 0 : -EINTR;
				break;
			}
			cond_resched();
		}
		vcpu_enter(vcpu, exit);
		/* The most frequent kind, tested first. */
		if (exit->kind == MINIVM_KIND_USER)
			break;
		if (exit->kind == MINIVM_KIND_CONTINUE)
			continue;
		if (exit->kind == MINIVM_KIND_HALT) {
			vcpu->mp_state = MINIVM_MP_HALTED;
			continue;
		}
		if (exit->kind == MINIVM_KIND_PVCLOCK) {
			minivm_pvclock_publish(vcpu);
			continue;
		}
		if (exit->kind == MINIVM_KIND_PDPTES) {
			vcpu_load_pdptes(vcpu, exit->gpa);
			continue;
		}
		if (exit->kind == MINIVM_KIND_IO_STRING && !minivm_io_string(vcpu, exit))
			continue;
		if (exit->kind == MINIVM_KIND_FAULT && vcpu->lapic &&
		    minivm_lapic_mmio_hit(vcpu, exit->gpa)) {
			if (!minivm_lapic_mmio(vcpu, exit))
				continue;
			break;
		}
		if (exit->kind == MINIVM_KIND_FAULT) {
			ret = minivm_mmu_fault(vcpu, exit->gpa, exit->access);
			if (!ret)
				continue;
			if (ret > 0)
				ret = 0;
			break;
		}
		break;
	}
	if (vcpu->holds_host_state) {
		preempt_disable();
		vcpu_put_host_state(vcpu);
		preempt_notifier_unregister(&vcpu->preempt);
		vcpu->holds_host_state = false;
		preempt_enable();
	}
	fpu_swap_kvm_fpstate(&vcpu->fpu, false);
out:
	vcpu->run->hw_reason = exit->hw_reason;
	if (exit->kind != MINIVM_KIND_USER)
		vcpu_run_header(vcpu);
	if (trace_minivm_userspace_enabled()) {
		vcpu->user_exit = vcpu->run->exit_reason;
		vcpu->user_ns = ktime_get_ns();
	}
	return ret;
}

#define RFLAGS_FIXED1	BIT(1)
/* Reserved bits, and VM/VIF/VIP, which minivm does not virtualize. */
#define RFLAGS_REFUSED	(~GENMASK_ULL(21, 0) | BIT(3) | BIT(5) | BIT(15) | \
			 BIT(17) | BIT(19) | BIT(20))

static void vcpu_get_regs(struct minivm_vcpu *vcpu, struct minivm_regs *r)
{
	const u64 *g = vcpu->gpr;

	*r = (struct minivm_regs) {
		.rax = g[MINIVM_RAX], .rbx = g[MINIVM_RBX], .rcx = g[MINIVM_RCX],
		.rdx = g[MINIVM_RDX], .rsi = g[MINIVM_RSI], .rdi = g[MINIVM_RDI],
		.rbp = g[MINIVM_RBP], .r8 = g[MINIVM_R8], .r9 = g[MINIVM_R9],
		.r10 = g[MINIVM_R10], .r11 = g[MINIVM_R11], .r12 = g[MINIVM_R12],
		.r13 = g[MINIVM_R13], .r14 = g[MINIVM_R14], .r15 = g[MINIVM_R15],
	};
	minivm_be->get_regs(vcpu, r);
}

static int vcpu_set_regs(struct minivm_vcpu *vcpu, const struct minivm_regs *r)
{
	u64 *g = vcpu->gpr;

	if (!(r->rflags & RFLAGS_FIXED1) || (r->rflags & RFLAGS_REFUSED))
		return -EINVAL;
	g[MINIVM_RAX] = r->rax;
	g[MINIVM_RBX] = r->rbx;
	g[MINIVM_RCX] = r->rcx;
	g[MINIVM_RDX] = r->rdx;
	g[MINIVM_RSI] = r->rsi;
	g[MINIVM_RDI] = r->rdi;
	g[MINIVM_RBP] = r->rbp;
	g[MINIVM_R8] = r->r8;
	g[MINIVM_R9] = r->r9;
	g[MINIVM_R10] = r->r10;
	g[MINIVM_R11] = r->r11;
	g[MINIVM_R12] = r->r12;
	g[MINIVM_R13] = r->r13;
	g[MINIVM_R14] = r->r14;
	g[MINIVM_R15] = r->r15;
	minivm_be->set_regs(vcpu, r);
	/* New registers replace whatever an unfinished IN or INS would have set. */
	vcpu->io_in_pending = false;
	vcpu->ins_len[0] = 0;
	return 0;
}

/*
 * MINIVM_SET_SREGS: the ABI's reserved fields, then the architecture's rules
 * (arch_state.c): no state reaches the VMCS/VMCB that a CPU could not be in.
 */
static int vcpu_check_sregs(const struct minivm_sregs *s)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(s->gdt.reserved); i++)
		if (s->gdt.reserved[i] || s->idt.reserved[i])
			return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(s->reserved); i++)
		if (s->reserved[i])
			return -EINVAL;
	if (minivm_sregs_invalid(s, minivm_cr4_allowed(), boot_cpu_data.x86_phys_bits))
		return -EINVAL;
	return 0;
}

/*
 * MINIVM_SET_SREGS. A state in PAE paging needs its PDPTEs, as VM entry
 * loads them from the VMCS on VMX: read and checked here (as a MOV to CR3
 * would; KVM does the same), refused with -EINVAL if bad, on both vendors.
 */
static int vcpu_set_sregs(struct minivm_vcpu *vcpu, const struct minivm_sregs *s)
{
	u64 pdpte[4];
	bool pae = minivm_pae_paging(s->cr0, s->cr4, s->efer);
	int ret = vcpu_check_sregs(s);

	if (!ret && pae)
		ret = vcpu_read_pdptes(vcpu, s->cr3, pdpte);
	if (ret)
		return ret;
	minivm_be->set_sregs(vcpu, s);
	if (pae && minivm_be->load_pdptes)
		minivm_be->load_pdptes(vcpu, pdpte);
	return 0;
}

/* One MSR, as the guest's RDMSR/WRMSR would see it; the vCPU loaded here. */
static int vcpu_msr(struct minivm_vcpu *vcpu, bool write, u32 index, u64 *value)
{
	int ret, cpu = get_cpu();

	vcpu_be_load(vcpu, cpu);
	ret = minivm_msr(vcpu, write, index, value);
	put_cpu();
	if (vcpu->pvclock_pending)
		minivm_pvclock_publish(vcpu);
	return ret;
}

/* MINIVM_INTERRUPT: queue an external interrupt; -EBUSY while one waits. */
static long vcpu_interrupt(struct minivm_vcpu *vcpu, const struct minivm_interrupt __user *uarg)
{
	struct minivm_interrupt irq;

	if (copy_from_user(&irq, uarg, sizeof(irq)))
		return -EFAULT;
	if (irq.vector > 255 || irq.reserved)
		return -EINVAL;
	if (vcpu->ev.irq_pending)
		return -EBUSY;
	minivm_queue_interrupt(vcpu, irq.vector);
	return 0;
}

/* MINIVM_GET_EVENTS and MINIVM_SET_EVENTS, with the vCPU loaded here. */
static long vcpu_events(struct minivm_vcpu *vcpu, struct minivm_events __user *uarg, bool set)
{
	struct minivm_events e;
	int cpu, ret = 0;

	if (set && copy_from_user(&e, uarg, sizeof(e)))
		return -EFAULT;
	cpu = get_cpu();
	vcpu_be_load(vcpu, cpu);
	if (set)
		ret = minivm_events_set(vcpu, &e);
	else
		minivm_events_get(vcpu, &e);
	put_cpu();
	if (!set && copy_to_user(uarg, &e, sizeof(e)))
		return -EFAULT;
	return ret;
}

/*
 * MINIVM_SET_MP_STATE: only the in-kernel APIC's vCPUs may halt or wait for
 * a start-up IPI (without one, HLT ends the run and nothing sends SIPIs).
 */
static long vcpu_set_mp_state(struct minivm_vcpu *vcpu, const struct minivm_mp_state __user *uarg)
{
	struct minivm_mp_state mp;

	if (copy_from_user(&mp, uarg, sizeof(mp)))
		return -EFAULT;
	if (mp.reserved || mp.state > MINIVM_MP_WAIT_SIPI ||
	    (!vcpu->lapic && mp.state != MINIVM_MP_RUNNABLE))
		return -EINVAL;
	vcpu->mp_state = mp.state;
	return 0;
}

/* MINIVM_GET_MSRS/MINIVM_SET_MSRS: entries one by one, stopping at a refusal. */
static long vcpu_msrs(struct minivm_vcpu *vcpu, struct minivm_msrs __user *uarg, bool write)
{
	struct minivm_msr_entry __user *ue;
	struct minivm_msr_entry e;
	struct minivm_msrs m;
	u32 i;
	int ret = 0;

	if (copy_from_user(&m, uarg, sizeof(m)))
		return -EFAULT;
	if (m.reserved)
		return -EINVAL;
	if (m.nmsrs > MINIVM_MAX_MSRS)
		return -E2BIG;
	ue = u64_to_user_ptr(m.entries);
	for (i = 0; i < m.nmsrs; i++) {
		if (copy_from_user(&e, &ue[i], sizeof(e))) {
			ret = -EFAULT;
			break;
		}
		if (e.reserved) {
			ret = -EINVAL;
			break;
		}
		ret = vcpu_msr(vcpu, write, e.index, &e.data);
		if (ret)
			break;
		if (!write && copy_to_user(&ue[i].data, &e.data, sizeof(e.data))) {
			ret = -EFAULT;
			break;
		}
	}
	if (ret && put_user(i, &uarg->nmsrs))
		return -EFAULT;
	return ret;
}

/* Every call but MINIVM_RUN, under the vCPU's lock. */
static noinline long vcpu_ioctl_state(struct minivm_vcpu *vcpu, unsigned int cmd,
				      unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	union {
		struct minivm_regs regs;
		struct minivm_sregs sregs;
	} u;
	long ret;

	switch (cmd) {
	case MINIVM_GET_REGS:
		vcpu_get_regs(vcpu, &u.regs);
		ret = copy_to_user(uarg, &u.regs, sizeof(u.regs)) ? -EFAULT : 0;
		break;
	case MINIVM_SET_REGS:
		ret = -EFAULT;
		if (!copy_from_user(&u.regs, uarg, sizeof(u.regs)))
			ret = vcpu_set_regs(vcpu, &u.regs);
		break;
	case MINIVM_GET_SREGS:
		memset(&u.sregs, 0, sizeof(u.sregs));
		minivm_be->get_sregs(vcpu, &u.sregs);
		ret = copy_to_user(uarg, &u.sregs, sizeof(u.sregs)) ? -EFAULT : 0;
		break;
	case MINIVM_SET_SREGS:
		ret = -EFAULT;
		if (!copy_from_user(&u.sregs, uarg, sizeof(u.sregs)))
			ret = vcpu_set_sregs(vcpu, &u.sregs);
		break;
	case MINIVM_GET_MSRS:
	case MINIVM_SET_MSRS:
		ret = vcpu_msrs(vcpu, uarg, cmd == MINIVM_SET_MSRS);
		break;
	case MINIVM_INTERRUPT:
		ret = vcpu_interrupt(vcpu, uarg);
		break;
	case MINIVM_NMI:
		/* A second NMI while one is pending is one NMI, as on the pin. */
		ret = arg ? -EINVAL : 0;
		if (!ret)
			minivm_queue_nmi(vcpu);
		break;
	case MINIVM_GET_EVENTS:
	case MINIVM_SET_EVENTS:
		ret = vcpu_events(vcpu, uarg, cmd == MINIVM_SET_EVENTS);
		break;
	case MINIVM_GET_MP_STATE: {
		struct minivm_mp_state mp = { .state = vcpu->mp_state };

		ret = copy_to_user(uarg, &mp, sizeof(mp)) ? -EFAULT : 0;
		break;
	}
	case MINIVM_SET_MP_STATE:
		ret = vcpu_set_mp_state(vcpu, uarg);
		break;
	default:
		ret = -ENOTTY;
	}
	return ret;
}

/*
 * MINIVM_RUN is the hot call, and is dispatched first: the other calls'
 * register structs stay in their own frame, which the kernel zeroes on
 * every call (CONFIG_INIT_STACK_ALL_ZERO).
 */
static long minivm_vcpu_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct minivm_vcpu *vcpu = file->private_data;
	long ret;

	if (vcpu->vm->mm != current->mm)
		return -EIO;
	if (mutex_lock_killable(&vcpu->lock))
		return -EINTR;
	if (cmd == MINIVM_RUN)
		ret = arg ? -EINVAL : vcpu_run(vcpu);
	else
		ret = vcpu_ioctl_state(vcpu, cmd, arg);
	mutex_unlock(&vcpu->lock);
	return ret;
}

static const struct file_operations minivm_vcpu_fops = {
	.owner = THIS_MODULE,
	.release = minivm_vcpu_release,
	.unlocked_ioctl = minivm_vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = minivm_vcpu_mmap,
	.llseek = noop_llseek,
};

/*
 * The INIT state (arch_state.c), the same on both vendors, loaded through
 * the same calls as SET_SREGS and SET_REGS: registers, events and the
 * APIC; MSRs and IA32_APIC_BASE keep their values (SDM table 10-1).
 */
static void vcpu_init_state(struct minivm_vcpu *vcpu)
{
	struct minivm_regs regs = { .rip = MINIVM_RIP_RESET, .rflags = X86_EFLAGS_FIXED };
	struct minivm_sregs sregs;
	int cpu;

	minivm_reset_sregs(&sregs);
	minivm_be->set_sregs(vcpu, &sregs);
	minivm_be->set_regs(vcpu, &regs);
	memset(vcpu->gpr, 0, sizeof(vcpu->gpr));
	vcpu->io_in_pending = false;
	vcpu->ins_len[0] = 0;
	cpu = get_cpu();
	vcpu_be_load(vcpu, cpu);
	minivm_events_reset(vcpu);
	put_cpu();
	vcpu->mp_state = MINIVM_MP_RUNNABLE;
	if (vcpu->lapic)
		minivm_lapic_reset(vcpu);
}

/*
 * The x86 power-up state: the INIT state, the MSRs minivm switches, and
 * the APIC at its default address, enabled. vCPU 0 is the bootstrap CPU;
 * with the in-kernel APIC the others wait for INIT and a start-up IPI, as
 * a PC's application processors do.
 */
static void vcpu_reset(struct minivm_vcpu *vcpu)
{
	static const u32 msrs_zero[] = {
		MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
		MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK,
	};
	u64 value = MINIVM_PAT_RESET;
	unsigned int i;
	int cpu;

	vcpu->apic_base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE |
			  (vcpu->id ? 0 : MSR_IA32_APICBASE_BSP);
	vcpu->tsc_aux = 0;
	vcpu_init_state(vcpu);
	cpu = get_cpu();
	vcpu_be_load(vcpu, cpu);
	minivm_be->msr(vcpu, true, MSR_IA32_CR_PAT, &value);
	for (i = 0; i < ARRAY_SIZE(msrs_zero); i++) {
		value = 0;
		minivm_be->msr(vcpu, true, msrs_zero[i], &value);
	}
	put_cpu();
	if (vcpu->lapic && vcpu->id)
		vcpu->mp_state = MINIVM_MP_WAIT_SIPI;
}

atomic_t minivm_live_vcpus = ATOMIC_INIT(0);

/* Free a vCPU; its VM is going and nothing can run it any more. */
void minivm_vcpu_free(struct minivm_vcpu *vcpu)
{
	atomic_dec(&minivm_live_vcpus);
	minivm_lapic_free(vcpu);
	minivm_be->vcpu_destroy(vcpu);
	minivm_pt_cache_free(&vcpu->pt_cache);
	fpu_free_guest_fpstate(&vcpu->fpu);
	free_page((unsigned long)vcpu->run);
	kfree(vcpu);
}

/**
 * minivm_vcpu_create() - %MINIVM_CREATE_VCPU
 * @vm: the VM
 * @uarg: the caller's &struct minivm_create_vcpu
 *
 * Return: the vCPU's fd; -EFAULT, -EINVAL (id out of range, flags or
 * reserved fields), -EEXIST (id in use), -ENOMEM.
 */
long minivm_vcpu_create(struct minivm_vm *vm, struct minivm_create_vcpu __user *uarg)
{
	struct minivm_create_vcpu args;
	struct minivm_vcpu *vcpu;
	struct file *file;
	int fd, ret, i, cpu;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (args.vcpu_id >= MINIVM_MAX_VCPUS || args.flags)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(args.reserved); i++)
		if (args.reserved[i])
			return -EINVAL;

	mutex_lock(&vm->lock);
	ret = -EEXIST;
	if (vm->vcpus[args.vcpu_id])
		goto out_unlock;
	ret = -ENOMEM;
	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		goto out_unlock;
	vcpu->vm = vm;
	vcpu->id = args.vcpu_id;
	vcpu->cpu = -1;
	vcpu->tsc_aux_cpu = -1;
	vcpu->xcr0 = host_xcr0 ? XFEATURE_MASK_FP : 0;
	mutex_init(&vcpu->lock);
	rcuwait_init(&vcpu->wait);
	preempt_notifier_init(&vcpu->preempt, &vcpu_preempt_ops);
	vcpu->run = (struct minivm_run *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!vcpu->run)
		goto err_vcpu;
	vcpu->run->vendor = minivm_be->vendor;
	if (!fpu_alloc_guest_fpstate(&vcpu->fpu))
		goto err_run;
	if (vm->flags & MINIVM_VM_LAPIC) {
		ret = minivm_lapic_create(vcpu);
		if (ret)
			goto err_fpu;
	}
	ret = minivm_be->vcpu_create(vcpu);
	if (ret)
		goto err_lapic;
	vcpu_reset(vcpu);
	vcpu->tsc_offset = vm->tsc_offset;
	cpu = get_cpu();
	vcpu_be_load(vcpu, cpu);
	minivm_be->set_tsc_offset(vcpu, vcpu->tsc_offset);
	put_cpu();

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_be;
	}
	file = anon_inode_getfile("minivm-vcpu", &minivm_vcpu_fops, vcpu, O_RDWR);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		ret = PTR_ERR(file);
		goto err_be;
	}
	get_file(vm->file);
	atomic_inc(&minivm_live_vcpus);
	/* Visible to the invalidation path from here on; freed with the VM. */
	smp_store_release(&vm->vcpus[args.vcpu_id], vcpu);
	fd_install(fd, file);
	mutex_unlock(&vm->lock);
	return fd;

err_be:
	minivm_be->vcpu_destroy(vcpu);
err_lapic:
	minivm_lapic_free(vcpu);
err_fpu:
	fpu_free_guest_fpstate(&vcpu->fpu);
err_run:
	free_page((unsigned long)vcpu->run);
err_vcpu:
	kfree(vcpu);
out_unlock:
	mutex_unlock(&vm->lock);
	return ret;
}

/** minivm_vcpu_init() - read the host state every vCPU is compared to; at load */
void minivm_vcpu_init(void)
{
	if (boot_cpu_has(X86_FEATURE_OSXSAVE))
		host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);
	preempt_notifier_inc();
}

/** minivm_vcpu_exit() - undo minivm_vcpu_init(); at unload */
void minivm_vcpu_exit(void)
{
	preempt_notifier_dec();
}
