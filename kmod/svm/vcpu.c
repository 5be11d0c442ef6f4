// SPDX-License-Identifier: GPL-2.0
/*
 * minivm SVM backend: the VMCB, entering the guest, and decoding exits.
 *
 * Every I/O port and every MSR is intercepted (the permission maps are all
 * ones and shared by every vCPU), physical interrupts and NMIs exit, #DB
 * and #AC exit and are reflected into the guest, debug-register accesses
 * exit until the guest owns them (see ../debug.c), and the instructions a
 * guest must not reach (SVM's own, MONITOR/MWAIT, RDTSCP) raise #UD in it.
 * ASIDs are handed out per CPU in generations: a vCPU arriving on a CPU, or
 * needing a flush, takes a fresh ASID there, and running out of ASIDs
 * flushes the whole TLB once and starts over.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/slab.h>
#include <asm/debugreg.h>
#include <asm/msr.h>
#include <asm/trapnr.h>
#include <asm/svm.h>
#include "../arch_state.h"
#include "../minivm.h"
#include "svm.h"

static struct page *svm_iopm, *svm_msrpm;	/* all ones: intercept everything */
static u32 svm_max_asid;

struct svm_cpu {
	u64 asid_gen;
	u32 next_asid;
};

static DEFINE_PER_CPU(struct svm_cpu, svm_cpu) = { .asid_gen = 1, .next_asid = 1 };

struct svm_vcpu {
	struct vmcb *vmcb;
	u64 asid_gen;
};

/* EXITINFO1 of a nested page fault: the page-fault error code. */
#define NPF_WRITE	BIT(1)
#define NPF_RSVD	BIT(3)
#define NPF_FETCH	BIT(4)

#define IOPM_ORDER	2	/* 12 KiB used */
#define MSRPM_ORDER	1	/* 8 KiB */

int svm_vcpu_init(u32 nr_asids)
{
	svm_max_asid = nr_asids - 1;
	svm_iopm = alloc_pages(GFP_KERNEL, IOPM_ORDER);
	svm_msrpm = alloc_pages(GFP_KERNEL, MSRPM_ORDER);
	if (!svm_iopm || !svm_msrpm) {
		svm_vcpu_exit();
		return -ENOMEM;
	}
	memset(page_address(svm_iopm), 0xff, PAGE_SIZE << IOPM_ORDER);
	memset(page_address(svm_msrpm), 0xff, PAGE_SIZE << MSRPM_ORDER);
	return 0;
}

void svm_vcpu_exit(void)
{
	if (svm_iopm)
		__free_pages(svm_iopm, IOPM_ORDER);
	if (svm_msrpm)
		__free_pages(svm_msrpm, MSRPM_ORDER);
	svm_iopm = NULL;
	svm_msrpm = NULL;
}

static void set_intercept(struct vmcb_control_area *c, unsigned int bit)
{
	c->intercepts[bit / 32] |= BIT(bit % 32);
}

/* Reads and writes of DR0-DR7: the low byte of two intercept words. */
#define DR_INTERCEPTS	0xff

u64 svm_get_dr7(struct minivm_vcpu *vcpu)
{
	return ((struct svm_vcpu *)vcpu->be)->vmcb->save.dr7;
}

void svm_set_dr_exiting(struct minivm_vcpu *vcpu, bool on)
{
	u32 *w = ((struct svm_vcpu *)vcpu->be)->vmcb->control.intercepts;

	if (on) {
		w[INTERCEPT_DR0_READ / 32] |= DR_INTERCEPTS << (INTERCEPT_DR0_READ % 32);
		w[INTERCEPT_DR0_WRITE / 32] |= DR_INTERCEPTS << (INTERCEPT_DR0_WRITE % 32);
	} else {
		w[INTERCEPT_DR0_READ / 32] &= ~(DR_INTERCEPTS << (INTERCEPT_DR0_READ % 32));
		w[INTERCEPT_DR0_WRITE / 32] &= ~(DR_INTERCEPTS << (INTERCEPT_DR0_WRITE % 32));
	}
}

static void seg_set(struct vmcb_seg *v, const struct minivm_segment *s)
{
	v->selector = s->selector;
	v->attrib = s->attrib;
	v->limit = s->limit;
	v->base = s->base;
}

static void seg_get(const struct vmcb_seg *v, struct minivm_segment *s)
{
	s->selector = v->selector;
	s->attrib = v->attrib;
	s->limit = v->limit;
	s->base = v->base;
}

