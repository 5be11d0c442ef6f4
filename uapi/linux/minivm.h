/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * minivm: the user ABI of /dev/minivm.
 *
 * The contract between minivm.ko and its users. One struct per ioctl, every
 * reserved field must be zero (the module refuses anything else with
 * -EINVAL), and every size is pinned by static asserts in the module
 * (kmod/abi.c) and in libminivm, so a layout change cannot slip in.
 * Documentation/api.rst describes each call.
 */
#ifndef _UAPI_LINUX_MINIVM_H
#define _UAPI_LINUX_MINIVM_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * The API version. It changes only when an existing call changes meaning;
 * new calls are announced by capabilities instead.
 */
#define MINIVM_API_VERSION	2

#define MINIVM_IOCTL_TYPE	0xB7

/**
 * struct minivm_api_version - answer of %MINIVM_GET_API_VERSION
 * @version: %MINIVM_API_VERSION of the running module
 * @reserved: written as zero
 */
struct minivm_api_version {
	__u32 version;
	__u32 reserved;
};

/**
 * enum minivm_cap - capabilities queried with %MINIVM_CHECK_CAP
 * @MINIVM_CAP_VENDOR: the backend in use, a &enum minivm_vendor
 * @MINIVM_CAP_TAGGED_TLB: non-zero when guest TLB entries are tagged (VPID on
 *	VMX, ASIDs on SVM); the value is the number of tags the hardware has
 * @MINIVM_CAP_HUGE_PAGES: bit 0 set when 2 MiB EPT/NPT mappings are available
 * @MINIVM_CAP_MAX_VMS: how many VMs may exist at once
 * @MINIVM_CAP_RUN: non-zero when the module runs guests: memory regions,
 *	vCPUs, %MINIVM_RUN and the register calls exist
 * @MINIVM_CAP_MAX_VCPUS: vCPU ids run from 0 to this value minus one
 * @MINIVM_CAP_MAX_MEMORY_REGIONS: memory region slots per VM
 * @MINIVM_CAP_EVENTS: non-zero when events can be injected: %MINIVM_INTERRUPT,
 *	%MINIVM_NMI, %MINIVM_GET_EVENTS, %MINIVM_SET_EVENTS and
 *	&minivm_run.request_interrupt_window
 * @MINIVM_CAP_TSC_KHZ: the rate of the guest's TSC in kHz (the host's: the
 *	guest TSC is the host's plus an offset)
 * @MINIVM_CAP_LAPIC: non-zero when a VM may be created with
 *	%MINIVM_VM_LAPIC: a local APIC per vCPU in the kernel (xAPIC and
 *	x2APIC, its timer, IPIs, HLT that sleeps in the kernel),
 *	%MINIVM_SIGNAL_MSI, %MINIVM_GET_MP_STATE and %MINIVM_SET_MP_STATE
 * @MINIVM_CAP_EOI_EXIT: non-zero when the guest's EOI of a level-triggered
 *	interrupt (one sent with %MINIVM_SIGNAL_MSI, trigger mode 1) ends the
 *	run with %MINIVM_EXIT_EOI, as a userspace IOAPIC needs
 * @MINIVM_CAP_IMMEDIATE_EXIT: non-zero when &minivm_run.immediate_exit is
 *	honoured
 * @MINIVM_CAP_UNCLAIMED_PORTS: non-zero when %MINIVM_SET_UNCLAIMED_PORTS
 *	exists
 * @MINIVM_CAP_NR: one past the last capability this header knows
 */
enum minivm_cap {
	MINIVM_CAP_VENDOR = 1,
	MINIVM_CAP_TAGGED_TLB = 2,
	MINIVM_CAP_HUGE_PAGES = 3,
	MINIVM_CAP_MAX_VMS = 4,
	MINIVM_CAP_RUN = 5,
	MINIVM_CAP_MAX_VCPUS = 6,
	MINIVM_CAP_MAX_MEMORY_REGIONS = 7,
	MINIVM_CAP_EVENTS = 8,
	MINIVM_CAP_TSC_KHZ = 9,
	MINIVM_CAP_LAPIC = 10,
	MINIVM_CAP_EOI_EXIT = 11,
	MINIVM_CAP_IMMEDIATE_EXIT = 12,
	MINIVM_CAP_UNCLAIMED_PORTS = 13,
	MINIVM_CAP_NR,
};

