/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm: what the vendor-neutral core and the backends share.
 *
 * The core (device, VMs, virtualization enable, names) knows nothing about
 * VMX or SVM; each backend fills one struct minivm_backend.
 */
#ifndef MINIVM_H
#define MINIVM_H

#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/rcuwait.h>
#include <linux/spinlock.h>
#include <linux/static_call_types.h>
#include <linux/timekeeping.h>
#include <linux/types.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <uapi/linux/minivm.h>
#include "lapic.h"
#include "pt.h"
#include "trace.h"

/*
 * How many VMs may exist at once (MINIVM_CAP_MAX_VMS): the max_vms module
 * parameter, within 1..MINIVM_MAX_VMS_LIMIT. Each VM is charged to its
 * creator's memory cgroup; the limit is the administrator's bound on top.
 */
#define MINIVM_MAX_VMS_DEFAULT	4096
#define MINIVM_MAX_VMS_LIMIT	1048576U
extern unsigned int minivm_max_vms;
/* vCPU ids per VM (MINIVM_CAP_MAX_VCPUS). */
#define MINIVM_MAX_VCPUS	64
/* Memory region slots per VM (MINIVM_CAP_MAX_MEMORY_REGIONS). */
#define MINIVM_MAX_REGIONS	32

/**
 * struct minivm_region - one memory region slot
 * @gpa: first guest-physical byte
 * @size: bytes; 0 when the slot is free
 * @hva: the host (user) address backing @gpa
 * @flags: MINIVM_MEM_*
 */
struct minivm_region {
	u64 gpa;
	u64 size;
	u64 hva;
	u32 flags;
};

/**
 * struct minivm_mmu_stats - what the memory code did for one VM, for
 * debugfs (and later the tracepoints and benchmarks); under mmu_lock
 * @maps_4k: 4 KiB guest mappings made
 * @maps_2m: 2 MiB guest mappings made
 * @invalidations: notifier callbacks that removed at least one mapping
 */
struct minivm_mmu_stats {
	u64 maps_4k;
	u64 maps_2m;
	u64 invalidations;
};

/**
 * struct minivm_vm - a VM
 * @id: module-wide id, as tracepoints show it
 * @mm: the address space that owns the VM and its RAM
 * @notifier: follows @mm's unmaps, migrations, swaps and merges
 * @lock: serializes region and vCPU changes
 * @mmu_lock: protects @regions, @pt and the invalidation counters; taken
 *	with interrupts enabled only
 * @regions: the memory region slots
 * @pt: the EPT/NPT tables
 * @invalidate_seq: bumped at the end of every invalidation, so a fault
 *	that raced with one starts over
 * @invalidate_active: invalidations in progress
 * @tlb_gen: bumped whenever a guest mapping was removed; a vCPU whose last
 *	entry saw an older value flushes its guest TLB before entering
 * @stats: counters shown in debugfs
 * @tsc_offset: what every vCPU adds to the host TSC at first: the guest
 *	TSC is 0 when the VM is created
 * @created_real_ns: the host's real time then, the guest clock's epoch
 * @flags: MINIVM_VM_* it was created with
 * @unclaimed_ports: the port bitmap MINIVM_SET_UNCLAIMED_PORTS set (ports
 *	no device claims, answered in the kernel), or NULL; RCU
 * @vcpus: by id; under @lock
 * @file: the VM's file, which vCPU files hold a reference to
 * @debugfs: its directory in /sys/kernel/debug/minivm/
 */
struct minivm_vm {
	u64 id;
	struct mm_struct *mm;
	struct mmu_notifier notifier;
	struct mutex lock;		/* regions and vCPU creation */
	spinlock_t mmu_lock;		/* regions, pt, invalidation counters */
	struct minivm_region regions[MINIVM_MAX_REGIONS];
	struct minivm_pt pt;
	unsigned long invalidate_seq;
	unsigned int invalidate_active;
	atomic64_t tlb_gen;
	struct minivm_mmu_stats stats;
	s64 tsc_offset;
	u64 created_real_ns;
	u32 flags;
	unsigned long __rcu *unclaimed_ports;
	struct minivm_vcpu *vcpus[MINIVM_MAX_VCPUS];
	struct file *file;
	struct dentry *debugfs;
};

/* General register indices of &minivm_vcpu.gpr (the hardware's numbering). */
enum minivm_gpr {
	MINIVM_RAX, MINIVM_RCX, MINIVM_RDX, MINIVM_RBX,
	MINIVM_RSP, MINIVM_RBP, MINIVM_RSI, MINIVM_RDI,
	MINIVM_R8, MINIVM_R9, MINIVM_R10, MINIVM_R11,
	MINIVM_R12, MINIVM_R13, MINIVM_R14, MINIVM_R15,
	MINIVM_NR_GPRS,
};

