// SPDX-License-Identifier: GPL-2.0
/*
 * minivm VMX backend: the VMCS, entering the guest, and decoding exits.
 *
 * The guest runs with EPT, VPID (when the CPU has it) and unrestricted
 * guest, so real mode and unpaged protected mode run natively. Every I/O
 * port and every MSR exits (no bitmaps), as do HLT, external interrupts and
 * NMIs, MONITOR/MWAIT and CR8, #DB and #AC (reflected into the guest), and
 * debug-register accesses until the guest owns them (see ../debug.c).
 * CR0.PG and CR0.NE and every CR4 bit minivm does not allow are owned by
 * minivm (the guest reads a shadow): turning paging on with EFER.LME set
 * enters long mode, which VMX leaves to the VMM.
 *
 * A VMCS may be current on one CPU only. Each vCPU remembers the CPU its
 * VMCS is active on; arriving on another CPU, it first has the old CPU
 * VMCLEAR it. Each CPU keeps a list of the VMCSs active on it, cleared
 * before the CPU leaves VMX operation.
 */
#include <linux/gfp.h>
#include <linux/idr.h>
#include <linux/io.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/cpu_entry_area.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/trapnr.h>
#include <asm/special_insns.h>
#include <asm/tsc.h>
#include <asm/tlbflush.h>
#include <asm/vmx.h>
#include "../arch_state.h"
#include "../minivm.h"
#include "vmcs.h"
#include "vmx.h"

struct vmx_vcpu {
	void *vmcs;
	u64 vmcs_pa;
	u64 eptp;
	int cpu;		/* where the VMCS is active, -1 if nowhere */
	bool launched;
	struct list_head on_cpu;	/* in vmx_loaded of @cpu */
	u16 vpid;
	u8 cr8;
	u64 cr2;		/* the guest's: VMX does not switch CR2 */
	u64 dr6;		/* the guest's: VMX does not switch DR6 */
	u64 host_cr3, host_cr4, host_fs_base;
	/* A MOV to CR0 or CR3 that waits for its PDPTEs (vmx_load_pdptes()). */
	enum { PDPTES_FOR_NONE, PDPTES_FOR_CR0, PDPTES_FOR_CR3 } pdptes_for;
	u64 pdptes_val;
};

static DEFINE_PER_CPU(void *, vmx_current);
static DEFINE_PER_CPU(struct list_head, vmx_loaded);
static DEFINE_IDA(vmx_vpids);

static struct {
	u32 pin, proc, proc2, exit, entry, revision;
	u32 preemption_ticks;	/* 0: no VMX-preemption timer */
	bool cr3_exiting, invept_single;
} vmx_ctl;

/* CR0 bits minivm owns; CR4 bits: everything a guest may not set. */
#define CR0_OWNED	(X86_CR0_PG | X86_CR0_NE)

/*
 * Exceptions that exit: #DB and #AC, whose delivery can otherwise raise them
 * again forever with no instruction boundary, so no exit (../debug.c).
 */
#define VMX_EXCEPTIONS	(BIT(X86_TRAP_DB) | BIT(X86_TRAP_AC))

static u64 vmx_cr4_owned(void)
{
	return ~minivm_cr4_allowed();
}

/*
 * The control value with @want set: the capability MSR's low half says which
 * bits must be 1, its high half which may be.
 */
static int vmx_adjust(u32 msr, u32 want, u32 optional, u32 *ctl)
{
	u64 cap;
	u32 must, may;

	rdmsrl(msr, cap);
	must = cap;
	may = cap >> 32;
	if (want & ~may)
		return -EOPNOTSUPP;
	*ctl = (want | (optional & may) | must) & may;
	return 0;
}

int vmx_vcpu_init(u32 revision, bool invept_single)
{
	bool true_ctls;
	u64 basic;
	int cpu;

	for_each_possible_cpu(cpu)
		INIT_LIST_HEAD(&per_cpu(vmx_loaded, cpu));
	rdmsrl(MSR_IA32_VMX_BASIC, basic);
	true_ctls = basic & VMX_BASIC_TRUE_CTLS;
	vmx_ctl.revision = revision;
	vmx_ctl.invept_single = invept_single;
	if (vmx_adjust(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS,
		       PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING,
		       PIN_BASED_VMX_PREEMPTION_TIMER, &vmx_ctl.pin) ||
	    vmx_adjust(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS,
		       CPU_BASED_HLT_EXITING | CPU_BASED_UNCOND_IO_EXITING |
		       CPU_BASED_MWAIT_EXITING | CPU_BASED_MONITOR_EXITING |
		       CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING |
		       CPU_BASED_MOV_DR_EXITING |
		       CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, 0, &vmx_ctl.proc) ||
	    vmx_adjust(MSR_IA32_VMX_PROCBASED_CTLS2,
		       SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_UNRESTRICTED_GUEST,
		       SECONDARY_EXEC_ENABLE_VPID, &vmx_ctl.proc2) ||
	    vmx_adjust(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS,
		       VM_EXIT_HOST_ADDR_SPACE_SIZE | VM_EXIT_SAVE_IA32_EFER |
		       VM_EXIT_LOAD_IA32_EFER | VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT |
		       VM_EXIT_SAVE_DEBUG_CONTROLS,
		       0, &vmx_ctl.exit) ||
	    vmx_adjust(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS,
		       VM_ENTRY_LOAD_IA32_EFER | VM_ENTRY_LOAD_IA32_PAT |
		       VM_ENTRY_LOAD_DEBUG_CONTROLS, 0, &vmx_ctl.entry))
		return -EOPNOTSUPP;
	/* Without the TRUE controls CR3 accesses may be forced to exit. */
	vmx_ctl.cr3_exiting = vmx_ctl.proc & (CPU_BASED_CR3_LOAD_EXITING |
					      CPU_BASED_CR3_STORE_EXITING);
	/* IA-32e mode is per guest, set as the guest enters long mode. */
	vmx_ctl.entry &= ~VM_ENTRY_IA32E_MODE;
	/*
	 * A backstop: the guest exits at least every millisecond even if an
	 * external interrupt fails to make it exit. Bochs, for one, does not
	 * deliver interrupt exits while the guest runs with IF clear, which
	 * would leave a "cli; jmp ." guest holding the CPU.
	 */
	if (vmx_ctl.pin & PIN_BASED_VMX_PREEMPTION_TIMER) {
		u64 misc;

		rdmsrl(MSR_IA32_VMX_MISC, misc);
		vmx_ctl.preemption_ticks = clamp_t(u64, (u64)tsc_khz >>
						   (misc & VMX_MISC_PREEMPTION_TIMER_RATE_MASK),
						   1, U32_MAX);
	}
	return 0;
}