int svm_vcpu_create(struct minivm_vcpu *vcpu)
{
	static const unsigned int intercepts[] = {
		INTERCEPT_INTR, INTERCEPT_NMI, INTERCEPT_SMI, INTERCEPT_INIT,
		INTERCEPT_CPUID, INTERCEPT_HLT, INTERCEPT_INVD, INTERCEPT_INVLPGA,
		INTERCEPT_IOIO_PROT, INTERCEPT_MSR_PROT, INTERCEPT_SHUTDOWN,
		INTERCEPT_VMRUN, INTERCEPT_VMMCALL, INTERCEPT_VMLOAD, INTERCEPT_VMSAVE,
		INTERCEPT_STGI, INTERCEPT_CLGI, INTERCEPT_SKINIT, INTERCEPT_RDTSCP,
		INTERCEPT_MONITOR, INTERCEPT_MWAIT, INTERCEPT_MWAIT_COND, INTERCEPT_XSETBV,
		/* Their delivery may raise them again forever (../debug.c). */
		INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_DB, INTERCEPT_EXCEPTION_OFFSET + X86_TRAP_AC,
	};
	struct vmcb_control_area *c;
	struct vmcb_save_area *s;
	struct svm_vcpu *svm;
	unsigned int i;

	svm = kzalloc(sizeof(*svm), GFP_KERNEL_ACCOUNT);
	if (!svm)
		return -ENOMEM;
	svm->vmcb = (struct vmcb *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!svm->vmcb) {
		kfree(svm);
		return -ENOMEM;
	}
	c = &svm->vmcb->control;
	s = &svm->vmcb->save;
	for (i = 0; i < ARRAY_SIZE(intercepts); i++)
		set_intercept(c, intercepts[i]);
	c->iopm_base_pa = page_to_phys(svm_iopm);
	c->msrpm_base_pa = page_to_phys(svm_msrpm);
	/* The guest's IF masks only virtual interrupts, never the host's. */
	c->int_ctl = V_INTR_MASKING_MASK;
	c->nested_ctl = SVM_NESTED_CTL_NP_ENABLE;
	c->nested_cr3 = minivm_pt_root_pa(&vcpu->vm->pt);

	/* The guest state the core's reset (../vcpu.c) does not load. */
	s->efer = EFER_SVME;
	s->dr6 = DR6_RESERVED;
	s->dr7 = MINIVM_DR7_RESET;
	vcpu->be = svm;
	svm_set_dr_exiting(vcpu, true);
	return 0;
}

void svm_vcpu_destroy(struct minivm_vcpu *vcpu)
{
	struct svm_vcpu *svm = vcpu->be;

	/* The VMCB is in no CPU's cache that a later VMRUN could trust. */
	free_page((unsigned long)svm->vmcb);
	kfree(svm);
}

void svm_vcpu_load(struct minivm_vcpu *vcpu, int cpu)
{
}

static void svm_inject_exception(struct vmcb *vmcb, unsigned int vector, bool has_error)
{
	vmcb->control.event_inj = vector | SVM_EVTINJ_TYPE_EXEPT | SVM_EVTINJ_VALID |
				  (has_error ? SVM_EVTINJ_VALID_ERR : 0);
	vmcb->control.event_inj_err = 0;
}

/*
 * A #DB exited: the CPU has updated the guest's DR6 in the VMCB as for a
 * delivery; update DR7 and RFLAGS as delivery would (../arch_state.c) and
 * deliver it.
 */
static void svm_reflect_db(struct vmcb *vmcb)
{
	struct vmcb_save_area *s = &vmcb->save;

	minivm_db_deliver(s->dr6, &s->dr6, &s->dr7, &s->rflags);
	svm_inject_exception(vmcb, X86_TRAP_DB, false);
}

/*
 * The exit interrupted the delivery of an event (EXITINTINFO): deliver it
 * again on the next entry, or it is lost. Software interrupts and INT3/INTO
 * are not: RIP still points at the instruction, which runs again and raises
 * them anew. An exception that exits itself replaces the event (its handler
 * injects it), as #DB and #AC, both benign, are delivered serially.
 */
static void svm_reinject(struct vmcb *vmcb)
{
	u32 info = vmcb->control.exit_int_info;
	u32 type = info & SVM_EXITINTINFO_TYPE_MASK, vector = info & SVM_EXITINTINFO_VEC_MASK;

	if (type == SVM_EXITINTINFO_TYPE_SOFT ||
	    (type == SVM_EXITINTINFO_TYPE_EXEPT &&
	     (vector == X86_TRAP_BP || vector == X86_TRAP_OF)))
		return;
	vmcb->control.event_inj = info;
	vmcb->control.event_inj_err = vmcb->control.exit_int_info_err;
}

