// SPDX-License-Identifier: GPL-2.0
/*
 * minivm VMX backend: the guest's state in the VMCS, as the core reads and
 * writes it (registers, segments, control registers, the MSRs the VMCS
 * holds, PDPTEs, event state). Outside the run loop the VMCS is made
 * current first (WITH_VMCS).
 */
#include <asm/msr.h>
#include <asm/processor-flags.h>
#include <asm/trapnr.h>
#include <asm/vmx.h>
#include "vcpu.h"
#include "vmcs.h"
#include "vmx.h"

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

void vmx_set_cr0(struct vmx_vcpu *v, u64 cr0)
{
	u64 efer = vmcs_read(GUEST_IA32_EFER);
	u32 entry = vmx_ctl.entry;

	/* Long mode follows paging when LME is set: VMX leaves LMA to us. */
	v->long_mode = (cr0 & X86_CR0_PG) && (efer & EFER_LME);
	if (v->long_mode) {
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

void vmx_set_cr4(u64 cr4)
{
	vmcs_write(CR4_READ_SHADOW, cr4);
	vmcs_write(GUEST_CR4, cr4 | X86_CR4_VMXE);
}

u64 vmx_guest_cr4(void)
{
	u64 owned = vmx_cr4_owned();

	return (vmcs_read(GUEST_CR4) & ~owned) | (vmcs_read(CR4_READ_SHADOW) & owned);
}

u64 vmx_guest_cr0(void)
{
	return (vmcs_read(GUEST_CR0) & ~CR0_OWNED) | (vmcs_read(CR0_READ_SHADOW) & CR0_OWNED);
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
		return vmx_syscall_msr(vcpu->be, write, index, value);
	}
	if (write)
		vmcs_write(field, *value);
	else
		*value = vmcs_read(field);
	return 0;
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
			minivm_queue_exception(vcpu, X86_TRAP_GP, 0);
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

u64 vmx_get_cr(struct minivm_vcpu *vcpu, unsigned int cr)
{
	return cr == 0 ? vmx_guest_cr0() : vmx_guest_cr4();
}

struct minivm_event_state vmx_get_event_state(struct minivm_vcpu *vcpu)
{
	u32 intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO);

	return (struct minivm_event_state) {
		.rflags = vmcs_read(GUEST_RFLAGS),
		.shadow = (intr & GUEST_INTR_STATE_STI ? MINIVM_EVENTS_STI_SHADOW : 0) |
			  (intr & GUEST_INTR_STATE_MOV_SS ? MINIVM_EVENTS_MOV_SS_SHADOW : 0),
		.nmi_masked = intr & GUEST_INTR_STATE_NMI,
		.cr8 = ((struct vmx_vcpu *)vcpu->be)->cr8,
	};
}

void vmx_set_event_state(struct minivm_vcpu *vcpu, u32 shadow, bool nmi_masked)
{
	u32 intr = vmcs_read(GUEST_INTERRUPTIBILITY_INFO) &
		   ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS | GUEST_INTR_STATE_NMI);

	if (shadow & MINIVM_EVENTS_STI_SHADOW)
		intr |= GUEST_INTR_STATE_STI;
	if (shadow & MINIVM_EVENTS_MOV_SS_SHADOW)
		intr |= GUEST_INTR_STATE_MOV_SS;
	if (nmi_masked)
		intr |= GUEST_INTR_STATE_NMI;
	vmcs_write(GUEST_INTERRUPTIBILITY_INFO, intr);
}

void vmx_set_tsc_offset(struct minivm_vcpu *vcpu, s64 offset)
{
	vmcs_write(TSC_OFFSET, offset);
}

/* VMX does not switch CR2: the run loop loads this one before each entry. */
void vmx_set_cr2(struct minivm_vcpu *vcpu, u64 cr2)
{
	((struct vmx_vcpu *)vcpu->be)->cr2 = cr2;
}

u64 vmx_get_dr7(struct minivm_vcpu *vcpu)
{
	return vmcs_read(GUEST_DR7);
}