/* Runs on the CPU where @v's VMCS is active. */
static void vmx_clear_here(void *arg)
{
	struct vmx_vcpu *v = arg;

	vmcs_clear(v->vmcs_pa);
	if (this_cpu_read(vmx_current) == v->vmcs)
		this_cpu_write(vmx_current, NULL);
	list_del(&v->on_cpu);
	v->launched = false;
	WRITE_ONCE(v->cpu, -1);
}

/** vmx_cpu_clear_all() - VMCLEAR every VMCS active here; before VMXOFF */
void vmx_cpu_clear_all(void)
{
	struct vmx_vcpu *v, *n;

	list_for_each_entry_safe(v, n, this_cpu_ptr(&vmx_loaded), on_cpu)
		vmx_clear_here(v);
}

/* Host state that differs between CPUs. */
static void vmx_set_host_cpu_state(int cpu)
{
	u64 gs_base, sysenter_esp;

	rdmsrl(MSR_GS_BASE, gs_base);
	rdmsrl(MSR_IA32_SYSENTER_ESP, sysenter_esp);
	vmcs_write(HOST_TR_BASE, (unsigned long)&get_cpu_entry_area(cpu)->tss.x86_tss);
	vmcs_write(HOST_GDTR_BASE, (unsigned long)get_cpu_gdt_ro(cpu));
	vmcs_write(HOST_GS_BASE, gs_base);
	vmcs_write(HOST_IA32_SYSENTER_ESP, sysenter_esp);
}

void vmx_vcpu_load(struct minivm_vcpu *vcpu, int cpu)
{
	struct vmx_vcpu *v = vcpu->be;
	bool moved = READ_ONCE(v->cpu) != cpu;

	if (moved) {
		int old = READ_ONCE(v->cpu);

		if (old >= 0)
			smp_call_function_single(old, vmx_clear_here, v, 1);
		local_irq_disable();
		list_add(&v->on_cpu, this_cpu_ptr(&vmx_loaded));
		WRITE_ONCE(v->cpu, cpu);
		local_irq_enable();
	}
	if (this_cpu_read(vmx_current) != v->vmcs) {
		vmcs_load(v->vmcs_pa);
		this_cpu_write(vmx_current, v->vmcs);
	}
	if (moved)
		vmx_set_host_cpu_state(cpu);
}

static u32 seg_to_ar(const struct minivm_segment *s)
{
	if (!(s->attrib & MINIVM_SEG_P))
		return VMX_AR_UNUSABLE_MASK;
	return (s->attrib & 0xff) | ((s->attrib & 0xf00) << 4);
}

static u16 ar_to_attrib(u32 ar)
{
	if (ar & VMX_AR_UNUSABLE_MASK)
		return 0;
	return (ar & 0xff) | ((ar >> 4) & 0xf00);
}

/* The VMCS field encodings of one segment register. */
struct vmx_seg_fields {
	u32 selector, base, limit, ar;
};

#define SEG(name) { GUEST_##name##_SELECTOR, GUEST_##name##_BASE, GUEST_##name##_LIMIT, \
		    GUEST_##name##_AR_BYTES }
enum { S_CS, S_DS, S_ES, S_FS, S_GS, S_SS, S_TR, S_LDTR, NR_SEGS };
static const struct vmx_seg_fields vmx_segs[NR_SEGS] = {
	[S_CS] = SEG(CS), [S_DS] = SEG(DS), [S_ES] = SEG(ES), [S_FS] = SEG(FS),
	[S_GS] = SEG(GS), [S_SS] = SEG(SS), [S_TR] = SEG(TR), [S_LDTR] = SEG(LDTR),
};

static void seg_write(unsigned int i, const struct minivm_segment *s)
{
	vmcs_write(vmx_segs[i].selector, s->selector);
	vmcs_write(vmx_segs[i].base, s->base);
	vmcs_write(vmx_segs[i].limit, s->limit);
	vmcs_write(vmx_segs[i].ar, seg_to_ar(s));
}