/**
 * enum minivm_vendor - value of %MINIVM_CAP_VENDOR
 * @MINIVM_VENDOR_INTEL_VMX: Intel VT-x with EPT and unrestricted guest
 * @MINIVM_VENDOR_AMD_SVM: AMD-V with nested paging
 */
enum minivm_vendor {
	MINIVM_VENDOR_INTEL_VMX = 1,
	MINIVM_VENDOR_AMD_SVM = 2,
};

/**
 * struct minivm_check_cap - argument of %MINIVM_CHECK_CAP
 * @cap: in: a &enum minivm_cap
 * @reserved: in: must be zero
 * @value: out: the capability's value; 0 when the module does not know
 *	@cap (a newer header asking an older module)
 */
struct minivm_check_cap {
	__u32 cap;
	__u32 reserved;
	__u64 value;
};

/* Bits of &struct minivm_create_vm.flags. */
#define MINIVM_VM_LAPIC		0x1	/* a local APIC per vCPU in the kernel */

/**
 * struct minivm_create_vm - argument of %MINIVM_CREATE_VM
 * @flags: in: %MINIVM_VM_LAPIC or 0
 * @reserved: in: must be zero
 * @vm_id: out: the module-wide id of the new VM, as tracepoints show it
 *
 * On success the ioctl returns a new file descriptor for the VM. While any VM
 * exists, the module holds VMX/SVM enabled on every online CPU.
 */
struct minivm_create_vm {
	__u32 flags;
	__u32 reserved[5];
	__u64 vm_id;
};

/* Bits of &struct minivm_memory_region.flags. */
#define MINIVM_MEM_READONLY	0x1	/* guest writes exit as MMIO */

/**
 * struct minivm_memory_region - argument of %MINIVM_SET_MEMORY_REGION
 * @slot: in: which slot, below %MINIVM_CAP_MAX_MEMORY_REGIONS
 * @flags: in: %MINIVM_MEM_READONLY or 0
 * @guest_phys_addr: in: first guest-physical byte, page aligned
 * @memory_size: in: bytes, a multiple of the page size; 0 deletes the slot
 * @userspace_addr: in: where the caller maps the RAM, page aligned
 *
 * Guest RAM is the caller's own memory (anonymous, memfd, hugetlbfs...):
 * the module maps a host page into the guest only when the guest first
 * touches it, and unmaps it from the guest whenever the host unmaps,
 * migrates, swaps or merges it. A slot in use must be deleted before it is
 * set again; regions may not overlap in guest-physical space.
 */
struct minivm_memory_region {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
};

/**
 * struct minivm_create_vcpu - argument of %MINIVM_CREATE_VCPU
 * @vcpu_id: in: below %MINIVM_CAP_MAX_VCPUS, unique in the VM
 * @flags: in: must be zero
 * @reserved: in: must be zero
 *
 * Returns a vCPU file descriptor. Its first page, mapped with mmap(), is the
 * vCPU's &struct minivm_run. A new vCPU is in the x86 reset state (real
 * mode, CS:IP = f000:fff0).
 */
struct minivm_create_vcpu {
	__u32 vcpu_id;
	__u32 flags;
	__u64 reserved[3];
};

/**
 * struct minivm_regs - general registers (%MINIVM_GET_REGS, %MINIVM_SET_REGS)
 * @rax: and the fifteen that follow: the general registers
 * @rbx: see @rax
 * @rcx: see @rax
 * @rdx: see @rax
 * @rsi: see @rax
 * @rdi: see @rax
 * @rsp: see @rax
 * @rbp: see @rax
 * @r8: see @rax
 * @r9: see @rax
 * @r10: see @rax
 * @r11: see @rax
 * @r12: see @rax
 * @r13: see @rax
 * @r14: see @rax
 * @r15: see @rax
 * @rip: instruction pointer
 * @rflags: bit 1 must be set; the VM, VIF and VIP bits must be clear
 */
struct minivm_regs {
	__u64 rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	__u64 r8, r9, r10, r11, r12, r13, r14, r15;
	__u64 rip, rflags;
};