/* &minivm_vcpu.mode: whether the vCPU may be executing guest code. */
#define MINIVM_OUTSIDE_GUEST	0
#define MINIVM_IN_GUEST		1

/* &minivm_vcpu_events.windows: the window exits an entry asks for. */
#define MINIVM_WINDOW_IRQ	0x1	/* exit once the guest can take an interrupt */
#define MINIVM_WINDOW_NMI	0x2	/* exit once NMIs are unblocked */

/**
 * struct minivm_vcpu_events - the events a vCPU has to deliver (events.c)
 * @injected: the event the next entry delivers: one an exit interrupted,
 *	or one set by MINIVM_SET_EVENTS; type %MINIVM_EVENT_NONE when none
 * @delivering: what the entry in progress was given, kept in case it fails
 * @exception: the pending exception, or type %MINIVM_EVENT_NONE
 * @cr2: what CR2 becomes when @exception (a #PF) is delivered, if @has_cr2
 * @has_cr2: @cr2 is valid
 * @triple_fault: a fault while delivering #DF: the run ends in a shutdown
 * @irq_pending: an external interrupt is queued (MINIVM_INTERRUPT)
 * @irq_vector: its vector
 * @nmi_pending: an NMI waits to be delivered
 * @want_irq_window: this run returns at the interrupt window (the run
 *	page's request_interrupt_window)
 * @apic_pending: the in-kernel APIC may have an interrupt (or another
 *	vCPU's NMI) to deliver; set from any CPU, cleared by the vCPU when it
 *	finds nothing deliverable (lapic.c)
 * @windows: MINIVM_WINDOW_* the backend has turned on
 * @work: the five bytes from @irq_pending to @windows as one word, and
 *	three that stay zero: nonzero when an entry has events to decide
 * @injected_ns: when @injected became pending, while minivm_inject is
 *	traced (0: not known)
 * @delivering_ns: likewise for @delivering
 * @exception_ns: likewise for @exception
 * @irq_ns: likewise for the queued interrupt
 * @nmi_ns: likewise for the pending NMI
 */
struct minivm_vcpu_events {
	struct minivm_event injected;
	struct minivm_event delivering;
	struct minivm_event exception;
	u64 cr2;
	bool has_cr2;
	bool triple_fault;
	u8 irq_vector;
	/* Tested as one word by every entry (minivm_events_enter()). */
	union {
		struct {
			bool irq_pending;
			bool nmi_pending;
			bool want_irq_window;
			u8 apic_pending;
			u8 windows;
		};
		u64 work;
	};
	u64 injected_ns;
	u64 delivering_ns;
	u64 exception_ns;
	u64 irq_ns;
	u64 nmi_ns;
};

/* A flag added after @windows must still be inside @work. */
static_assert(offsetofend(struct minivm_vcpu_events, windows) <=
	      offsetof(struct minivm_vcpu_events, work) + sizeof(u64));

/*
 * What an exit was, decoded by the backend into the vendor-neutral kinds the
 * core handles (exit.c), each in one place.
 */
enum minivm_exit_kind {
	MINIVM_KIND_CONTINUE,	/* nothing left to do: enter the guest again */
	MINIVM_KIND_CPUID,	/* CPUID, leaf in EAX, subleaf in ECX */
	MINIVM_KIND_RDMSR,	/* RDMSR of the MSR in ECX */
	MINIVM_KIND_WRMSR,	/* WRMSR of EDX:EAX to the MSR in ECX */
	MINIVM_KIND_XSETBV,	/* XSETBV of EDX:EAX to the XCR in ECX */
	MINIVM_KIND_IO,		/* IN/OUT/INS/OUTS: @io */
	MINIVM_KIND_HLT,	/* HLT */
	MINIVM_KIND_HYPERCALL,	/* VMCALL or VMMCALL */
	MINIVM_KIND_INVD,	/* INVD */
	MINIVM_KIND_UD,		/* an instruction the guest may not use: #UD */
	MINIVM_KIND_SHUTDOWN,	/* triple fault */
	MINIVM_KIND_FAIL_ENTRY,	/* the hardware refused to enter */
	MINIVM_KIND_FAULT,	/* EPT/NPT fault at @gpa with @access */
	MINIVM_KIND_DR_ACCESS,	/* the guest touched a debug register (debug.c) */
	MINIVM_KIND_PDPTES,	/* an instruction enters PAE paging: PDPTEs at @gpa */
	MINIVM_KIND_IRQ_WINDOW,	/* the guest can take an external interrupt now */
	MINIVM_KIND_NMI_WINDOW,	/* NMIs are no longer blocked */
	MINIVM_KIND_OTHER,	/* anything else: userspace sees it, unhandled */
	/* What the core leaves for the run loop (no backend returns these): */
	MINIVM_KIND_USER,	/* the run page is filled: return to userspace */
	MINIVM_KIND_IO_STRING,	/* INS/OUTS: emulated with interrupts on (io_string.c) */
	MINIVM_KIND_HALT,	/* HLT with an in-kernel APIC: sleep until an event */
	MINIVM_KIND_PVCLOCK,	/* a clock MSR was written: publish it (pvclock.c) */
};

