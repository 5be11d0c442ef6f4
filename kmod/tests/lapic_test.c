// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the in-kernel local APIC's registers (lapic.c) against the SDM:
 * reset values, read-only registers and writable bits in xAPIC and x2APIC
 * mode, the IRR -> ISR -> EOI cycle under TPR, the mode transitions of
 * IA32_APIC_BASE, IPIs by destination, errors, and the timer on a real
 * hrtimer. Runs on vCPUs that never enter a guest: nothing here needs
 * VMX or SVM.
 */
#include <kunit/test.h>
#include <linux/delay.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include "../lapic.h"
#include "../minivm.h"

static struct minivm_vcpu *test_vcpu(struct kunit *test, struct minivm_vm *vm, u32 id)
{
	struct minivm_vcpu *vcpu = kunit_kzalloc(test, sizeof(*vcpu), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, vcpu);
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->cpu = -1;
	vcpu->apic_base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE;
	rcuwait_init(&vcpu->wait);
	KUNIT_ASSERT_EQ(test, minivm_lapic_create(vcpu), 0);
	minivm_lapic_reset(vcpu);
	vm->vcpus[id] = vcpu;
	return vcpu;
}

static struct minivm_vm *test_vm(struct kunit *test)
{
	struct minivm_vm *vm = kunit_kzalloc(test, sizeof(*vm), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, vm);
	return vm;
}

static void test_free(struct minivm_vm *vm)
{
	unsigned int i;

	for (i = 0; i < MINIVM_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			minivm_lapic_free(vm->vcpus[i]);
}

static u64 rd(struct minivm_lapic *apic, u32 off)
{
	u64 v = ~0ULL;

	minivm_lapic_read(apic, off, &v, false);
	return v;
}

static void wr(struct minivm_lapic *apic, u32 off, u32 v)
{
	minivm_lapic_write(apic, off, v, false);
}

static void reset_values(struct kunit *test)
{
	struct minivm_vm *vm = test_vm(test);
	struct minivm_lapic *apic = test_vcpu(test, vm, 3)->lapic;
	u32 lvt;

	KUNIT_EXPECT_EQ(test, rd(apic, APIC_ID), 3ULL << 24);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_LVR), 0x50014ULL);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_SPIV), 0xffULL);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_DFR), 0xffffffffULL);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_TASKPRI), 0ULL);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_PROCPRI), 0ULL);
	for (lvt = APIC_LVTT; lvt <= APIC_LVTERR; lvt += 0x10)
		KUNIT_EXPECT_EQ(test, rd(apic, lvt), (u64)APIC_LVT_MASKED);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_TMICT), 0ULL);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_TMCCT), 0ULL);
	/* A register the xAPIC does not have reads 0. */
	KUNIT_EXPECT_EQ(test, rd(apic, 0x40), 0ULL);
	test_free(vm);
}

static void writable_bits(struct kunit *test)
{
	struct minivm_vm *vm = test_vm(test);
	struct minivm_lapic *apic = test_vcpu(test, vm, 0)->lapic;

	wr(apic, APIC_LVR, 0);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_LVR), 0x50014ULL);	/* read-only */
	wr(apic, APIC_LDR, 0xffffffff);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_LDR), 0xff000000ULL);
	wr(apic, APIC_DFR, 0);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_DFR), 0x0fffffffULL);
	wr(apic, APIC_TDCR, 0xffffffff);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_TDCR), 0xbULL);
	/* Software-disabled: an LVT entry stays masked. */
	wr(apic, APIC_LVT0, 0x700);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_LVT0), 0x10700ULL);
	wr(apic, APIC_SPIV, 0x1ff);
	wr(apic, APIC_LVT0, 0x700);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_LVT0), 0x700ULL);
	/* Remote IRR and delivery status are not written. */
	wr(apic, APIC_LVT1, 0x1ffff);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_LVT1), 0x1a7ffULL);
	/* Disabling masks every LVT entry again. */
	wr(apic, APIC_SPIV, 0xff);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_LVT0) & APIC_LVT_MASKED, (u64)APIC_LVT_MASKED);
	test_free(vm);
}