/*
 * Step over the intercepted instruction. The CPU reports the next RIP
 * (NRIPS; for IOIO always, in EXITINFO2); an emulated CPU may leave it
 * zero, as it was set before VMRUN, and then the instruction's
 * architectural length is used.
 */
void svm_skip_insn(struct minivm_vcpu *vcpu, const struct minivm_exit *exit)
{
	struct vmcb *vmcb = ((struct svm_vcpu *)vcpu->be)->vmcb;

	if (exit->hw_reason == SVM_EXIT_IOIO)
		vmcb->save.rip = vmcb->control.exit_info_2;
	else
		vmcb->save.rip = vmcb->control.next_rip ?: vmcb->save.rip + exit->insn_len;
	/* The instruction ends the interrupt shadow it was in. */
	vmcb->control.int_state &= ~SVM_INTERRUPT_SHADOW_MASK;
}

void svm_inject(struct minivm_vcpu *vcpu, unsigned int vector, bool has_error)
{
	svm_inject_exception(((struct svm_vcpu *)vcpu->be)->vmcb, vector, has_error);
}

u64 svm_get_cr(struct minivm_vcpu *vcpu, unsigned int cr)
{
	struct vmcb *vmcb = ((struct svm_vcpu *)vcpu->be)->vmcb;

	/* With V_INTR_MASKING the guest's CR8 is the VMCB's V_TPR. */
	if (cr == 8)
		return vmcb->control.int_ctl & V_TPR_MASK;
	return cr == 0 ? vmcb->save.cr0 : vmcb->save.cr4;
}

void svm_get_event_state(struct minivm_vcpu *vcpu, struct minivm_event_state *state)
{
	struct vmcb *vmcb = ((struct svm_vcpu *)vcpu->be)->vmcb;

	state->rflags = vmcb->save.rflags;
	state->shadow = vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK;
	state->injecting = vmcb->control.event_inj & SVM_EVTINJ_VALID;
}

/* The MSRs the VMCB holds (minivm_backend.msr); the core checked @value. */
int svm_msr(struct minivm_vcpu *vcpu, bool write, u32 index, u64 *value)
{
	struct vmcb_save_area *s = &((struct svm_vcpu *)vcpu->be)->vmcb->save;
	u64 *field;

	switch (index) {
	case MSR_EFER:
		if (!write) {
			*value = s->efer & ~EFER_SVME;
			return 0;
		}
		/* LMA is the CPU's; SVME must stay on for VMRUN. */
		s->efer = (*value & ~(u64)EFER_LMA) | (s->efer & EFER_LMA) | EFER_SVME;
		return 0;
	case MSR_IA32_CR_PAT:
		field = &s->g_pat;
		break;
	case MSR_FS_BASE:
		field = &s->fs.base;
		break;
	case MSR_GS_BASE:
		field = &s->gs.base;
		break;
	case MSR_IA32_SYSENTER_CS:
		field = &s->sysenter_cs;
		break;
	case MSR_IA32_SYSENTER_ESP:
		field = &s->sysenter_esp;
		break;
	case MSR_IA32_SYSENTER_EIP:
		field = &s->sysenter_eip;
		break;
	default:
		return -ENOENT;
	}
	if (write)
		*field = *value;
	else
		*value = *field;
	return 0;
}

/* What the core needs of an IOIO exit's EXITINFO1 (APM 15.10.2). */
static void svm_decode_io(u64 info, struct minivm_exit *exit)
{
	exit->kind = MINIVM_KIND_IO;
	exit->io.port = info >> 16;
	exit->io.size = (info & SVM_IOIO_SIZE_MASK) >> SVM_IOIO_SIZE_SHIFT;	/* 1, 2 or 4 */
	exit->io.in = info & SVM_IOIO_TYPE_MASK;
	exit->io.string = info & SVM_IOIO_STR_MASK;
	exit->io.rep = info & SVM_IOIO_REP_MASK;
}

/* An instruction's kind, and its length for a CPU that reports no next RIP. */
static void svm_insn(struct minivm_exit *exit, enum minivm_exit_kind kind, unsigned int len)
{
	exit->kind = kind;
	exit->insn_len = len;
}

/*
 * Decode the exit for the core. What is SVM's alone is done here: reflected
 * #DB and #AC, interrupts.
 */
static void svm_decode_exit(struct minivm_vcpu *vcpu, struct vmcb *vmcb, u32 code,
			    struct minivm_exit *exit)
{
	u32 err;