/* Bits of &struct minivm_segment.attrib: the descriptor's bits 40-55. */
#define MINIVM_SEG_TYPE_MASK	0x000f
#define MINIVM_SEG_S		0x10	/* code or data, not system */
#define MINIVM_SEG_DPL_SHIFT	5
#define MINIVM_SEG_P		0x80	/* present; clear = unusable */
#define MINIVM_SEG_AVL		0x100
#define MINIVM_SEG_L		0x200	/* 64-bit code */
#define MINIVM_SEG_DB		0x400	/* 32-bit default size */
#define MINIVM_SEG_G		0x800	/* limit in 4 KiB units */
#define MINIVM_SEG_ATTRIB_MASK	0x0fff

/**
 * struct minivm_segment - a segment register with its hidden part
 * @base: linear base address
 * @limit: limit in bytes (already scaled when G is set)
 * @selector: the visible selector
 * @attrib: the MINIVM_SEG_* bits; bits 12-15 must be zero
 */
struct minivm_segment {
	__u64 base;
	__u32 limit;
	__u16 selector;
	__u16 attrib;
};

/**
 * struct minivm_dtable - GDTR or IDTR
 * @base: linear base address
 * @limit: limit in bytes
 * @reserved: must be zero
 */
struct minivm_dtable {
	__u64 base;
	__u16 limit;
	__u16 reserved[3];
};

/**
 * struct minivm_sregs - segment, table and control registers
 * @cs: code segment
 * @ds: data segment
 * @es: extra segment
 * @fs: FS
 * @gs: GS
 * @ss: stack segment
 * @tr: task register
 * @ldt: LDTR
 * @gdt: GDTR
 * @idt: IDTR
 * @cr0: CR0; PE, MP, EM, TS, ET, NE, WP, AM, NW, CD and PG only
 * @cr2: CR2
 * @cr3: CR3
 * @cr4: CR4; only bits the guest's CPUID announces (never VMXE, SMXE)
 * @efer: EFER; SCE, LME, LMA and NXE only (SVME stays the host's)
 * @reserved: must be zero
 *
 * %MINIVM_SET_SREGS also refuses (-EINVAL) any combination no CPU could be
 * in (Documentation/api.rst lists the rules); what the hardware still
 * refuses at entry, %MINIVM_RUN reports as %MINIVM_EXIT_FAIL_ENTRY.
 */
struct minivm_sregs {
	struct minivm_segment cs, ds, es, fs, gs, ss, tr, ldt;
	struct minivm_dtable gdt, idt;
	__u64 cr0, cr2, cr3, cr4, efer;
	__u64 reserved[3];
};

/**
 * struct minivm_msr_entry - one MSR of &struct minivm_msrs
 * @index: the MSR's number (ECX of RDMSR/WRMSR)
 * @reserved: must be zero
 * @data: its value: out for %MINIVM_GET_MSRS, in for %MINIVM_SET_MSRS
 */
struct minivm_msr_entry {
	__u32 index;
	__u32 reserved;
	__u64 data;
};

/* Entries one %MINIVM_GET_MSRS or %MINIVM_SET_MSRS may carry. */
#define MINIVM_MAX_MSRS		64

/**
 * struct minivm_msrs - argument of %MINIVM_GET_MSRS and %MINIVM_SET_MSRS
 * @nmsrs: in: entries at @entries, at most %MINIVM_MAX_MSRS; out, when the
 *	call fails on an entry: how many entries before it were done
 * @reserved: must be zero
 * @entries: user pointer to an array of &struct minivm_msr_entry
 *
 * Only MSRs the guest owns are accessible: EFER, PAT, FS_BASE, GS_BASE,
 * KERNEL_GS_BASE, STAR, LSTAR, CSTAR, SFMASK, SYSENTER_CS/ESP/EIP,
 * APIC_BASE, TSC, TSC_ADJUST, MISC_ENABLE, MTRR_DEF_TYPE, MCG_STATUS and
 * KVM's clock MSRs (0x4b564d00, 0x4b564d01), and for reading MTRRcap and
 * MCG_CAP (no MTRRs, no machine-check banks).
 * Another index fails with -ENOENT, a value the guest could not write
 * either with -EINVAL.
 */
struct minivm_msrs {
	__u32 nmsrs;
	__u32 reserved;
	__u64 entries;
};