/*
 * The decoded kinds after which the core, when it finished the exit in the
 * kernel, enters the guest again at once (vcpu.c's vcpu_reenter()).
 */
#define MINIVM_REENTER_KINDS	(BIT(MINIVM_KIND_CPUID) | BIT(MINIVM_KIND_RDMSR) | \
				 BIT(MINIVM_KIND_WRMSR) | BIT(MINIVM_KIND_XSETBV) | \
				 BIT(MINIVM_KIND_IO) | BIT(MINIVM_KIND_HYPERCALL) | \
				 BIT(MINIVM_KIND_INVD) | BIT(MINIVM_KIND_UD))

/**
 * struct minivm_exit_io - a port I/O exit, decoded
 * @port: the port
 * @size: 1, 2 or 4 bytes
 * @in: IN or INS, else OUT or OUTS
 * @string: INS or OUTS
 * @rep: with a REP prefix
 */
struct minivm_exit_io {
	u16 port;
	u8 size;
	bool in;
	bool string;
	bool rep;
};

/**
 * struct minivm_exit - an exit, decoded by the backend for the core
 * @kind: what it was
 * @hw_reason: the vendor's exit reason (VMX basic reason, SVM exit code)
 * @qualification: VMX exit qualification or SVM EXITINFO1, for userspace
 * @info: VMX interruption info or instruction error, SVM EXITINFO2, likewise
 * @rip: the guest's RIP at the exit
 * @insn_len: what a backend's skip adds to RIP when the CPU gives no next
 *	RIP (SVM without NRIPS): the instruction's length, or the distance to
 *	the next RIP the exit reports (SVM's IOIO), modulo 2^64 as RIP wraps;
 *	set with every kind the core skips, by that backend; stale otherwise
 * @io: %MINIVM_KIND_IO
 * @gpa: %MINIVM_KIND_FAULT: the faulting guest-physical address;
 *	%MINIVM_KIND_PDPTES: the guest's CR3 (the PDPT is at bits 31:5)
 * @access: %MINIVM_KIND_FAULT: MINIVM_ACCESS_* of the faulting access
 */
struct minivm_exit {
	enum minivm_exit_kind kind;
	u64 hw_reason;
	u64 qualification;
	u64 info;
	u64 rip;
	u64 insn_len;
	struct minivm_exit_io io;
	u64 gpa;
	u32 access;
};