static void irr_isr_eoi_under_tpr(struct kunit *test)
{
	struct minivm_vm *vm = test_vm(test);
	struct minivm_vcpu *vcpu = test_vcpu(test, vm, 0);
	struct minivm_lapic *apic = vcpu->lapic;

	wr(apic, APIC_SPIV, 0x1ff);
	minivm_lapic_irq(apic, 0x35, false);
	minivm_lapic_irq(apic, 0x40, true);
	KUNIT_EXPECT_EQ(test, vcpu->ev.apic_pending, 1);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_TMR + 0x20), 1ULL);	/* 0x40, level */
	KUNIT_ASSERT_EQ(test, minivm_lapic_next_irq(vcpu), 0x40);
	minivm_lapic_ack(vcpu, 0x40);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_ISR + 0x20), 1ULL);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_PROCPRI), 0x40ULL);
	/* 0x35 is of a lower class than 0x40 in service: it waits. */
	KUNIT_EXPECT_EQ(test, minivm_lapic_next_irq(vcpu), -1);
	KUNIT_EXPECT_EQ(test, vcpu->ev.apic_pending, 0);
	wr(apic, APIC_EOI, 0);
	KUNIT_EXPECT_EQ(test, vcpu->ev.apic_pending, 1);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_ISR + 0x20), 0ULL);
	/* A level-triggered vector's EOI is for userspace's IOAPIC too. */
	KUNIT_EXPECT_EQ(test, apic->eoi_exit, MINIVM_LAPIC_EOI_EXIT | 0x40);
	apic->eoi_exit = 0;
	/* TPR of the same class holds it; one class lower lets it through. */
	wr(apic, APIC_TASKPRI, 0x30);
	KUNIT_EXPECT_EQ(test, minivm_lapic_next_irq(vcpu), -1);
	wr(apic, APIC_TASKPRI, 0x2f);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_PROCPRI), 0x2fULL);
	KUNIT_EXPECT_EQ(test, minivm_lapic_next_irq(vcpu), 0x35);
	/* An edge-triggered one's is not. */
	minivm_lapic_ack(vcpu, 0x35);
	wr(apic, APIC_EOI, 0);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_ISR + 0x20), 0ULL);
	KUNIT_EXPECT_EQ(test, apic->eoi_exit, 0);
	test_free(vm);
}

