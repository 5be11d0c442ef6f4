// SPDX-License-Identifier: GPL-2.0
/*
 * minivm VMX backend: the VMCS itself, the controls it runs with and the
 * CPU it is resident on.
 *
 * The guest runs with EPT, VPID (when the CPU has it) and unrestricted
 * guest, so real mode and unpaged protected mode run natively. Every I/O
 * port and every MSR exits (no bitmaps), as do HLT, external interrupts and
 * NMIs, MONITOR/MWAIT and CR8, #DB and #AC (reflected into the guest), and
 * debug-register accesses until the guest owns them (see ../debug.c).
 * CR0.PG and CR0.NE and every CR4 bit minivm does not allow are owned by
 * minivm (the guest reads a shadow): turning paging on with EFER.LME set
 * enters long mode, which VMX leaves to the VMM (state.c).
 *
 * A VMCS may be current on one CPU only. Each vCPU remembers the CPU its
 * VMCS is active on; arriving on another CPU, it first has the old CPU
 * VMCLEAR it. Each CPU keeps a list of the VMCSs active on it, cleared
 * before the CPU leaves VMX operation.
 */
#include <linux/gfp.h>
#include <linux/idr.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <asm/cpu_entry_area.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/trapnr.h>
#include <asm/tsc.h>
#include <asm/vmx.h>
#include "../arch_state.h"
#include "vcpu.h"
#include "vmcs.h"
#include "vmx.h"

static DEFINE_PER_CPU(void *, vmx_current);
static DEFINE_PER_CPU(struct list_head, vmx_loaded);
static DEFINE_IDA(vmx_vpids);

struct vmx_controls vmx_ctl;

/*
 * Exceptions that exit: #DB and #AC, whose delivery can otherwise raise them
 * again forever with no instruction boundary, so no exit (../debug.c).
 */
#define VMX_EXCEPTIONS	(BIT(X86_TRAP_DB) | BIT(X86_TRAP_AC))

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
		       PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING | PIN_BASED_VIRTUAL_NMIS,
		       PIN_BASED_VMX_PREEMPTION_TIMER, &vmx_ctl.pin) ||
	    vmx_adjust(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS,
		       CPU_BASED_HLT_EXITING | CPU_BASED_UNCOND_IO_EXITING |
		       CPU_BASED_MWAIT_EXITING | CPU_BASED_MONITOR_EXITING |
		       CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING |
		       CPU_BASED_MOV_DR_EXITING | CPU_BASED_INTR_WINDOW_EXITING |
		       CPU_BASED_USE_TSC_OFFSETTING |
		       CPU_BASED_NMI_WINDOW_EXITING |
		       CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, 0, &vmx_ctl.proc) ||
	    vmx_adjust(MSR_IA32_VMX_PROCBASED_CTLS2,
		       SECONDARY_EXEC_ENABLE_EPT | SECONDARY_EXEC_UNRESTRICTED_GUEST,
		       SECONDARY_EXEC_ENABLE_VPID |
		       (minivm_caps.rdtscp ? SECONDARY_EXEC_ENABLE_RDTSCP : 0),
		       &vmx_ctl.proc2) ||
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
	/* The window exits are turned on per entry (vmx_set_windows()). */
	vmx_ctl.proc &= ~(CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_NMI_WINDOW_EXITING);
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

/* Everything that never changes; the core loads the x86 reset state after. */
static void vmx_vmcs_setup(struct minivm_vcpu *vcpu)
{
	struct vmx_vcpu *v = vcpu->be;
	struct desc_ptr idt;
	u64 msr;
	u32 proc2 = vmx_ctl.proc2;

	vmcs_write(PIN_BASED_VM_EXEC_CONTROL, vmx_ctl.pin);
	v->proc = vmx_ctl.proc;
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, v->proc);
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
	/*
	 * Each entry starts the timer from this field, and without the "save
	 * VMX-preemption timer value" exit control (not a default1 bit, never
	 * asked for) no exit writes it: set once, every entry gets the whole
	 * backstop (vmx_vcpu_init()).
	 */
	if (vmx_ctl.preemption_ticks)
		vmcs_write(VMX_PREEMPTION_TIMER_VALUE, vmx_ctl.preemption_ticks);

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

	/* The guest state the core's reset (../vcpu.c) does not load. */
	vmcs_write(GUEST_DR7, MINIVM_DR7_RESET);
	v->dr6 = DR6_RESERVED;
	vmcs_write(GUEST_IA32_DEBUGCTL, 0);
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

void vmx_set_dr_exiting(struct minivm_vcpu *vcpu, bool on)
{
	struct vmx_vcpu *v = vcpu->be;

	if (on)
		v->proc |= CPU_BASED_MOV_DR_EXITING;
	else
		v->proc &= ~CPU_BASED_MOV_DR_EXITING;
	vmcs_write(CPU_BASED_VM_EXEC_CONTROL, v->proc);
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