/**
 * struct minivm_vcpu - a virtual CPU
 * @vm: its VM
 * @id: its id in the VM
 * @gpr: guest general registers while outside the guest, except RSP,
 *	which the VMCS/VMCB holds (the slot is unused)
 * @run: the page shared with userspace
 * @lock: serializes this vCPU's ioctls
 * @cpu: the CPU it last ran on, -1 before the first run
 * @mode: %MINIVM_IN_GUEST from just before entry until just after exit
 * @tlb_gen: &minivm_vm.tlb_gen as of its last entry
 * @xcr0: the guest's XCR0
 * @fpu: the guest's FPU/XSAVE state
 * @io_in_pending: an IN exit awaits its value in @run->io.data
 * @ins_gpa: for an INS awaiting its value, where it goes in guest memory
 *	(two pieces when it crosses a page; @ins_len[1] is 0 otherwise)
 * @ins_len: bytes at each @ins_gpa; @ins_len[0] is 0 unless an INS waits
 * @pt_cache: table pages for the next EPT/NPT fault
 * @exit_reason: the hardware reason of the last exit, while minivm_entry
 *	is traced
 * @exit_ns: when that exit happened, likewise
 * @user_exit: the MINIVM_EXIT_* last handed to userspace
 * @user_ns: when it was, while minivm_userspace is traced
 * @db: the guest's DR0-DR3 (debug.c)
 * @dr_guest_owned: the guest accesses its debug registers without exits
 *	until the next exit; they are in the hardware meanwhile
 * @dr_bp_enabled: the guest's DR7 enables a breakpoint: its DR0-DR3 are
 *	loaded for every entry
 * @dr_active: @dr_guest_owned and @dr_bp_enabled as one word, which
 *	every entry tests
 * @ev: events to deliver (events.c)
 * @preempt: tells the backend when a run's thread is scheduled out
 * @holds_host_state: @preempt is registered: the backend has loaded state
 *	the host needs back (minivm_vcpu_hold_host_state())
 * @apic_base: IA32_APIC_BASE as the guest reads it
 * @tsc_offset: guest TSC minus host TSC; the VM's until the guest (or
 *	userspace) writes the TSC or TSC_ADJUST
 * @tsc_adjust: IA32_TSC_ADJUST: what writes of the TSC added to it
 * @tsc_aux: IA32_TSC_AUX, what the guest's RDTSCP returns in ECX
 * @mtrr_def_type: IA32_MTRR_DEF_TYPE; it decides nothing (the host's
 *	mappings and the guest's PAT do), but the guest reads back what it set
 * @mcg_status: IA32_MCG_STATUS (no machine check is ever signalled)
 * @pvclock_system_msr: MSR_KVM_SYSTEM_TIME_NEW: where the guest wants its
 *	clock's factors (pvclock.c), bit 0 on
 * @pvclock_wall_msr: MSR_KVM_WALL_CLOCK_NEW: where it wants the wall clock
 * @pvclock_pending: MINIVM_PVCLOCK_*: written, not published yet
 * @host_tsc_aux: the host's IA32_TSC_AUX on @tsc_aux_cpu
 * @tsc_aux_cpu: the CPU whose hardware holds @tsc_aux, or -1
 * @tsc_aux_written: it took a write there, which the host's value undoes
 *	when the run ends or its thread is scheduled out (with equal values,
 *	as for a guest that never writes it on CPU 0, nothing is switched)
 * @lapic: the local APIC in the kernel, or NULL (VMs without %MINIVM_VM_LAPIC)
 * @wait: where the vCPU's thread sleeps while the guest is halted
 * @kicked: set by minivm_vcpu_kick(): look at the events again
 * @mp_state: MINIVM_MP_*: runnable, halted (HLT that no event has ended
 *	yet) or waiting for a start-up IPI; only the in-kernel APIC's vCPUs
 *	leave MINIVM_MP_RUNNABLE (without it HLT ends the run)
 * @host_deferred: set by the backend: it left host state for its leave hook
 *	to give back when the core's series of entries ends
 * @exit: the last exit, decoded (here, not on the run loop's stack, which
 *	the kernel would zero on every MINIVM_RUN)
 * @be: the backend's state (VMCS or VMCB)
 */
struct minivm_vcpu {
	struct minivm_vm *vm;
	u32 id;
	u64 gpr[MINIVM_NR_GPRS];
	struct minivm_run *run;
	struct mutex lock;		/* one ioctl at a time */
	int cpu;
	int mode;
	u64 tlb_gen;
	u64 xcr0;
	struct fpu_guest fpu;
	bool io_in_pending;
	u64 ins_gpa[2];
	u8 ins_len[2];
	struct minivm_pt_cache pt_cache;
	u64 exit_reason;
	u64 exit_ns;
	u32 user_exit;
	u64 user_ns;
	u64 db[4];
	union {
		struct {
			bool dr_guest_owned;
			bool dr_bp_enabled;
		};
		u16 dr_active;
	};
	struct minivm_vcpu_events ev;
	struct preempt_notifier preempt;
	bool holds_host_state;
	u64 apic_base;
	s64 tsc_offset;
	s64 tsc_adjust;
	u64 tsc_aux, host_tsc_aux;
	u64 mtrr_def_type, mcg_status;
	u64 pvclock_system_msr, pvclock_wall_msr;
	unsigned int pvclock_pending;
	int tsc_aux_cpu;
	bool tsc_aux_written;
	struct minivm_lapic *lapic;
	struct rcuwait wait;
	u8 kicked;
	u8 mp_state;
	bool host_deferred;
	struct minivm_exit exit;
	void *be;
};