/**
 * enum minivm_exit_reason - why %MINIVM_RUN returned to userspace
 * @MINIVM_EXIT_NONE: not run yet
 * @MINIVM_EXIT_IO: port I/O, in &minivm_run.io. For an IN, store the value
 *	in io.data before the next %MINIVM_RUN; the module puts it in the
 *	guest's register. RIP is already past the instruction.
 * @MINIVM_EXIT_MMIO: an access to guest-physical memory outside every
 *	region (or a write to a read-only one), in &minivm_run.mmio. RIP
 *	still points at the instruction: userspace emulates it (libminivm's
 *	minivm_mmio_emulate() does) before running again.
 * @MINIVM_EXIT_HLT: the guest executed HLT with nothing to wake it
 * @MINIVM_EXIT_SHUTDOWN: the guest triple-faulted; its state is undefined
 *	until userspace sets it again
 * @MINIVM_EXIT_FAIL_ENTRY: the hardware refused to enter the guest; the
 *	vendor's reason is in &minivm_run.hw
 * @MINIVM_EXIT_UNHANDLED: an exit minivm does not handle; the vendor's
 *	exit reason and data are in &minivm_run.hw
 * @MINIVM_EXIT_INTR: a signal is pending; %MINIVM_RUN returned -EINTR
 * @MINIVM_EXIT_MEMORY_ERROR: the memory behind &minivm_run.memory.gpa
 *	cannot be faulted in (unmapped, or no access); %MINIVM_RUN returned
 *	-EFAULT
 * @MINIVM_EXIT_IRQ_WINDOW_OPEN: &minivm_run.request_interrupt_window was
 *	set and the guest can now take an external interrupt; no interrupt
 *	is queued (%MINIVM_INTERRUPT)
 * @MINIVM_EXIT_EOI: the guest wrote EOI for an interrupt its in-kernel APIC
 *	took as level-triggered (&minivm_run.eoi.vector): the IOAPIC in
 *	userspace clears that pin's Remote IRR and sends it again if the line
 *	is still asserted. RIP is past the instruction.
 */
enum minivm_exit_reason {
	MINIVM_EXIT_NONE = 0,
	MINIVM_EXIT_IO = 1,
	MINIVM_EXIT_MMIO = 2,
	MINIVM_EXIT_HLT = 3,
	MINIVM_EXIT_SHUTDOWN = 4,
	MINIVM_EXIT_FAIL_ENTRY = 5,
	MINIVM_EXIT_UNHANDLED = 6,
	MINIVM_EXIT_INTR = 7,
	MINIVM_EXIT_MEMORY_ERROR = 8,
	MINIVM_EXIT_IRQ_WINDOW_OPEN = 9,
	MINIVM_EXIT_EOI = 10,
};

/*
 * What a guest's VMCALL (VMX) or VMMCALL (SVM) returns in RAX: no hypercall
 * is defined yet. The call costs one in-kernel exit.
 */
#define MINIVM_HYPERCALL_UNKNOWN	((__u64)-1000)

#define MINIVM_IO_OUT		0
#define MINIVM_IO_IN		1

/* Bits of &minivm_run.mmio.access and of a fault's access. */
#define MINIVM_ACCESS_READ	0x1
#define MINIVM_ACCESS_WRITE	0x2
#define MINIVM_ACCESS_FETCH	0x4

/* &minivm_run.flags */
#define MINIVM_RUN_INTR_SHADOW	0x1	/* in an STI or MOV SS shadow */

