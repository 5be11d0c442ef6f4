// SPDX-License-Identifier: GPL-2.0
/*
 * minivm SVM backend: the guest's state in the VMCB, as the core reads and
 * writes it (registers, segments, control registers, the MSRs the VMCB
 * holds, event state). The VMCB is plain memory: no loading first.
 */
#include <asm/msr.h>
#include <asm/svm.h>
#include "svm.h"
#include "vcpu.h"

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

u64 svm_get_cr(struct minivm_vcpu *vcpu, unsigned int cr)
{
	struct vmcb_save_area *s = &((struct svm_vcpu *)vcpu->be)->vmcb->save;

	return cr == 0 ? s->cr0 : s->cr4;
}

struct minivm_event_state svm_get_event_state(struct minivm_vcpu *vcpu)
{
	struct svm_vcpu *svm = vcpu->be;
	struct vmcb *vmcb = svm->vmcb;

	return (struct minivm_event_state) {
		.rflags = vmcb->save.rflags,
		/* SVM has one kind of shadow: it reads as STI's. */
		.shadow = vmcb->control.int_state & SVM_INTERRUPT_SHADOW_MASK ?
			  MINIVM_EVENTS_STI_SHADOW : 0,
		.nmi_masked = svm->nmi_masked,
		/* With V_INTR_MASKING the guest's CR8 is the VMCB's V_TPR. */
		.cr8 = vmcb->control.int_ctl & V_TPR_MASK,
	};
}

/* NMIs blocked until the guest's next IRET, which is intercepted for that. */
void svm_set_nmi_masked(struct svm_vcpu *svm, bool masked)
{
	u32 *w = &svm->vmcb->control.intercepts[INTERCEPT_IRET / 32];

	svm->nmi_masked = masked;
	svm->nmi_iret = false;
	if (masked)
		*w |= BIT(INTERCEPT_IRET % 32);
	else
		*w &= ~BIT(INTERCEPT_IRET % 32);
}

void svm_set_event_state(struct minivm_vcpu *vcpu, u32 shadow, bool nmi_masked)
{
	struct svm_vcpu *svm = vcpu->be;
	struct vmcb_control_area *c = &svm->vmcb->control;

	c->int_state = (c->int_state & ~SVM_INTERRUPT_SHADOW_MASK) |
		       (shadow ? SVM_INTERRUPT_SHADOW_MASK : 0);
	svm_set_nmi_masked(svm, nmi_masked);
}

void svm_set_tsc_offset(struct minivm_vcpu *vcpu, s64 offset)
{
	((struct svm_vcpu *)vcpu->be)->vmcb->control.tsc_offset = offset;
}

void svm_set_cr2(struct minivm_vcpu *vcpu, u64 cr2)
{
	((struct svm_vcpu *)vcpu->be)->vmcb->save.cr2 = cr2;
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
	/* VMLOAD and VMSAVE switch these with every entry (vmrun.S). */
	case MSR_KERNEL_GS_BASE:
		field = &s->kernel_gs_base;
		break;
	case MSR_STAR:
		field = &s->star;
		break;
	case MSR_LSTAR:
		field = &s->lstar;
		break;
	case MSR_CSTAR:
		field = &s->cstar;
		break;
	case MSR_SYSCALL_MASK:
		field = &s->sfmask;
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
