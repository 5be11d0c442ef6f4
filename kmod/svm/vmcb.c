// SPDX-License-Identifier: GPL-2.0
/*
 * minivm SVM backend: each vCPU's VMCB, what it intercepts, and ASIDs.
 *
 * Every I/O port and every MSR is intercepted (the permission maps are all
 * ones and shared by every vCPU), physical interrupts and NMIs exit, #DB
 * and #AC exit and are reflected into the guest, debug-register accesses
 * exit until the guest owns them (see ../debug.c), and the instructions a
 * guest must not reach (SVM's own, MONITOR/MWAIT; RDTSCP on a host without
 * it) raise #UD in it.
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
#include <asm/trapnr.h>
#include <asm/svm.h>
#include "../arch_state.h"
#include "svm.h"
#include "vcpu.h"

static struct page *svm_iopm, *svm_msrpm;	/* all ones: intercept everything */
static u32 svm_max_asid;

DEFINE_PER_CPU(struct svm_cpu, svm_cpu) = { .asid_gen = 1, .next_asid = 1 };

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

int svm_vcpu_create(struct minivm_vcpu *vcpu)
{
	static const unsigned int intercepts[] = {
		INTERCEPT_INTR, INTERCEPT_NMI, INTERCEPT_SMI, INTERCEPT_INIT,
		INTERCEPT_CPUID, INTERCEPT_HLT, INTERCEPT_INVD, INTERCEPT_INVLPGA,
		INTERCEPT_IOIO_PROT, INTERCEPT_MSR_PROT, INTERCEPT_SHUTDOWN,
		INTERCEPT_VMRUN, INTERCEPT_VMMCALL, INTERCEPT_VMLOAD, INTERCEPT_VMSAVE,
		INTERCEPT_STGI, INTERCEPT_CLGI, INTERCEPT_SKINIT,
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
	svm->vmcb_pa = __pa(svm->vmcb);
	c = &svm->vmcb->control;
	s = &svm->vmcb->save;
	for (i = 0; i < ARRAY_SIZE(intercepts); i++)
		set_intercept(c, intercepts[i]);
	/* RDTSCP runs in the guest (its TSC_AUX switched by the core) where the host has it. */
	if (!minivm_caps.rdtscp)
		set_intercept(c, INTERCEPT_RDTSCP);
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

/*
 * A fresh ASID on this CPU (see svm_assign_asid()); running out of ASIDs
 * starts a new generation with one flush of every ASID.
 */
void svm_new_asid(struct svm_vcpu *svm)
{
	struct svm_cpu *sc = this_cpu_ptr(&svm_cpu);
	struct vmcb *vmcb = svm->vmcb;

	if (sc->next_asid > svm_max_asid) {
		sc->asid_gen++;
		sc->next_asid = 1;
		vmcb->control.tlb_ctl = TLB_CONTROL_FLUSH_ALL_ASID;
	}
	vmcb->control.asid = sc->next_asid++;
	svm->asid_gen = sc->asid_gen;
}