/**
 * minivm_lapic_eoi_exit() - end the run for a level-triggered EOI, if one was written
 * @vcpu: the vCPU, after an APIC register write; its own thread
 *
 * Inline: every WRMSR exit asks, and nearly always the answer is no.
 *
 * Return: true when the run page now holds %MINIVM_EXIT_EOI.
 */
static inline bool minivm_lapic_eoi_exit(struct minivm_vcpu *vcpu)
{
	if (!vcpu->lapic || likely(!vcpu->lapic->eoi_exit))
		return false;
	return minivm_lapic_fill_eoi_exit(vcpu);
}

/*
 * What a backend does right after every VM exit, once the host's state is
 * back: when minivm_entry is on, note the reason and the time it will want
 * for the latency; fire minivm_exit. With both events off it does nothing
 * but two static-key jumps. The arguments are evaluated inside the event's
 * own test: passed to trace_minivm_exit() alone they would be computed
 * before its test (VMREADs are volatile asm, which the compiler may not move
 * into it), at a cost the benchmark measured with every event off.
 */
#define minivm_trace_exit(vcpu, vendor, reason, rip, info1, info2) do {	\
	struct minivm_vcpu *__vcpu = (vcpu);					\
	u64 __reason = (reason);						\
										\
	if (trace_minivm_entry_enabled()) {					\
		__vcpu->exit_reason = __reason;					\
		__vcpu->exit_ns = ktime_get_ns();				\
	}									\
	if (trace_minivm_exit_enabled())					\
		trace_minivm_exit(__vcpu->vm->id, __vcpu->id, vendor, __reason,	\
				  rip, info1, info2);				\
} while (0)

/**
 * struct minivm_event_state - what decides whether the guest can take an
 * event now, as the hardware holds it
 * @rflags: the guest's RFLAGS
 * @shadow: MINIVM_EVENTS_STI_SHADOW or MINIVM_EVENTS_MOV_SS_SHADOW, or 0
 * @nmi_masked: NMIs are blocked (an NMI was delivered, no IRET since)
 * @cr8: the guest's task priority
 */
struct minivm_event_state {
	u64 rflags;
	u32 shadow;
	bool nmi_masked;
	u8 cr8;
};

/**
 * struct minivm_caps - what a backend found the hardware can do
 * @tagged_tlb: number of TLB tags (VPIDs or ASIDs); 0 when untagged
 * @huge_pages: 2 MiB EPT/NPT mappings are available
 * @rdtscp: the guest may execute RDTSCP (VMX: "enable RDTSCP"; SVM: the
 *	host has it), so the core switches IA32_TSC_AUX for it
 */
struct minivm_caps {
	u32 tagged_tlb;
	bool huge_pages;
	bool rdtscp;
};