static void x2apic_mode(struct kunit *test)
{
	struct minivm_vm *vm = test_vm(test);
	struct minivm_vcpu *vcpu = test_vcpu(test, vm, 0x13);
	u64 v, x2 = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE | X2APIC_ENABLE;

	/* x2APIC MSRs #GP in xAPIC mode. */
	KUNIT_EXPECT_EQ(test, minivm_lapic_msr(vcpu, false, APIC_BASE_MSR + 2, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, minivm_lapic_msr(vcpu, false, 0x10, &v), -ENOENT);
	KUNIT_ASSERT_EQ(test, minivm_lapic_set_base(vcpu, x2), 0);
	KUNIT_EXPECT_EQ(test, minivm_lapic_msr(vcpu, false, APIC_BASE_MSR + 2, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0x13ULL);			/* the whole ID */
	KUNIT_EXPECT_EQ(test, minivm_lapic_msr(vcpu, false, APIC_BASE_MSR + 0xd, &v), 0);
	KUNIT_EXPECT_EQ(test, v, 0x10008ULL);			/* cluster 1, member 3 */
	v = 0;
	KUNIT_EXPECT_EQ(test, minivm_lapic_msr(vcpu, true, APIC_BASE_MSR + 2, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, minivm_lapic_msr(vcpu, true, APIC_BASE_MSR + 0xd, &v), -EINVAL);
	/* No DFR, no ICR2, no reads of EOI or SELF IPI. */
	KUNIT_EXPECT_EQ(test, minivm_lapic_msr(vcpu, false, APIC_BASE_MSR + 0xe, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, minivm_lapic_msr(vcpu, false, APIC_BASE_MSR + 0x31, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, minivm_lapic_msr(vcpu, false, APIC_BASE_MSR + 0xb, &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, minivm_lapic_msr(vcpu, false, APIC_BASE_MSR + 0x3f, &v), -EINVAL);
	v = 1;	/* EOI takes only 0 */
	KUNIT_EXPECT_EQ(test, minivm_lapic_msr(vcpu, true, APIC_BASE_MSR + 0xb, &v), -EINVAL);
	v = 0x100;	/* reserved TPR bits */
	KUNIT_EXPECT_EQ(test, minivm_lapic_msr(vcpu, true, APIC_BASE_MSR + 8, &v), -EINVAL);
	/* SELF IPI sets the vector in IRR. */
	v = 0x1ff;
	KUNIT_EXPECT_EQ(test, minivm_lapic_msr(vcpu, true, APIC_BASE_MSR + 0xf, &v), 0);
	v = 0x61;
	KUNIT_EXPECT_EQ(test, minivm_lapic_msr(vcpu, true, APIC_BASE_MSR + 0x3f, &v), 0);
	KUNIT_EXPECT_EQ(test, minivm_lapic_next_irq(vcpu), 0x61);
	/* x2APIC back to xAPIC directly is refused; through disabled it is not. */
	KUNIT_EXPECT_EQ(test, minivm_lapic_set_base(vcpu, x2 & ~X2APIC_ENABLE), -EINVAL);
	KUNIT_EXPECT_EQ(test, minivm_lapic_set_base(vcpu, X2APIC_ENABLE | APIC_DEFAULT_PHYS_BASE),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, minivm_lapic_set_base(vcpu, APIC_DEFAULT_PHYS_BASE), 0);
	KUNIT_EXPECT_EQ(test, minivm_lapic_set_base(vcpu, x2 & ~X2APIC_ENABLE), 0);
	KUNIT_EXPECT_EQ(test, rd(vcpu->lapic, APIC_ID), 0x13ULL << 24);
	KUNIT_EXPECT_EQ(test, rd(vcpu->lapic, APIC_SPIV), 0xffULL);	/* reset by disabling */
	test_free(vm);
}

static void ipis_by_destination(struct kunit *test)
{
	struct minivm_vm *vm = test_vm(test);
	struct minivm_vcpu *a = test_vcpu(test, vm, 0), *b = test_vcpu(test, vm, 1);
	struct minivm_vcpu *c = test_vcpu(test, vm, 2);

	wr(a->lapic, APIC_SPIV, 0x1ff);
	wr(b->lapic, APIC_SPIV, 0x1ff);
	wr(c->lapic, APIC_SPIV, 0x1ff);
	/* Physical: APIC 2 only. */
	wr(a->lapic, APIC_ICR2, 2 << 24);
	wr(a->lapic, APIC_ICR, 0x4041);
	KUNIT_EXPECT_EQ(test, minivm_lapic_next_irq(c), 0x41);
	KUNIT_EXPECT_EQ(test, minivm_lapic_next_irq(b), -1);
	KUNIT_EXPECT_EQ(test, rd(a->lapic, APIC_ICR) & APIC_ICR_BUSY, 0ULL);
	/* Logical flat: bits 0 and 1 of the LDRs. */
	wr(a->lapic, APIC_LDR, 1 << 24);
	wr(b->lapic, APIC_LDR, 2 << 24);
	wr(c->lapic, APIC_LDR, 4 << 24);
	wr(c->lapic, APIC_ICR2, 3 << 24);
	wr(c->lapic, APIC_ICR, APIC_DEST_LOGICAL | 0x42);
	KUNIT_EXPECT_EQ(test, minivm_lapic_next_irq(a), 0x42);
	KUNIT_EXPECT_EQ(test, minivm_lapic_next_irq(b), 0x42);
	/* All but self. */
	wr(b->lapic, APIC_ICR, APIC_DEST_ALLBUT | 0x50);
	KUNIT_EXPECT_EQ(test, minivm_lapic_next_irq(a), 0x50);
	KUNIT_EXPECT_EQ(test, minivm_lapic_next_irq(b), 0x42);
	KUNIT_EXPECT_EQ(test, minivm_lapic_next_irq(c), 0x50);
	/* Lowest priority: the APIC with the lowest TPR of those named. */
	wr(a->lapic, APIC_TASKPRI, 0x20);
	wr(b->lapic, APIC_TASKPRI, 0x10);
	wr(c->lapic, APIC_ICR2, 3 << 24);
	wr(c->lapic, APIC_ICR, APIC_DEST_LOGICAL | APIC_DM_LOWEST | 0x60);
	KUNIT_EXPECT_EQ(test, minivm_lapic_next_irq(b), 0x60);
	KUNIT_EXPECT_EQ(test, minivm_lapic_next_irq(a), 0x50);
	/* An NMI IPI becomes a request the target folds into its events. */
	wr(a->lapic, APIC_ICR2, 1 << 24);
	wr(a->lapic, APIC_ICR, APIC_DM_NMI);
	KUNIT_EXPECT_TRUE(test, test_bit(MINIVM_LAPIC_REQ_NMI, &b->lapic->requests));
	minivm_lapic_next_irq(b);
	KUNIT_EXPECT_TRUE(test, b->ev.nmi_pending);
	test_free(vm);
}

static void errors_are_latched(struct kunit *test)
{
	struct minivm_vm *vm = test_vm(test);
	struct minivm_vcpu *vcpu = test_vcpu(test, vm, 0);
	struct minivm_lapic *apic = vcpu->lapic;

	wr(apic, APIC_SPIV, 0x1ff);
	wr(apic, APIC_LVTERR, 0xfe);
	wr(apic, APIC_ICR, APIC_DEST_SELF | 0x05);	/* an illegal vector */
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_ESR), 0ULL);	/* until ESR is written */
	wr(apic, APIC_ESR, 0);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_ESR), (u64)APIC_ESR_SENDILL);
	KUNIT_EXPECT_EQ(test, minivm_lapic_next_irq(vcpu), 0xfe);	/* LVT error */
	wr(apic, APIC_ESR, 0);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_ESR), 0ULL);
	test_free(vm);
}