/**
 * struct minivm_run - the vCPU's shared page (mmap of the vCPU fd)
 * @request_interrupt_window: in: 1 to return with
 *	%MINIVM_EXIT_IRQ_WINDOW_OPEN as soon as the guest can take an external
 *	interrupt (RFLAGS.IF set, no interrupt shadow, no event being
 *	delivered) and none is queued; 0 not to. Anything else: -EINVAL
 * @immediate_exit: in: 1 to end this run at once with -EINTR and
 *	%MINIVM_EXIT_INTR, without entering the guest (a port input the last
 *	exit asked for is completed first); 0 to run. Anything else: -EINVAL.
 *	A signal handler sets it to close the window between userspace's last
 *	look at its devices and the entry, as &struct kvm_run's does
 * @reserved_in: in: must be 0 (-EINVAL otherwise)
 * @exit_reason: out: an &enum minivm_exit_reason
 * @ready_for_interrupt_injection: out: the guest could take an external
 *	interrupt at this exit (RFLAGS.IF set, no interrupt shadow, no event
 *	being delivered)
 * @if_flag: out: the guest's RFLAGS.IF at this exit
 * @flags: out: MINIVM_RUN_* bits
 * @cr8: out: the guest's CR8 (task priority) at this exit
 * @vendor: out: the &enum minivm_vendor whose numbering @hw_reason uses
 * @reserved_out: out: 0
 * @hw_reason: out: the hardware exit reason behind this exit (VMX basic exit
 *	reason or SVM exit code)
 * @io: %MINIVM_EXIT_IO: @io.port, @io.size (1, 2 or 4), @io.direction
 *	(%MINIVM_IO_IN or %MINIVM_IO_OUT), @io.data (the value written, or
 *	where userspace puts the value read); INS and OUTS come as one such
 *	exit per element
 * @mmio: %MINIVM_EXIT_MMIO: @mmio.gpa and @mmio.access (MINIVM_ACCESS_*)
 * @hw: %MINIVM_EXIT_FAIL_ENTRY, %MINIVM_EXIT_UNHANDLED and
 *	%MINIVM_EXIT_SHUTDOWN: the vendor's @hw.qualification (VMX exit
 *	qualification, SVM EXITINFO1), @hw.info (VMX instruction error or
 *	interruption info, SVM EXITINFO2) and the guest's @hw.rip
 * @memory: %MINIVM_EXIT_MEMORY_ERROR: @memory.gpa, the host address
 *	@memory.hva behind it, and @memory.error (a negative errno)
 * @eoi: %MINIVM_EXIT_EOI: the @eoi.vector whose level-triggered interrupt
 *	the guest ended; @eoi.reserved is 0
 * @padding: keeps the union's size fixed as exits are added
 *
 * The header before the union is the same for every exit and is written
 * on every return from %MINIVM_RUN (the in fields are read at its start),
 * as &struct kvm_run has it. The module writes this page; userspace writes
 * only the in fields and @io.data.
 */
struct minivm_run {
	__u8 request_interrupt_window;
	__u8 immediate_exit;
	__u8 reserved_in[6];
	__u32 exit_reason;
	__u8 ready_for_interrupt_injection;
	__u8 if_flag;
	__u16 flags;
	__u64 cr8;
	__u32 vendor;
	__u32 reserved_out;
	__u64 hw_reason;
	union {
		struct {
			__u16 port;
			__u8 size;
			__u8 direction;
			__u32 reserved;
			__u64 data;
		} io;
		struct {
			__u64 gpa;
			__u32 access;
			__u32 reserved;
		} mmio;
		struct {
			__u64 qualification;
			__u64 info;
			__u64 rip;
		} hw;
		struct {
			__u64 gpa;
			__u64 hva;
			__s64 error;
		} memory;
		struct {
			__u32 vector;
			__u32 reserved;
		} eoi;
		__u64 padding[30];
	};
};

/**
 * struct minivm_interrupt - argument of %MINIVM_INTERRUPT
 * @vector: the external interrupt's vector, 0 to 255 (a PIC's or an
 *	IOAPIC's choice: a real-mode BIOS puts IRQ 0 at vector 8)
 * @reserved: must be zero
 *
 * The interrupt is queued and delivered by a later %MINIVM_RUN as soon as
 * the guest can take it (RFLAGS.IF set, no STI or MOV SS shadow, no other
 * event being delivered); until then the run enters the guest with
 * interrupt-window exiting and stays in the kernel. One interrupt can be
 * queued at a time: -EBUSY while one waits, as the INTR pin of a CPU holds
 * one.
 */
struct minivm_interrupt {
	__u32 vector;
	__u32 reserved;
};

/* &minivm_event.type */
#define MINIVM_EVENT_NONE	0
#define MINIVM_EVENT_INTERRUPT	1	/* external interrupt */
#define MINIVM_EVENT_NMI	2	/* NMI (vector 2) */
#define MINIVM_EVENT_EXCEPTION	3	/* hardware exception, vector 0-31 */

/*
 * The exceptions that push an error code, one bit per vector: #DF, #TS,
 * #NP, #SS, #GP, #PF, #AC, #CP, #VC and #SX (SDM vol. 3, table 6-1).
 */
#define MINIVM_EXCEPTIONS_WITH_ERROR_CODE	0x60227d00U