	exit->kind = MINIVM_KIND_CONTINUE;
	switch (code) {
	case SVM_EXIT_INTR:
	case SVM_EXIT_NMI:
	case SVM_EXIT_SMI:
	case SVM_EXIT_INIT:
		return;		/* the host takes it once GIF is set again */
	case SVM_EXIT_NPF:
		err = exit->qualification;
		if (err & NPF_RSVD)
			break;	/* a malformed NPT entry: minivm's bug, not the guest's */
		exit->kind = MINIVM_KIND_FAULT;
		exit->gpa = exit->info;
		exit->access = (err & NPF_WRITE) ? MINIVM_ACCESS_WRITE :
			       (err & NPF_FETCH) ? MINIVM_ACCESS_FETCH : MINIVM_ACCESS_READ;
		return;
	case SVM_EXIT_CPUID:
		svm_insn(exit, MINIVM_KIND_CPUID, 2);
		return;
	case SVM_EXIT_IOIO:
		svm_decode_io(exit->qualification, exit);
		return;
	case SVM_EXIT_HLT:
		svm_insn(exit, MINIVM_KIND_HLT, 1);
		return;
	case SVM_EXIT_MSR:
		svm_insn(exit, exit->qualification ? MINIVM_KIND_WRMSR : MINIVM_KIND_RDMSR, 2);
		return;
	case SVM_EXIT_XSETBV:
		svm_insn(exit, MINIVM_KIND_XSETBV, 3);
		return;
	case SVM_EXIT_VMMCALL:
		svm_insn(exit, MINIVM_KIND_HYPERCALL, 3);
		return;
	case SVM_EXIT_INVD:
		svm_insn(exit, MINIVM_KIND_INVD, 2);
		return;
	case SVM_EXIT_VMRUN:
	case SVM_EXIT_VMLOAD:
	case SVM_EXIT_VMSAVE:
	case SVM_EXIT_STGI:
	case SVM_EXIT_CLGI:
	case SVM_EXIT_SKINIT:
	case SVM_EXIT_INVLPGA:
	case SVM_EXIT_RDTSCP:
	case SVM_EXIT_MONITOR:
	case SVM_EXIT_MWAIT:
	case SVM_EXIT_MWAIT_COND:
		exit->kind = MINIVM_KIND_UD;
		return;
	case SVM_EXIT_EXCP_BASE + X86_TRAP_DB:
		svm_reflect_db(vmcb);
		return;
	case SVM_EXIT_EXCP_BASE + X86_TRAP_AC:
		svm_inject_exception(vmcb, X86_TRAP_AC, true);	/* its error code is 0 */
		return;
	case SVM_EXIT_READ_DR0 ... SVM_EXIT_READ_DR7:
	case SVM_EXIT_WRITE_DR0 ... SVM_EXIT_WRITE_DR7:
		exit->kind = MINIVM_KIND_DR_ACCESS;	/* runs again, owned */
		return;
	case SVM_EXIT_SHUTDOWN:
		exit->kind = MINIVM_KIND_SHUTDOWN;
		return;
	case SVM_EXIT_ERR:
		exit->kind = MINIVM_KIND_FAIL_ENTRY;
		return;
	}
	exit->kind = MINIVM_KIND_OTHER;
}

void svm_vcpu_run(struct minivm_vcpu *vcpu, bool flush, struct minivm_exit *exit)
{
	struct svm_vcpu *svm = vcpu->be;
	struct vmcb *vmcb = svm->vmcb;
	struct svm_cpu *sc = this_cpu_ptr(&svm_cpu);
	u32 code;

	vmcb->control.tlb_ctl = TLB_CONTROL_DO_NOTHING;
	if (flush || svm->asid_gen != sc->asid_gen) {
		if (sc->next_asid > svm_max_asid) {
			sc->asid_gen++;
			sc->next_asid = 1;
			vmcb->control.tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
		}
		vmcb->control.asid = sc->next_asid++;
		svm->asid_gen = sc->asid_gen;
	}
	vmcb->control.clean = 0;
	vmcb->control.next_rip = 0;
	vmcb->save.rax = vcpu->gpr[MINIVM_RAX];

	/*
	 * GIF off, then IF on: interrupts cannot reach the host before VMRUN,
	 * but with IF set they make the guest exit.
	 */
	asm volatile("clgi" ::: "memory");
	raw_local_irq_enable();
	minivm_svm_vmrun(__pa(vmcb), vcpu->gpr, minivm_virt_area(smp_processor_id()) + PAGE_SIZE);
	raw_local_irq_disable();
	asm volatile("stgi" ::: "memory");

	/*
	 * Every exit code fits in the low half; VMEXIT_INVALID is -1 there
	 * whatever the high half says (QEMU writes it as 0x00000000ffffffff),
	 * as KVM reads it too. Found by minivm-corpus: an entry failure was
	 * reported as an unhandled exit.
	 */
	code = vmcb->control.exit_code;
	exit->hw_reason = code;
	exit->qualification = vmcb->control.exit_info_1;
	exit->info = vmcb->control.exit_info_2;
	exit->rip = vmcb->save.rip;
	exit->insn_len = 0;
	minivm_trace_exit(vcpu, MINIVM_VENDOR_AMD_SVM, code, exit->rip, exit->qualification,
			  exit->info);
	vmcb->control.event_inj = 0;
	if (vmcb->control.exit_int_info & SVM_EXITINTINFO_VALID)
		svm_reinject(vmcb);
	vcpu->gpr[MINIVM_RAX] = vmcb->save.rax;
	svm_decode_exit(vcpu, vmcb, code, exit);
}