static void timer_counts_and_fires(struct kunit *test)
{
	struct minivm_vm *vm = test_vm(test);
	struct minivm_vcpu *vcpu = test_vcpu(test, vm, 0);
	struct minivm_lapic *apic = vcpu->lapic;
	u64 cur;

	wr(apic, APIC_SPIV, 0x1ff);
	wr(apic, APIC_TDCR, 0xb);			/* divide by 1 */
	wr(apic, APIC_LVTT, 0x70);
	wr(apic, APIC_TMICT, 2000000000);		/* two seconds */
	cur = rd(apic, APIC_TMCCT);
	KUNIT_EXPECT_GT(test, cur, 1000000000ULL);
	KUNIT_EXPECT_LE(test, cur, 2000000000ULL);
	wr(apic, APIC_TMICT, 0);			/* stops it */
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_TMCCT), 0ULL);
	/* One-shot of 100 us: fires once, then reads 0. */
	wr(apic, APIC_TMICT, 100000);
	msleep(20);
	KUNIT_EXPECT_EQ(test, minivm_lapic_next_irq(vcpu), 0x70);
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_TMCCT), 0ULL);
	/* Periodic below the floor runs at the floor, and keeps running. */
	wr(apic, APIC_LVTT, APIC_LVT_TIMER_PERIODIC | 0x71);
	wr(apic, APIC_TMICT, 1);
	KUNIT_EXPECT_EQ(test, apic->period_ns, MINIVM_LAPIC_MIN_PERIOD_NS);
	msleep(20);
	KUNIT_EXPECT_TRUE(test, hrtimer_active(&apic->timer));
	/* A new mode starts disarmed. */
	wr(apic, APIC_LVTT, APIC_LVT_TIMER_TSCDEADLINE | 0x72);
	KUNIT_EXPECT_FALSE(test, hrtimer_active(&apic->timer));
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_TMICT), 0ULL);
	wr(apic, APIC_TMICT, 5);			/* ignored in TSC-deadline mode */
	KUNIT_EXPECT_EQ(test, rd(apic, APIC_TMICT), 0ULL);
	test_free(vm);
}

static struct kunit_case lapic_cases[] = {
	KUNIT_CASE(reset_values),
	KUNIT_CASE(writable_bits),
	KUNIT_CASE(irr_isr_eoi_under_tpr),
	KUNIT_CASE(x2apic_mode),
	KUNIT_CASE(ipis_by_destination),
	KUNIT_CASE(errors_are_latched),
	KUNIT_CASE(timer_counts_and_fires),
	{}
};

static struct kunit_suite lapic_suite = {
	.name = "minivm_lapic",
	.test_cases = lapic_cases,
};

kunit_test_suite(lapic_suite);