static void seg_read(unsigned int i, struct minivm_segment *s)
{
	s->selector = vmcs_read(vmx_segs[i].selector);
	s->base = vmcs_read(vmx_segs[i].base);
	s->limit = vmcs_read(vmx_segs[i].limit);
	s->attrib = ar_to_attrib(vmcs_read(vmx_segs[i].ar));
}

static void vmx_set_cr0(struct vmx_vcpu *v, u64 cr0)
{
	u64 efer = vmcs_read(GUEST_IA32_EFER);
	u32 entry = vmx_ctl.entry;

	/* Long mode follows paging when LME is set: VMX leaves LMA to us. */
	if ((cr0 & X86_CR0_PG) && (efer & EFER_LME)) {
		efer |= EFER_LMA;
		entry |= VM_ENTRY_IA32E_MODE;
	} else {
		efer &= ~EFER_LMA;
	}
	vmcs_write(GUEST_IA32_EFER, efer);
	vmcs_write(VM_ENTRY_CONTROLS, entry);
	vmcs_write(CR0_READ_SHADOW, cr0);
	vmcs_write(GUEST_CR0, cr0 | X86_CR0_NE);
}

static void vmx_set_cr4(u64 cr4)
{
	vmcs_write(CR4_READ_SHADOW, cr4);
	vmcs_write(GUEST_CR4, cr4 | X86_CR4_VMXE);
}

static u64 vmx_guest_cr4(void)
{
	u64 owned = vmx_cr4_owned();

	return (vmcs_read(GUEST_CR4) & ~owned) | (vmcs_read(CR4_READ_SHADOW) & owned);
}

static u64 vmx_guest_cr0(void)
{
	return (vmcs_read(GUEST_CR0) & ~CR0_OWNED) | (vmcs_read(CR0_READ_SHADOW) & CR0_OWNED);
}

/* Everything that never changes, and the x86 reset state. */
static void vmx_vmcs_setup(struct minivm_vcpu *vcpu)
{
	const struct minivm_segment code = { .base = 0xffff0000, .limit = 0xffff,
					     .selector = 0xf000, .attrib = 0x9b };
	const struct minivm_segment data = { .limit = 0xffff, .attrib = 0x93 };
	const struct minivm_segment ldt = { .limit = 0xffff, .attrib = 0x82 };
	const struct minivm_segment tr = { .limit = 0xffff, .attrib = 0x8b };
	struct vmx_vcpu *v = vcpu->be;
	struct desc_ptr idt;
	u64 msr;
	u32 proc2 = vmx_ctl.proc2;
	unsigned int i;

	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, vmx_ctl.pin);
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, vmx_ctl.proc);
	if (!v->vpid)
		proc2 &= ~SECONDARY_EXEC_ENABLE_VPID;
	vmcs_write(SECONDARY_VM_EXEC_CONTROL, proc2);
	vmcs_write(VM_EXIT_CONTROLS, vmx_ctl.exit);
	vmcs_write(VM_ENTRY_CONTROLS, vmx_ctl.entry);
	vmcs_write(EXCEPTION_BITMAP, VMX_EXCEPTIONS);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmcs_write(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmcs_write(CR3_TARGET_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_STORE_COUNT, 0);
	vmcs_write(VM_EXIT_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_MSR_LOAD_COUNT, 0);
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, 0);
	vmcs_write(EPT_POINTER, v->eptp);
	if (v->vpid)
		vmcs_write(VIRTUAL_PROCESSOR_ID, v->vpid);
	vmcs_write(VMCS_LINK_POINTER, ~0ULL);
	vmcs_write(CR0_GUEST_HOST_MASK, CR0_OWNED);
	vmcs_write(CR4_GUEST_HOST_MASK, vmx_cr4_owned());

	/* The host: Linux's kernel segments and this CPU's tables. */
	vmcs_write(HOST_CR0, read_cr0());
	vmcs_write(HOST_CS_SELECTOR, __KERNEL_CS);
	vmcs_write(HOST_SS_SELECTOR, __KERNEL_DS);
	vmcs_write(HOST_DS_SELECTOR, 0);
	vmcs_write(HOST_ES_SELECTOR, 0);
	vmcs_write(HOST_FS_SELECTOR, 0);
	vmcs_write(HOST_GS_SELECTOR, 0);
	vmcs_write(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	store_idt(&idt);
	vmcs_write(HOST_IDTR_BASE, idt.address);
	rdmsrl(MSR_IA32_SYSENTER_CS, msr);
	vmcs_write(HOST_IA32_SYSENTER_CS, msr);
	rdmsrl(MSR_IA32_SYSENTER_EIP, msr);
	vmcs_write(HOST_IA32_SYSENTER_EIP, msr);
	rdmsrl(MSR_EFER, msr);
	vmcs_write(HOST_IA32_EFER, msr);
	rdmsrl(MSR_IA32_CR_PAT, msr);
	vmcs_write(HOST_IA32_PAT, msr);
	vmcs_write(HOST_RIP, (unsigned long)minivm_vmx_return);
	/* Filled in before the first entry. */
	v->host_cr3 = 0;
	v->host_cr4 = 0;
	v->host_fs_base = ~0ULL;

	/* The guest at reset. */
	seg_write(S_CS, &code);
	for (i = S_DS; i <= S_SS; i++)
		seg_write(i, &data);
	seg_write(S_TR, &tr);
	seg_write(S_LDTR, &ldt);
	vmcs_write(GUEST_GDTR_BASE, 0);
	vmcs_write(GUEST_GDTR_LIMIT, 0xffff);
	vmcs_write(GUEST_IDTR_BASE, 0);
	vmcs_write(GUEST_IDTR_LIMIT, 0xffff);
	vmcs_write(GUEST_IA32_EFER, 0);
	vmx_set_cr0(v, X86_CR0_ET | X86_CR0_NW | X86_CR0_CD);
	vmx_set_cr4(0);
	vmcs_write(GUEST_CR3, 0);
	vmcs_write(GUEST_DR7, MINIVM_DR7_RESET);
	v->dr6 = DR6_RESERVED;
	vmcs_write(GUEST_RSP, 0);
	vmcs_write(GUEST_RIP, 0xfff0);
	vmcs_write(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	vmcs_write(GUEST_IA32_PAT, 0x0007040600070406ULL);
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
	vmcs_write(GUEST_SYSENTER_CS, 0);
	vmcs_write(GUEST_SYSENTER_ESP, 0);
	vmcs_write(GUEST_SYSENTER_EIP, 0);
	vmcs_write(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS, 0);
}

int vmx_vcpu_create(struct minivm_vcpu *vcpu)
{
	struct vmx_vcpu *v;
	int vpid, cpu;

	v = kzalloc(sizeof(*v), GFP_KERNEL_ACCOUNT);
	if (!v)
		return -ENOMEM;
	v->vmcs = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!v->vmcs) {
		kfree(v);
		return -ENOMEM;
	}
	*(u32 *)v->vmcs = vmx_ctl.revision;
	v->vmcs_pa = __pa(v->vmcs);
	v->cpu = -1;
	INIT_LIST_HEAD(&v->on_cpu);
	/* Out of VPIDs, the vCPU runs untagged: correct, only slower. */
	vpid = (vmx_ctl.proc2 & SECONDARY_EXEC_ENABLE_VPID) ?
	       ida_alloc_range(&vmx_vpids, 1, VMX_NR_VPIDS - 1, GFP_KERNEL) : 0;
	v->vpid = vpid > 0 ? vpid : 0;
	v->eptp = minivm_pt_root_pa(&vcpu->vm->pt) | VMX_EPTP_MT_WB | VMX_EPTP_PWL_4;
	vcpu->be = v;

	vmcs_clear(v->vmcs_pa);
	cpu = get_cpu();
	vmx_vcpu_load(vcpu, cpu);
	vmx_vmcs_setup(vcpu);
	put_cpu();
	return 0;
}