/**
 * struct minivm_backend - one vendor's implementation
 * @name: "vmx" or "svm", as messages and debugfs show it
 * @vendor: the value of %MINIVM_CAP_VENDOR
 * @probe: decide on the boot CPU whether this backend can run. Returns 0
 *	and fills @caps when it can; -ENXIO, silently, when the CPU is not
 *	this backend's vendor; otherwise an errno and, in @why, one sentence
 *	naming what is missing or disabled.
 * @init: optional; allocate what all VMs share, after a successful @probe
 * @exit: optional; undo @init at unload
 * @cpu_check: on each CPU at load, preemption off: an errno and @why when
 *	this CPU cannot be used (disabled by firmware, in use by another
 *	hypervisor)
 * @area_pages: pages each CPU needs while enabled (VMXON region; SVM's
 *	host save area plus the page VMSAVE keeps the host's state in)
 * @prepare_area: optional; initialize a CPU's area once, at load
 * @cpu_enable: enable VMX/SVM on this CPU using its @area (physical
 *	address); called with interrupts off. Returns -EBUSY when another
 *	hypervisor holds it.
 * @cpu_disable: undo @cpu_enable on this CPU; called with interrupts off
 * @cpu_hw_enabled: whether VMX/SVM is on in this CPU's hardware right now
 *	(CR4.VMXE, EFER.SVME), whoever turned it on
 * @pt_format: how EPT or NPT entries are encoded
 * @exit_name: the name of a hardware exit reason of this vendor, or NULL
 * @vcpu_create: allocate and initialize @be to the x86 reset state
 * @vcpu_destroy: free @be (no longer current on any CPU afterwards)
 * @vcpu_load: optional; make the vCPU runnable on this CPU (VMX: its VMCS
 *	current); preemption off, interrupts on
 * @vcpu_put: optional; give the host back what @vcpu_run loaded lazily
 *	(VMX: the SYSCALL MSRs) after calling minivm_vcpu_hold_host_state(),
 *	at the end of the run and when its thread is scheduled out;
 *	preemption off, on the CPU that ran the vCPU
 * @vcpu_run: enter the guest once and decode the exit into @exit;
 *	interrupts off. @flush: the guest's TLB entries on this CPU may be
 *	stale. Backends resolve only what is theirs (interrupts, NMIs, #DB and
 *	#AC reflected, VMX's CR accesses); the rest the core handles.
 * @leave: optional; called when @vcpu_run set the vCPU's host_deferred,
 *	after the last @vcpu_run of a series the core makes with interrupts
 *	off (vcpu.c's vcpu_enter()), before they go on: give back the host
 *	state that only host code outside that series needs (VMX: segments,
 *	FS base, GDT and TSS limits), which @vcpu_run then saves once per
 *	series rather than at every entry
 * @skip: move the guest's RIP past the instruction that caused @exit
 * @inject_event: deliver @ev on the next entry (the core chose it and
 *	dropped the error code in real mode); interrupts off, loaded. An
 *	NMI blocks NMIs from its delivery to the next IRET.
 * @set_windows: turn the MINIVM_WINDOW_* exits on, the others off;
 *	interrupts off, loaded
 * @set_cr2: the guest's CR2 (a #PF's delivery); loaded on this CPU
 * @get_cr: the guest's CR0 or CR4 as it reads them
 * @get_event_state: the guest's event state, returned by value (in two
 *	registers: no stack slot for the kernel to zero and guard); the vCPU
 *	loaded on this CPU
 * @set_event_state: the interrupt shadow (MINIVM_EVENTS_*_SHADOW) and NMI
 *	blocking, already validated; the vCPU loaded on this CPU
 * @get_regs: RIP, RSP and RFLAGS into @regs (the core fills the rest)
 * @set_regs: the reverse of @get_regs; values already validated
 * @get_sregs: fill @sregs
 * @set_sregs: load @sregs; values already validated
 * @msr: read or write an MSR the VMCS/VMCB holds (EFER, PAT, FS/GS base,
 *	SYSENTER): 0, or -ENOENT for any other @index. Values were checked by
 *	the core (policy.c); a write of EFER keeps the CPU's LMA. The vCPU is
 *	loaded (vcpu_load) on this CPU.
 * @set_tsc_offset: what the hardware adds to the host TSC for the guest's
 *	RDTSC; the vCPU loaded on this CPU
 * @get_dr7: the guest's DR7; right after an exit, interrupts off
 * @set_dr_exiting: whether the guest's debug-register accesses exit; right
 *	after an exit, interrupts off
 * @load_pdptes: the four PAE PDPTEs the guest's next entry uses (SET_SREGS
 *	into PAE paging), and the end of the instruction that returned
 *	%MINIVM_KIND_PDPTES: it completes with @pdpte, or raises #GP when
 *	@pdpte is NULL (a reserved bit, or not in RAM). Process context.
 *	NULL when the hardware reads the PDPTEs itself (SVM).
 */
struct minivm_backend {
	const char *name;
	enum minivm_vendor vendor;
	unsigned int area_pages;
	int (*probe)(struct minivm_caps *caps, const char **why);
	int (*init)(void);
	void (*exit)(void);
	int (*cpu_check)(const char **why);
	void (*prepare_area)(void *area);
	int (*cpu_enable)(phys_addr_t area);
	void (*cpu_disable)(void);
	bool (*cpu_hw_enabled)(void);
	const struct minivm_pt_format *pt_format;
	const char *(*exit_name)(u64 reason);
	int (*vcpu_create)(struct minivm_vcpu *vcpu);
	void (*vcpu_destroy)(struct minivm_vcpu *vcpu);
	void (*vcpu_load)(struct minivm_vcpu *vcpu, int cpu);
	void (*vcpu_put)(struct minivm_vcpu *vcpu);
	void (*vcpu_run)(struct minivm_vcpu *vcpu, bool flush, struct minivm_exit *exit);
	void (*leave)(struct minivm_vcpu *vcpu);
	void (*skip)(struct minivm_vcpu *vcpu, const struct minivm_exit *exit);
	void (*inject_event)(struct minivm_vcpu *vcpu, const struct minivm_event *ev);
	void (*set_windows)(struct minivm_vcpu *vcpu, unsigned int windows);
	void (*set_cr2)(struct minivm_vcpu *vcpu, u64 cr2);
	u64 (*get_cr)(struct minivm_vcpu *vcpu, unsigned int cr);
	struct minivm_event_state (*get_event_state)(struct minivm_vcpu *vcpu);
	void (*set_event_state)(struct minivm_vcpu *vcpu, u32 shadow, bool nmi_masked);
	void (*get_regs)(struct minivm_vcpu *vcpu, struct minivm_regs *regs);
	void (*set_regs)(struct minivm_vcpu *vcpu, const struct minivm_regs *regs);
	void (*get_sregs)(struct minivm_vcpu *vcpu, struct minivm_sregs *sregs);
	void (*set_sregs)(struct minivm_vcpu *vcpu, const struct minivm_sregs *sregs);
	int (*msr)(struct minivm_vcpu *vcpu, bool write, u32 index, u64 *value);
	void (*set_tsc_offset)(struct minivm_vcpu *vcpu, s64 offset);
	u64 (*get_dr7)(struct minivm_vcpu *vcpu);
	void (*set_dr_exiting)(struct minivm_vcpu *vcpu, bool on);
	void (*load_pdptes)(struct minivm_vcpu *vcpu, const u64 *pdpte);
};