/**
 * struct minivm_event - one event, as &struct minivm_events holds it
 * @type: MINIVM_EVENT_*
 * @vector: the vector: 2 for an NMI; for an exception 0 to 31 except 2, 9,
 *	15, 21 to 27 and 29 to 31 (reserved, or of features minivm does not
 *	offer: CET's #CP, SEV-ES's #VC, SVM's #SX)
 * @has_error_code: 1 when the exception pushes an error code (its bit in
 *	%MINIVM_EXCEPTIONS_WITH_ERROR_CODE), 0 otherwise. Real mode delivers
 *	none: the module drops it there.
 * @reserved: must be zero
 * @error_code: the error code when @has_error_code is 1, else 0
 */
struct minivm_event {
	__u8 type;
	__u8 vector;
	__u8 has_error_code;
	__u8 reserved;
	__u32 error_code;
};

/* &minivm_events.flags */
#define MINIVM_EVENTS_STI_SHADOW	0x1	/* after STI: interrupts held one instruction */
#define MINIVM_EVENTS_MOV_SS_SHADOW	0x2	/* after MOV SS or POP SS */
#define MINIVM_EVENTS_EXCEPTION_CR2	0x4	/* @exception_cr2 is valid */

/**
 * struct minivm_events - argument of %MINIVM_GET_EVENTS and %MINIVM_SET_EVENTS
 * @injected: the event the next entry delivers again because an exit
 *	interrupted its delivery (IDT-vectoring information, EXITINTINFO);
 *	any type, or %MINIVM_EVENT_NONE
 * @exception: a pending exception, delivered by the next entry (type
 *	%MINIVM_EVENT_EXCEPTION), or none. Not together with @injected.
 * @exception_cr2: with %MINIVM_EVENTS_EXCEPTION_CR2 (for #PF only): the
 *	value CR2 takes when the exception is delivered
 * @interrupt_pending: 1 when an external interrupt is queued, as by
 *	%MINIVM_INTERRUPT
 * @interrupt_vector: its vector
 * @nmi_pending: 1 when an NMI waits for NMIs to be unblocked
 * @nmi_masked: 1 while NMIs are blocked (from an NMI's delivery to the
 *	next IRET)
 * @flags: MINIVM_EVENTS_*: the interrupt shadow the guest is in (not both;
 *	STI's only with RFLAGS.IF set) and whether @exception_cr2 is valid.
 *	SVM has one kind of shadow: it reads back as the STI one.
 * @reserved: must be zero
 *
 * Together with the registers, what makes a vCPU's state complete: GET
 * then SET on another vCPU continues exactly where the first one was.
 * %MINIVM_SET_EVENTS refuses anything a CPU could not be in with -EINVAL
 * and changes nothing then.
 */
struct minivm_events {
	struct minivm_event injected;
	struct minivm_event exception;
	__u64 exception_cr2;
	__u8 interrupt_pending;
	__u8 interrupt_vector;
	__u8 nmi_pending;
	__u8 nmi_masked;
	__u32 flags;
	__u64 reserved[4];
};

/* &minivm_mp_state.state */
#define MINIVM_MP_RUNNABLE	0	/* runs guest code */
#define MINIVM_MP_HALTED	1	/* HLT: waits for an interrupt or NMI */
#define MINIVM_MP_WAIT_SIPI	2	/* after INIT: waits for a start-up IPI */

/**
 * struct minivm_mp_state - argument of %MINIVM_GET_MP_STATE and
 *	%MINIVM_SET_MP_STATE
 * @state: MINIVM_MP_*; only %MINIVM_MP_RUNNABLE without the in-kernel APIC
 * @reserved: must be zero
 *
 * With %MINIVM_VM_LAPIC a vCPU other than 0 starts in
 * %MINIVM_MP_WAIT_SIPI, as the application processors of a PC do: RUN
 * sleeps until another vCPU's APIC sends it INIT and a start-up IPI.
 */
struct minivm_mp_state {
	__u32 state;
	__u32 reserved;
};

/**
 * struct minivm_msi - argument of %MINIVM_SIGNAL_MSI
 * @address: the message address: 0xfee in bits 31:20, the destination
 *	APIC ID in 19:12, the redirection hint in bit 3 (lowest priority goes
 *	by priority regardless), destination mode (1: logical) in bit 2; all
 *	other bits zero
 * @data: the message data: vector in bits 7:0, delivery mode in 10:8
 *	(fixed, lowest priority, NMI, INIT; SMI and ExtINT are dropped), level
 *	in 14, trigger mode (1: level) in 15; all other bits zero
 * @flags: must be zero
 * @reserved: must be zero
 *
 * An interrupt message to the VM's local APICs, as a device or the
 * userspace IOAPIC sends one. Returns how many APICs it reached.
 */