void vmx_vcpu_destroy(struct minivm_vcpu *vcpu)
{
	struct vmx_vcpu *v = vcpu->be;
	int cpu = READ_ONCE(v->cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, vmx_clear_here, v, 1);
	if (v->vpid)
		ida_free(&vmx_vpids, v->vpid);
	free_page((unsigned long)v->vmcs);
	kfree(v);
}

static void vmx_skip(void)
{
	vmcs_write(GUEST_RIP, vmcs_read(GUEST_RIP) + vmcs_read(VM_EXIT_INSTRUCTION_LEN));
}

static void vmx_inject_exception(unsigned int vector, bool has_error)
{
	u32 info = vector | INTR_TYPE_HARD_EXCEPTION | INTR_INFO_VALID_MASK;

	/* Real mode delivers no error code. */
	if (has_error && (vmcs_read(GUEST_CR0) & X86_CR0_PE)) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
	}
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, info);
}

/*
 * A #DB exited: deliver it to the guest as the CPU would have. INT1 (ICEBP)
 * is delivered again as the instruction it is; a breakpoint or single step
 * updates DR6, DR7 and RFLAGS first (../arch_state.c).
 */
static void vmx_reflect_db(struct vmx_vcpu *v, u32 intr)
{
	u64 dr7, rflags;

	if ((intr & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_PRIV_SW_EXCEPTION) {
		vmcs_write(VM_ENTRY_INSTRUCTION_LEN, vmcs_read(VM_EXIT_INSTRUCTION_LEN));
		vmcs_write(VM_ENTRY_INTR_INFO_FIELD,
			   X86_TRAP_DB | INTR_TYPE_PRIV_SW_EXCEPTION | INTR_INFO_VALID_MASK);
		return;
	}
	dr7 = vmcs_read(GUEST_DR7);
	rflags = vmcs_read(GUEST_RFLAGS);
	minivm_db_deliver(vmcs_read(EXIT_QUALIFICATION), &v->dr6, &dr7, &rflags);
	vmcs_write(GUEST_DR7, dr7);
	vmcs_write(GUEST_RFLAGS, rflags);
	/*
	 * Entry insists that a single step held back by STI or MOV SS blocking
	 * is pending (SDM 26.3.1.5): the handler's IRET may return into one.
	 */
	if ((rflags & X86_EFLAGS_TF) &&
	    (vmcs_read(GUEST_INTERRUPTIBILITY_INFO) &
	     (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)))
		vmcs_write(GUEST_PENDING_DBG_EXCEPTIONS,
			   vmcs_read(GUEST_PENDING_DBG_EXCEPTIONS) | DR_STEP);
	vmx_inject_exception(X86_TRAP_DB, false);
}

/*
 * The exit interrupted the delivery of an event (IDT-vectoring information):
 * deliver it again on the next entry, or it is lost. Software interrupts
 * and exceptions (INT n, INT3, INTO, INT1) are not: RIP still points at
 * the instruction, which runs again and raises them anew. An exception
 * that exits itself replaces the event (the handler of the exit injects
 * it), as #DB and #AC, both benign, are delivered serially.
 */
static void vmx_reinject(u32 idt)
{
	u32 type = idt & VECTORING_INFO_TYPE_MASK;

	if (type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_SOFT_EXCEPTION ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION)
		return;
	vmcs_write(VM_ENTRY_INTR_INFO_FIELD, idt & (VECTORING_INFO_VECTOR_MASK |
						    VECTORING_INFO_TYPE_MASK |
						    VECTORING_INFO_DELIVER_CODE_MASK |
						    VECTORING_INFO_VALID_MASK));
	if (idt & VECTORING_INFO_DELIVER_CODE_MASK)
		vmcs_write(VM_ENTRY_EXCEPTION_ERROR_CODE, vmcs_read(IDT_VECTORING_ERROR_CODE));
}

static u64 vmx_gpr(struct minivm_vcpu *vcpu, unsigned int reg)
{
	return reg == MINIVM_RSP ? vmcs_read(GUEST_RSP) : vcpu->gpr[reg];
}

static void vmx_set_gpr(struct minivm_vcpu *vcpu, unsigned int reg, u64 value)
{
	if (reg == MINIVM_RSP)
		vmcs_write(GUEST_RSP, value);
	else
		vcpu->gpr[reg] = value;
}

/*
 * With EPT, VM entry takes the PAE PDPTEs from the VMCS: a MOV minivm
 * emulates that enters (or stays in) PAE paging waits, and the core reads
 * them with interrupts on. 1: deferred, RIP not moved yet.
 */
static int vmx_defer_to_pdptes(struct vmx_vcpu *v, int what, u64 val, struct minivm_exit *exit)
{
	v->pdptes_for = what;
	v->pdptes_val = val;
	exit->kind = MINIVM_KIND_PDPTES;
	exit->gpa = what == PDPTES_FOR_CR3 ? val : vmcs_read(GUEST_CR3);
	return 1;
}

/* MOV to or from a control register, CLTS, LMSW: 0 done, -EINVAL #GP, 1 deferred. */
static int vmx_cr_access(struct minivm_vcpu *vcpu, u64 qual, struct minivm_exit *exit)
{
	struct vmx_vcpu *v = vcpu->be;
	unsigned int cr = qual & 15, type = (qual >> 4) & 3, reg = (qual >> 8) & 15;
	u64 val, efer, cr0 = vmx_guest_cr0();

	switch (type) {
	case 0:		/* MOV to CR */
		val = vmx_gpr(vcpu, reg);
		switch (cr) {
		case 0:
			efer = vmcs_read(GUEST_IA32_EFER);
			if (val >> 32 || (val & X86_CR0_PG && !(val & X86_CR0_PE)) ||
			    ((val & X86_CR0_PG) && (efer & EFER_LME) &&
			     !(vmx_guest_cr4() & X86_CR4_PAE)))
				return -EINVAL;
			/* The mode the write leaves: with LME, paging on is long mode. */
			if ((val & X86_CR0_PG) && (efer & EFER_LME))
				efer |= EFER_LMA;
			if (!(cr0 & X86_CR0_PG) && minivm_pae_paging(val, vmx_guest_cr4(), efer))
				return vmx_defer_to_pdptes(v, PDPTES_FOR_CR0, val, exit);
			vmx_set_cr0(v, val);
			return 0;
		case 3:
			efer = vmcs_read(GUEST_IA32_EFER);
			if (minivm_pae_paging(cr0, vmx_guest_cr4(), efer))
				return vmx_defer_to_pdptes(v, PDPTES_FOR_CR3, val, exit);
			vmcs_write(GUEST_CR3, val);
			return 0;
		case 4:
			if (val & ~minivm_cr4_allowed())
				return -EINVAL;
			vmx_set_cr4(val);
			return 0;
		case 8:
			if (val & ~15ULL)
				return -EINVAL;
			v->cr8 = val;
			return 0;
		}
		return -EINVAL;
	case 1:		/* MOV from CR */
		if (cr == 3)
			vmx_set_gpr(vcpu, reg, vmcs_read(GUEST_CR3));
		else if (cr == 8)
			vmx_set_gpr(vcpu, reg, v->cr8);
		else
			return -EINVAL;
		return 0;
	case 2:		/* CLTS */
		vmx_set_cr0(v, cr0 & ~X86_CR0_TS);
		return 0;
	default:	/* LMSW: the low four bits; PE cannot be cleared */
		val = (qual >> 16) & 15;
		vmx_set_cr0(v, (cr0 & ~0xeULL) | val | (cr0 & X86_CR0_PE));
		return 0;
	}
}

/* The MSRs the VMCS holds (minivm_backend.msr); the core checked @value. */
int vmx_msr(struct minivm_vcpu *vcpu, bool write, u32 index, u64 *value)
{
	unsigned long field;

	switch (index) {
	case MSR_EFER:
		field = GUEST_IA32_EFER;
		if (write)	/* LMA follows CR0.PG (vmx_set_cr0()), not the write */
			*value = (*value & ~(u64)EFER_LMA) | (vmcs_read(field) & EFER_LMA);
		break;
	case MSR_IA32_CR_PAT:
		field = GUEST_IA32_PAT;
		break;
	case MSR_FS_BASE:
		field = GUEST_FS_BASE;
		break;
	case MSR_GS_BASE:
		field = GUEST_GS_BASE;
		break;
	case MSR_IA32_SYSENTER_CS:
		field = GUEST_SYSENTER_CS;
		break;
	case MSR_IA32_SYSENTER_ESP:
		field = GUEST_SYSENTER_ESP;
		break;
	case MSR_IA32_SYSENTER_EIP:
		field = GUEST_SYSENTER_EIP;
		break;
	default:
		return -ENOENT;
	}
	if (write)
		vmcs_write(field, *value);
	else
		*value = vmcs_read(field);
	return 0;
}

/* The instructions a guest may not use: they raise #UD in it. */
static bool vmx_exit_is_ud(u32 reason)
{
	switch (reason) {
	case EXIT_REASON_VMCLEAR:
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMWRITE:
	case EXIT_REASON_VMOFF:
	case EXIT_REASON_VMON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_VMFUNC:
	case EXIT_REASON_MONITOR_INSTRUCTION:
	case EXIT_REASON_MWAIT_INSTRUCTION:
	case 11:	/* GETSEC: SMX is hidden */
		return true;
	}
	return false;
}

/* What the core needs of an I/O exit's qualification (SDM table 28-5). */
static void vmx_decode_io(u64 qual, struct minivm_exit *exit)
{
	exit->kind = MINIVM_KIND_IO;
	exit->io.port = qual >> 16;
	exit->io.size = (qual & 7) + 1;
	exit->io.in = qual & BIT(3);
	exit->io.string = qual & BIT(4);
	exit->io.rep = qual & BIT(5);
}

/*
 * Decode the exit for the core. What is VMX's alone is done here: reflected
 * #DB and #AC, CR accesses (which SVM does not intercept), interrupts.
 */
static void vmx_decode_exit(struct minivm_vcpu *vcpu, u32 reason, struct minivm_exit *exit)
{
	u64 qual = exit->qualification;

	exit->kind = MINIVM_KIND_CONTINUE;
	if (reason & VMX_EXIT_REASONS_FAILED_VMENTRY) {
		exit->kind = MINIVM_KIND_FAIL_ENTRY;
		exit->info = 0;
		return;
	}
	switch (reason) {
	case EXIT_REASON_EXCEPTION_NMI: {
		u32 intr = exit->info;

		if ((intr & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
			return;	/* handled right after the exit */
		if ((intr & INTR_INFO_VECTOR_MASK) == X86_TRAP_DB) {
			vmx_reflect_db(vcpu->be, intr);
			return;
		}
		if ((intr & INTR_INFO_VECTOR_MASK) == X86_TRAP_AC) {
			vmx_inject_exception(X86_TRAP_AC, true);	/* its error code is 0 */
			return;
		}
		break;
	}
	case EXIT_REASON_DR_ACCESS:
		exit->kind = MINIVM_KIND_DR_ACCESS;	/* runs again, owned */
		return;
	case EXIT_REASON_EXTERNAL_INTERRUPT:
		return;		/* still pending: the host takes it once IF is set */
	case EXIT_REASON_PREEMPTION_TIMER:
		return;		/* the host had its turn */
	case EXIT_REASON_EPT_VIOLATION:
		exit->kind = MINIVM_KIND_FAULT;
		exit->gpa = vmcs_read(GUEST_PHYSICAL_ADDRESS);
		exit->access = (qual & EPT_VIOLATION_ACC_WRITE) ? MINIVM_ACCESS_WRITE :
			       (qual & EPT_VIOLATION_ACC_INSTR) ? MINIVM_ACCESS_FETCH :
			       MINIVM_ACCESS_READ;
		return;
	case EXIT_REASON_CR_ACCESS: {
		int ret = vmx_cr_access(vcpu, qual, exit);

		if (ret < 0)
			vmx_inject_exception(X86_TRAP_GP, true);
		else if (!ret)
			vmx_skip();
		return;
	}
	case EXIT_REASON_CPUID:
		exit->kind = MINIVM_KIND_CPUID;
		return;
	case EXIT_REASON_IO_INSTRUCTION:
		vmx_decode_io(qual, exit);
		return;
	case EXIT_REASON_HLT:
		exit->kind = MINIVM_KIND_HLT;
		return;
	case EXIT_REASON_MSR_READ:
		exit->kind = MINIVM_KIND_RDMSR;
		return;
	case EXIT_REASON_MSR_WRITE:
		exit->kind = MINIVM_KIND_WRMSR;
		return;
	case EXIT_REASON_XSETBV:
		exit->kind = MINIVM_KIND_XSETBV;
		return;
	case EXIT_REASON_VMCALL:
		exit->kind = MINIVM_KIND_HYPERCALL;
		return;
	case EXIT_REASON_INVD:
		exit->kind = MINIVM_KIND_INVD;
		return;
	case EXIT_REASON_TRIPLE_FAULT:
		exit->kind = MINIVM_KIND_SHUTDOWN;
		return;
	}
	exit->kind = vmx_exit_is_ud(reason) ? MINIVM_KIND_UD : MINIVM_KIND_OTHER;
}

/* minivm_exit's second information field (uapi/linux/minivm_trace.h). */
static u64 vmx_exit_info2(u32 reason, u32 intr_info)
{
	if (reason == EXIT_REASON_EPT_VIOLATION || reason == EXIT_REASON_EPT_MISCONFIG)
		return vmcs_read(GUEST_PHYSICAL_ADDRESS);
	return intr_info;
}

void vmx_vcpu_run(struct minivm_vcpu *vcpu, bool flush, struct minivm_exit *exit)
{
	struct vmx_vcpu *v = vcpu->be;
	u16 ds, es, fs;
	u64 fs_base, cr3 = __read_cr3(), cr4 = cr4_read_shadow();
	u64 debugctl = get_debugctlmsr();
	u32 reason, idt;
	int failed;

	if (flush)
		vmx_invept(vmx_ctl.invept_single ? VMX_EPT_EXTENT_CONTEXT : VMX_EPT_EXTENT_GLOBAL,
			   v->eptp);
	/* Host state that follows the task or may have changed since. */
	if (cr3 != v->host_cr3) {
		vmcs_write(HOST_CR3, cr3);
		v->host_cr3 = cr3;
	}
	if (cr4 != v->host_cr4) {
		vmcs_write(HOST_CR4, cr4);
		v->host_cr4 = cr4;
	}
	savesegment(ds, ds);
	savesegment(es, es);
	savesegment(fs, fs);
	rdmsrl(MSR_FS_BASE, fs_base);
	if (fs_base != v->host_fs_base) {
		vmcs_write(HOST_FS_BASE, fs_base);
		v->host_fs_base = fs_base;
	}
	if (read_cr2() != v->cr2)
		write_cr2(v->cr2);
	if (vmx_ctl.preemption_ticks)
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, vmx_ctl.preemption_ticks);
	if (vcpu->dr_guest_owned)
		set_debugreg(v->dr6, 6);

	failed = minivm_vmx_enter(vcpu->gpr, v->launched);

	v->cr2 = read_cr2();
	if (vcpu->dr_guest_owned)
		get_debugreg(v->dr6, 6);
	/* VM exit clears IA32_DEBUGCTL (BTF, LBR): the host's comes back. */
	if (debugctl)
		update_debugctlmsr(debugctl);
	/* What VM exit left in the host's state: put it back. */
	if (ds)
		loadsegment(ds, ds);
	if (es)
		loadsegment(es, es);
	if (fs) {
		loadsegment(fs, fs);
		wrmsrl(MSR_FS_BASE, fs_base);
	}
	load_fixmap_gdt(smp_processor_id());
	invalidate_tss_limit();

	exit->rip = vmcs_read(GUEST_RIP);
	exit->qualification = vmcs_read(EXIT_QUALIFICATION);
	exit->insn_len = 0;
	if (failed) {
		exit->kind = MINIVM_KIND_FAIL_ENTRY;
		exit->hw_reason = 0;
		exit->info = vmcs_read(VM_INSTRUCTION_ERROR);
		return;
	}
	v->launched = true;
	reason = vmcs_read(VM_EXIT_REASON);
	exit->hw_reason = reason & 0xffff;
	exit->info = vmcs_read(VM_EXIT_INTR_INFO);
	if (reason == EXIT_REASON_EXCEPTION_NMI &&
	    (exit->info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_NMI_INTR)
		minivm_vmx_do_nmi();
	minivm_trace_exit(vcpu, MINIVM_VENDOR_INTEL_VMX, exit->hw_reason, exit->rip,
			  exit->qualification, vmx_exit_info2(exit->hw_reason, exit->info));
	idt = vmcs_read(IDT_VECTORING_INFO_FIELD);
	if (idt & VECTORING_INFO_VALID_MASK)
		vmx_reinject(idt);
	vmx_decode_exit(vcpu, reason, exit);
}

/* Register access outside the run loop: the VMCS must be current here. */
#define WITH_VMCS(vcpu, stmt) do {				\
	int __cpu = get_cpu();					\
	vmx_vcpu_load(vcpu, __cpu);				\
	stmt;							\
	put_cpu();						\
} while (0)

void vmx_get_regs(struct minivm_vcpu *vcpu, struct minivm_regs *regs)
{
	WITH_VMCS(vcpu, ({
		regs->rip = vmcs_read(GUEST_RIP);
		regs->rsp = vmcs_read(GUEST_RSP);
		regs->rflags = vmcs_read(GUEST_RFLAGS);
	}));
}

void vmx_set_regs(struct minivm_vcpu *vcpu, const struct minivm_regs *regs)
{
	WITH_VMCS(vcpu, ({
		vmcs_write(GUEST_RIP, regs->rip);
		vmcs_write(GUEST_RSP, regs->rsp);
		vmcs_write(GUEST_RFLAGS, regs->rflags);
	}));
}

void vmx_get_sregs(struct minivm_vcpu *vcpu, struct minivm_sregs *sr)
{
	WITH_VMCS(vcpu, ({
		seg_read(S_CS, &sr->cs);
		seg_read(S_DS, &sr->ds);
		seg_read(S_ES, &sr->es);
		seg_read(S_FS, &sr->fs);
		seg_read(S_GS, &sr->gs);
		seg_read(S_SS, &sr->ss);
		seg_read(S_TR, &sr->tr);
		seg_read(S_LDTR, &sr->ldt);
		sr->gdt.base = vmcs_read(GUEST_GDTR_BASE);
		sr->gdt.limit = vmcs_read(GUEST_GDTR_LIMIT);
		sr->idt.base = vmcs_read(GUEST_IDTR_BASE);
		sr->idt.limit = vmcs_read(GUEST_IDTR_LIMIT);
		sr->cr0 = vmx_guest_cr0();
		sr->cr3 = vmcs_read(GUEST_CR3);
		sr->cr4 = vmx_guest_cr4();
		sr->efer = vmcs_read(GUEST_IA32_EFER);
	}));
	sr->cr2 = ((struct vmx_vcpu *)vcpu->be)->cr2;
}

void vmx_set_sregs(struct minivm_vcpu *vcpu, const struct minivm_sregs *sr)
{
	struct vmx_vcpu *v = vcpu->be;

	WITH_VMCS(vcpu, ({
		seg_write(S_CS, &sr->cs);
		seg_write(S_DS, &sr->ds);
		seg_write(S_ES, &sr->es);
		seg_write(S_FS, &sr->fs);
		seg_write(S_GS, &sr->gs);
		seg_write(S_SS, &sr->ss);
		seg_write(S_TR, &sr->tr);
		seg_write(S_LDTR, &sr->ldt);
		vmcs_write(GUEST_GDTR_BASE, sr->gdt.base);
		vmcs_write(GUEST_GDTR_LIMIT, sr->gdt.limit);
		vmcs_write(GUEST_IDTR_BASE, sr->idt.base);
		vmcs_write(GUEST_IDTR_LIMIT, sr->idt.limit);
		vmcs_write(GUEST_CR3, sr->cr3);
		vmx_set_cr4(sr->cr4);
		vmcs_write(GUEST_IA32_EFER, sr->efer & ~(u64)EFER_LMA);
		vmx_set_cr0(v, sr->cr0);
	}));
	v->cr2 = sr->cr2;
}

void vmx_load_pdptes(struct minivm_vcpu *vcpu, const u64 *pdpte)
{
	struct vmx_vcpu *v = vcpu->be;

	WITH_VMCS(vcpu, ({
		if (!pdpte) {
			vmx_inject_exception(X86_TRAP_GP, true);
		} else {
			if (v->pdptes_for == PDPTES_FOR_CR0)
				vmx_set_cr0(v, v->pdptes_val);
			else if (v->pdptes_for == PDPTES_FOR_CR3)
				vmcs_write(GUEST_CR3, v->pdptes_val);
			vmcs_write(GUEST_PDPTR0, pdpte[0]);
			vmcs_write(GUEST_PDPTR1, pdpte[1]);
			vmcs_write(GUEST_PDPTR2, pdpte[2]);
			vmcs_write(GUEST_PDPTR3, pdpte[3]);
			if (v->pdptes_for != PDPTES_FOR_NONE)
				vmx_skip();
		}
		v->pdptes_for = PDPTES_FOR_NONE;
	}));
}

void vmx_skip_insn(struct minivm_vcpu *vcpu, const struct minivm_exit *exit)
{
	vmx_skip();
}

void vmx_inject(struct minivm_vcpu *vcpu, unsigned int vector, bool has_error)
{
	vmx_inject_exception(vector, has_error);
}

u64 vmx_get_cr(struct minivm_vcpu *vcpu, unsigned int cr)
{
	return cr == 0 ? vmx_guest_cr0() : vmx_guest_cr4();
}

u64 vmx_get_dr7(struct minivm_vcpu *vcpu)
{
	return vmcs_read(GUEST_DR7);
}

void vmx_set_dr_exiting(struct minivm_vcpu *vcpu, bool on)
{
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL,
		   on ? vmx_ctl.proc : vmx_ctl.proc & ~CPU_BASED_MOV_DR_EXITING);
}

/* EPT entries: read/write/execute bits, write-back memory, bit 7 for 2 MiB. */
const struct minivm_pt_format vmx_pt_format = {
	.present = VMX_EPT_READABLE_MASK | VMX_EPT_WRITABLE_MASK | VMX_EPT_EXECUTABLE_MASK,
	.table = VMX_EPT_READABLE_MASK | VMX_EPT_WRITABLE_MASK | VMX_EPT_EXECUTABLE_MASK,
	.leaf_read = VMX_EPT_READABLE_MASK,
	.leaf_write = VMX_EPT_WRITABLE_MASK,
	.leaf_exec = VMX_EPT_EXECUTABLE_MASK,
	.leaf_huge = BIT_ULL(7),
	.leaf_extra = VMX_EPTP_MT_WB << VMX_EPT_MT_EPTE_SHIFT,
	.addr_mask = GENMASK_ULL(51, 12),
};