extern const struct minivm_backend minivm_vmx_backend;
extern const struct minivm_backend minivm_svm_backend;

/* The backend chosen at load, and what it found. */
extern const struct minivm_backend *minivm_be;
extern struct minivm_caps minivm_caps;

/*
 * The hooks every exit calls, as direct calls patched in at load (main.c),
 * as KVM calls its vendor ops: through minivm_be each costs two loads more.
 */
DECLARE_STATIC_CALL(minivm_be_vcpu_run, *((struct minivm_backend *)0)->vcpu_run);
DECLARE_STATIC_CALL(minivm_be_skip, *((struct minivm_backend *)0)->skip);
DECLARE_STATIC_CALL(minivm_be_get_event_state, *((struct minivm_backend *)0)->get_event_state);

/* main.c: the backend that numbers exits as @vendor does, or NULL. */
const struct minivm_backend *minivm_backend_for(enum minivm_vendor vendor);

/* virt.c: VMX/SVM held on every online CPU while any VM exists. */
int minivm_virt_get(void);
void minivm_virt_put(void);
bool minivm_virt_cpu_enabled(unsigned int cpu);
int minivm_virt_init(void);
void minivm_virt_exit(void);

/* virt.c: the physical address of this CPU's page area (see area_pages). */
phys_addr_t minivm_virt_area(unsigned int cpu);

/* vm.c */
long minivm_vm_create(struct minivm_create_vm __user *uarg);

/* vcpu.c */
long minivm_vcpu_create(struct minivm_vm *vm, struct minivm_create_vcpu __user *uarg);
void minivm_vcpu_free(struct minivm_vcpu *vcpu);
void minivm_vcpu_init(void);
void minivm_vcpu_exit(void);
void minivm_vcpu_hold_host_state(struct minivm_vcpu *vcpu);
void minivm_vcpu_load_tsc_aux(struct minivm_vcpu *vcpu, int cpu);
void minivm_vcpu_set_tsc_aux(struct minivm_vcpu *vcpu, u64 value);

/* debug.c; the tests below are all an entry without debug work costs */
bool minivm_debug_load(struct minivm_vcpu *vcpu);
void minivm_debug_put(struct minivm_vcpu *vcpu, struct minivm_exit *exit, bool loaded);

/* Before entry: returns whether the guest's DR0-DR3 were loaded. */
static inline bool minivm_debug_enter(struct minivm_vcpu *vcpu)
{
	if (likely(!vcpu->dr_active))
		return false;
	return minivm_debug_load(vcpu);
}

/* After the exit, interrupts still off: see minivm_debug_put(). */
static inline void minivm_debug_exit(struct minivm_vcpu *vcpu, struct minivm_exit *exit,
				     bool loaded)
{
	if (unlikely(loaded || vcpu->dr_guest_owned || exit->kind == MINIVM_KIND_DR_ACCESS) ||
	    hw_breakpoint_active())
		minivm_debug_put(vcpu, exit, loaded);
}

/* exit.c: the core's handling of decoded exits */
void minivm_handle_exit(struct minivm_vcpu *vcpu, struct minivm_exit *exit);
void minivm_exit_user(struct minivm_vcpu *vcpu, u32 reason, const struct minivm_exit *exit);
void minivm_exit_user_io(struct minivm_vcpu *vcpu, const struct minivm_exit *exit, u64 data);