struct minivm_msi {
	__u64 address;
	__u32 data;
	__u32 flags;
	__u64 reserved[2];
};

/* How many I/O ports an x86 CPU addresses. */
#define MINIVM_NR_PORTS		65536

/**
 * struct minivm_unclaimed_ports - argument of %MINIVM_SET_UNCLAIMED_PORTS
 * @flags: must be zero
 * @reserved: must be zero
 * @bitmap: bit N (bit N % 8 of byte N / 8) set when port N belongs to no
 *	device of the VMM
 *
 * An IN or OUT (not INS or OUTS) all of whose ports are set is finished in
 * the kernel as a PC's bus finishes an access no device decodes: IN reads
 * all ones, OUT is dropped, and the run goes on without exiting to
 * userspace. Any other port access exits with %MINIVM_EXIT_IO as before.
 * Each call replaces the VM's set; all zeros (a new VM's set) leaves every
 * port to userspace.
 */
struct minivm_unclaimed_ports {
	__u32 flags;
	__u32 reserved;
	__u8 bitmap[MINIVM_NR_PORTS / 8];
};

/* /dev/minivm */
#define MINIVM_GET_API_VERSION	_IOR(MINIVM_IOCTL_TYPE, 0x00, struct minivm_api_version)
#define MINIVM_CHECK_CAP	_IOWR(MINIVM_IOCTL_TYPE, 0x01, struct minivm_check_cap)
#define MINIVM_CREATE_VM	_IOWR(MINIVM_IOCTL_TYPE, 0x02, struct minivm_create_vm)

/* VM fd */
#define MINIVM_SET_MEMORY_REGION _IOW(MINIVM_IOCTL_TYPE, 0x10, struct minivm_memory_region)
#define MINIVM_CREATE_VCPU	_IOW(MINIVM_IOCTL_TYPE, 0x11, struct minivm_create_vcpu)
#define MINIVM_SIGNAL_MSI	_IOW(MINIVM_IOCTL_TYPE, 0x12, struct minivm_msi)
#define MINIVM_SET_UNCLAIMED_PORTS _IOW(MINIVM_IOCTL_TYPE, 0x13, struct minivm_unclaimed_ports)

/* vCPU fd */
#define MINIVM_RUN		_IO(MINIVM_IOCTL_TYPE, 0x20)
#define MINIVM_GET_REGS		_IOR(MINIVM_IOCTL_TYPE, 0x21, struct minivm_regs)
#define MINIVM_SET_REGS		_IOW(MINIVM_IOCTL_TYPE, 0x22, struct minivm_regs)
#define MINIVM_GET_SREGS	_IOR(MINIVM_IOCTL_TYPE, 0x23, struct minivm_sregs)
#define MINIVM_SET_SREGS	_IOW(MINIVM_IOCTL_TYPE, 0x24, struct minivm_sregs)
#define MINIVM_GET_MSRS		_IOWR(MINIVM_IOCTL_TYPE, 0x25, struct minivm_msrs)
#define MINIVM_SET_MSRS		_IOWR(MINIVM_IOCTL_TYPE, 0x26, struct minivm_msrs)
#define MINIVM_INTERRUPT	_IOW(MINIVM_IOCTL_TYPE, 0x27, struct minivm_interrupt)
#define MINIVM_NMI		_IO(MINIVM_IOCTL_TYPE, 0x28)
#define MINIVM_GET_EVENTS	_IOR(MINIVM_IOCTL_TYPE, 0x29, struct minivm_events)
#define MINIVM_SET_EVENTS	_IOW(MINIVM_IOCTL_TYPE, 0x2a, struct minivm_events)
#define MINIVM_GET_MP_STATE	_IOR(MINIVM_IOCTL_TYPE, 0x2b, struct minivm_mp_state)
#define MINIVM_SET_MP_STATE	_IOW(MINIVM_IOCTL_TYPE, 0x2c, struct minivm_mp_state)

#endif /* _UAPI_LINUX_MINIVM_H */