void svm_get_regs(struct minivm_vcpu *vcpu, struct minivm_regs *regs)
{
	struct vmcb_save_area *s = &((struct svm_vcpu *)vcpu->be)->vmcb->save;

	regs->rip = s->rip;
	regs->rsp = s->rsp;
	regs->rflags = s->rflags;
}

void svm_set_regs(struct minivm_vcpu *vcpu, const struct minivm_regs *regs)
{
	struct vmcb_save_area *s = &((struct svm_vcpu *)vcpu->be)->vmcb->save;

	s->rip = regs->rip;
	s->rsp = regs->rsp;
	s->rflags = regs->rflags;
}

void svm_get_sregs(struct minivm_vcpu *vcpu, struct minivm_sregs *sr)
{
	struct vmcb_save_area *s = &((struct svm_vcpu *)vcpu->be)->vmcb->save;

	seg_get(&s->cs, &sr->cs);
	seg_get(&s->ds, &sr->ds);
	seg_get(&s->es, &sr->es);
	seg_get(&s->fs, &sr->fs);
	seg_get(&s->gs, &sr->gs);
	seg_get(&s->ss, &sr->ss);
	seg_get(&s->tr, &sr->tr);
	seg_get(&s->ldtr, &sr->ldt);
	sr->gdt.base = s->gdtr.base;
	sr->gdt.limit = s->gdtr.limit;
	sr->idt.base = s->idtr.base;
	sr->idt.limit = s->idtr.limit;
	sr->cr0 = s->cr0;
	sr->cr2 = s->cr2;
	sr->cr3 = s->cr3;
	sr->cr4 = s->cr4;
	sr->efer = s->efer & ~EFER_SVME;
}

void svm_set_sregs(struct minivm_vcpu *vcpu, const struct minivm_sregs *sr)
{
	struct vmcb_save_area *s = &((struct svm_vcpu *)vcpu->be)->vmcb->save;

	seg_set(&s->cs, &sr->cs);
	seg_set(&s->ds, &sr->ds);
	seg_set(&s->es, &sr->es);
	seg_set(&s->fs, &sr->fs);
	seg_set(&s->gs, &sr->gs);
	seg_set(&s->ss, &sr->ss);
	seg_set(&s->tr, &sr->tr);
	seg_set(&s->ldtr, &sr->ldt);
	s->gdtr.base = sr->gdt.base;
	s->gdtr.limit = sr->gdt.limit;
	s->idtr.base = sr->idt.base;
	s->idtr.limit = sr->idt.limit;
	s->cr0 = sr->cr0;
	s->cr2 = sr->cr2;
	s->cr3 = sr->cr3;
	s->cr4 = sr->cr4;
	s->efer = sr->efer | EFER_SVME;
	/* The CPL is SS.DPL, and 0 in real mode. */
	s->cpl = (sr->cr0 & X86_CR0_PE) ? (sr->ss.attrib >> MINIVM_SEG_DPL_SHIFT) & 3 : 0;
}

/* NPT entries are ordinary x86 page-table entries (user, no NX used). */
const struct minivm_pt_format svm_pt_format = {
	.present = _PAGE_PRESENT,
	.table = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER,
	.leaf_read = _PAGE_PRESENT | _PAGE_USER,
	.leaf_write = _PAGE_RW,
	.leaf_exec = 0,
	.leaf_huge = _PAGE_PSE,
	.leaf_extra = 0,
	.addr_mask = GENMASK_ULL(51, 12),
};