/* events.c: interrupts, NMIs and exceptions, and when the guest takes them */
bool minivm_exception_has_error(unsigned int vector);
bool minivm_event_valid(const struct minivm_event *ev);
int minivm_exception_merge(unsigned int first, unsigned int second);
void minivm_queue_exception(struct minivm_vcpu *vcpu, unsigned int vector, u32 error_code);
void minivm_event_reinject(struct minivm_vcpu *vcpu, u8 type, u8 vector, bool has_error,
			   u32 error_code);
void minivm_events_decide(struct minivm_vcpu *vcpu);
void minivm_events_delivered(struct minivm_vcpu *vcpu, const struct minivm_exit *exit);

/*
 * Right before an entry: with no event, no window and nothing in delivery
 * (nearly every entry) this is the whole cost of events on the exit path.
 */
static inline void minivm_events_enter(struct minivm_vcpu *vcpu)
{
	const struct minivm_vcpu_events *ev = &vcpu->ev;

	if (ev->injected.type | ev->exception.type | READ_ONCE(ev->work))
		minivm_events_decide(vcpu);
}

/* Right after the exit: only an entry that delivered something has work. */
static inline void minivm_events_exit(struct minivm_vcpu *vcpu, const struct minivm_exit *exit)
{
	if (unlikely(vcpu->ev.delivering.type))
		minivm_events_delivered(vcpu, exit);
}

bool minivm_events_wake(struct minivm_vcpu *vcpu);
bool minivm_events_busy(const struct minivm_vcpu *vcpu);
void minivm_events_get(struct minivm_vcpu *vcpu, struct minivm_events *out);
int minivm_events_set(struct minivm_vcpu *vcpu, const struct minivm_events *in);
void minivm_events_reset(struct minivm_vcpu *vcpu);
void minivm_queue_interrupt(struct minivm_vcpu *vcpu, u8 vector);
void minivm_queue_nmi(struct minivm_vcpu *vcpu);

/* guest_mem.c: guest memory by linear address, for emulated instructions */
#define MINIVM_INSN_MAX	15	/* the longest x86 instruction */
int minivm_linear_to_gpa(struct minivm_vcpu *vcpu, const struct minivm_sregs *s, u64 la,
			 unsigned int len, bool write, u64 *gpa, u8 *plen);
int minivm_read_linear(struct minivm_vcpu *vcpu, const struct minivm_sregs *s, u64 la,
		       void *buf, unsigned int len);
unsigned int minivm_fetch_insn(struct minivm_vcpu *vcpu, const struct minivm_sregs *s, u64 rip,
			       u8 *buf);

/* io_string.c: INS and OUTS */
bool minivm_io_string(struct minivm_vcpu *vcpu, const struct minivm_exit *exit);
void minivm_ins_complete(struct minivm_vcpu *vcpu);

/* mmu.c */
int minivm_mmu_init(struct minivm_vm *vm);
void minivm_mmu_destroy(struct minivm_vm *vm);
long minivm_set_memory_region(struct minivm_vm *vm,
			      const struct minivm_memory_region *r);
int minivm_mmu_fault(struct minivm_vcpu *vcpu, u64 gpa, u32 access);
int minivm_read_guest(struct minivm_vcpu *vcpu, u64 gpa, void *data, unsigned int len);
int minivm_write_guest(struct minivm_vcpu *vcpu, u64 gpa, const void *data, unsigned int len);

/* cpuid.c: what the guest sees, the same on both vendors. */
void minivm_cpuid(struct minivm_vcpu *vcpu);
void minivm_cpuid_init(void);
bool minivm_cpuid_vendor_amd(void);

/* policy.c: what the guest may do, the same on both vendors. */
int minivm_msr(struct minivm_vcpu *vcpu, bool write, u32 index, u64 *value);
int minivm_set_xcr0(struct minivm_vcpu *vcpu, u32 index, u64 value);
void minivm_policy_init(void);
u64 minivm_cr4_allowed(void);

/* exit_names.c */
const char *minivm_exit_name(enum minivm_vendor vendor, u64 reason);

/*
 * What the module holds, for debugfs's "objects": a test that kills and
 * closes everything reads zero here, or something leaked.
 */
extern atomic_t minivm_live_vms;
extern atomic_t minivm_live_vcpus;
extern atomic_long_t minivm_live_pt_pages;

/* debugfs.c */
void minivm_debugfs_init(void);
void minivm_debugfs_exit(void);
void minivm_debugfs_vm_add(struct minivm_vm *vm);
void minivm_debugfs_vm_remove(struct minivm_vm *vm);

#endif /* MINIVM_H */
