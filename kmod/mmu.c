// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: guest RAM as the caller's own memory.
 *
 * A region maps a guest-physical range onto the VM owner's user addresses.
 * Nothing is pinned: a guest access to an unmapped page faults it in with
 * get_user_pages (zero-filled on first touch, as the host hands it out),
 * maps it in the EPT/NPT table and drops the page reference at once. What
 * keeps the guest from ever reaching a page the host has since reused is the
 * MMU notifier: before the host unmaps, migrates, swaps or merges a page,
 * its guest mapping is removed and every vCPU's guest TLB is flushed. A
 * fault that raced with an invalidation sees the sequence count move and
 * starts over.
 */
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/sizes.h>
#include <linux/mmu_notifier.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include "minivm.h"

static void mmu_kick(void *unused)
{
	/* The IPI's arrival forced the guest out; nothing else to do. */
}

/*
 * Mappings were removed: make every vCPU flush its guest TLB before it next
 * enters, and wait until none is still inside the guest with stale entries.
 * Pairs with the barrier between setting vcpu->mode and reading tlb_gen at
 * entry: a vCPU either sees the new generation or is seen in the guest.
 */
static void mmu_flush_guest_tlbs(struct minivm_vm *vm)
{
	unsigned int i;

	atomic64_inc(&vm->tlb_gen);
	/* Order the new generation before reading each vCPU's mode. */
	smp_mb__after_atomic();
	for (i = 0; i < MINIVM_MAX_VCPUS; i++) {
		struct minivm_vcpu *vcpu = READ_ONCE(vm->vcpus[i]);

		if (vcpu && READ_ONCE(vcpu->mode) == MINIVM_IN_GUEST)
			smp_call_function_single(READ_ONCE(vcpu->cpu), mmu_kick, NULL, 1);
	}
}

/* Remove the guest mappings of host range [start, end); mmu_lock held. */
static bool mmu_unmap_hva(struct minivm_vm *vm, unsigned long start, unsigned long end)
{
	bool cleared = false;
	unsigned int i;

	for (i = 0; i < MINIVM_MAX_REGIONS; i++) {
		const struct minivm_region *r = &vm->regions[i];
		u64 lo, hi;

		if (!r->size || end <= r->hva || start >= r->hva + r->size)
			continue;
		lo = max_t(u64, start, r->hva) - r->hva + r->gpa;
		hi = min_t(u64, end, r->hva + r->size) - r->hva + r->gpa;
		cleared |= minivm_pt_unmap_range(&vm->pt, lo, hi);
	}
	return cleared;
}

static int mmu_invalidate_start(struct mmu_notifier *mn,
				const struct mmu_notifier_range *range)
{
	struct minivm_vm *vm = container_of(mn, struct minivm_vm, notifier);
	bool flush;

	spin_lock(&vm->mmu_lock);
	vm->invalidate_active++;
	flush = mmu_unmap_hva(vm, range->start, range->end);
	vm->stats.invalidations += flush;
	spin_unlock(&vm->mmu_lock);
	if (flush)
		mmu_flush_guest_tlbs(vm);
	return 0;
}

static void mmu_invalidate_end(struct mmu_notifier *mn,
			       const struct mmu_notifier_range *range)
{
	struct minivm_vm *vm = container_of(mn, struct minivm_vm, notifier);

	spin_lock(&vm->mmu_lock);
	vm->invalidate_seq++;
	vm->invalidate_active--;
	spin_unlock(&vm->mmu_lock);
}

/* The address space is going away: no guest access may follow it. */
static void mmu_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	struct minivm_vm *vm = container_of(mn, struct minivm_vm, notifier);
	bool flush;

	spin_lock(&vm->mmu_lock);
	flush = minivm_pt_unmap_range(&vm->pt, 0, BIT_ULL(MINIVM_PT_GPA_BITS));
	vm->invalidate_seq++;
	spin_unlock(&vm->mmu_lock);
	if (flush)
		mmu_flush_guest_tlbs(vm);
}

static const struct mmu_notifier_ops mmu_notifier_ops = {
	.invalidate_range_start = mmu_invalidate_start,
	.invalidate_range_end = mmu_invalidate_end,
	.release = mmu_release,
};

/** minivm_mmu_init() - empty tables, and follow the owner's address space */
int minivm_mmu_init(struct minivm_vm *vm)
{
	int ret;

	spin_lock_init(&vm->mmu_lock);
	ret = minivm_pt_init(&vm->pt, minivm_be->pt_format);
	if (ret)
		return ret;
	vm->notifier.ops = &mmu_notifier_ops;
	ret = mmu_notifier_register(&vm->notifier, vm->mm);
	if (ret) {
		minivm_pt_destroy(&vm->pt);
		vm->notifier.ops = NULL;
	}
	return ret;
}

/** minivm_mmu_destroy() - undo minivm_mmu_init(); no vCPU may run */
void minivm_mmu_destroy(struct minivm_vm *vm)
{
	if (vm->notifier.ops)
		mmu_notifier_unregister(&vm->notifier, vm->mm);
	minivm_pt_destroy(&vm->pt);
}

static const struct minivm_region *mmu_find_region(struct minivm_vm *vm, u64 gpa)
{
	unsigned int i;

	for (i = 0; i < MINIVM_MAX_REGIONS; i++) {
		const struct minivm_region *r = &vm->regions[i];

		if (r->size && gpa >= r->gpa && gpa - r->gpa < r->size)
			return r;
	}
	return NULL;
}

/*
 * The host address of @len bytes at @gpa, within one page and one region
 * (one that may be written, for @write); 0 when there is none.
 */
static unsigned long mmu_guest_hva(struct minivm_vm *vm, u64 gpa, unsigned int len, bool write)
{
	const struct minivm_region *r;
	unsigned long hva = 0;

	if (offset_in_page(gpa) + len > PAGE_SIZE)
		return 0;
	spin_lock(&vm->mmu_lock);
	r = mmu_find_region(vm, gpa);
	if (r && !(write && (r->flags & MINIVM_MEM_READONLY)))
		hva = r->hva + (gpa - r->gpa);
	spin_unlock(&vm->mmu_lock);
	return hva;
}

/**
 * minivm_read_guest() - copy @len bytes of guest memory at @gpa into @data
 * @vcpu: a vCPU of the VM; process context, the VM's own process
 * @gpa: guest-physical address; @gpa to @gpa + @len stays in one page
 * @data: where to
 * @len: how many bytes
 *
 * Through the caller's own mapping, as the guest would read it.
 *
 * Return: 0; -EFAULT when @gpa is not in a region or the memory is gone.
 */
int minivm_read_guest(struct minivm_vcpu *vcpu, u64 gpa, void *data, unsigned int len)
{
	unsigned long hva = mmu_guest_hva(vcpu->vm, gpa, len, false);

	if (!hva || copy_from_user(data, (const void __user *)hva, len))
		return -EFAULT;
	return 0;
}

/**
 * minivm_write_guest() - copy @len bytes from @data into guest memory at @gpa
 * @vcpu: a vCPU of the VM; process context, the VM's own process
 * @gpa: guest-physical address; @gpa to @gpa + @len stays in one page
 * @data: what
 * @len: how many bytes
 *
 * Return: 0; -EFAULT when @gpa is not in a writable region or the memory
 * is gone.
 */
int minivm_write_guest(struct minivm_vcpu *vcpu, u64 gpa, const void *data, unsigned int len)
{
	unsigned long hva = mmu_guest_hva(vcpu->vm, gpa, len, true);

	if (!hva || copy_to_user((void __user *)hva, data, len))
		return -EFAULT;
	return 0;
}

/**
 * minivm_set_memory_region() - %MINIVM_SET_MEMORY_REGION
 * @vm: the VM, its lock held
 * @r: the caller's request, copied in
 *
 * Return: 0; -EINVAL (bad slot, flags, alignment or range), -EEXIST (slot
 * in use, or overlap with another region), -ENOENT (deleting a free slot).
 */
long minivm_set_memory_region(struct minivm_vm *vm, const struct minivm_memory_region *r)
{
	struct minivm_region *slot;
	bool flush = false;
	unsigned int i;

	if (r->slot >= MINIVM_MAX_REGIONS || r->flags & ~MINIVM_MEM_READONLY)
		return -EINVAL;
	slot = &vm->regions[r->slot];
	if (!r->memory_size) {
		if (!slot->size)
			return -ENOENT;
		spin_lock(&vm->mmu_lock);
		flush = minivm_pt_unmap_range(&vm->pt, slot->gpa, slot->gpa + slot->size);
		slot->size = 0;
		vm->invalidate_seq++;
		spin_unlock(&vm->mmu_lock);
		if (flush)
			mmu_flush_guest_tlbs(vm);
		return 0;
	}
	if (!PAGE_ALIGNED(r->guest_phys_addr) || !PAGE_ALIGNED(r->memory_size) ||
	    !PAGE_ALIGNED(r->userspace_addr))
		return -EINVAL;
	if (r->guest_phys_addr + r->memory_size < r->guest_phys_addr ||
	    r->guest_phys_addr + r->memory_size > BIT_ULL(MINIVM_PT_GPA_BITS))
		return -EINVAL;
	if (r->userspace_addr + r->memory_size < r->userspace_addr ||
	    !access_ok(u64_to_user_ptr(r->userspace_addr), r->memory_size))
		return -EINVAL;
	if (slot->size)
		return -EEXIST;
	for (i = 0; i < MINIVM_MAX_REGIONS; i++) {
		const struct minivm_region *o = &vm->regions[i];

		if (o->size && r->guest_phys_addr < o->gpa + o->size &&
		    o->gpa < r->guest_phys_addr + r->memory_size)
			return -EEXIST;
	}
	spin_lock(&vm->mmu_lock);
	slot->gpa = r->guest_phys_addr;
	slot->hva = r->userspace_addr;
	slot->flags = r->flags;
	slot->size = r->memory_size;
	spin_unlock(&vm->mmu_lock);
	return 0;
}

/*
 * Whether the host maps @hva with a 2 MiB (or larger) page. A lockless walk
 * of the owner's tables with interrupts off, as GUP-fast does: the tables
 * cannot be freed under it. A split or unmap after it fires the notifier,
 * which the fault's sequence check catches.
 */
static bool mmu_host_maps_2m(struct mm_struct *mm, unsigned long hva)
{
	unsigned long flags;
	bool huge = false;
	pgd_t pgd;
	p4d_t p4d;
	pud_t pud;
	pmd_t pmd;

	local_irq_save(flags);
	pgd = READ_ONCE(*pgd_offset(mm, hva));
	if (pgd_none(pgd) || !pgd_present(pgd))
		goto out;
	p4d = READ_ONCE(*p4d_offset(&pgd, hva));
	if (p4d_none(p4d) || !p4d_present(p4d))
		goto out;
	pud = READ_ONCE(*pud_offset(&p4d, hva));
	if (pud_none(pud) || !pud_present(pud))
		goto out;
	if (pud_large(pud)) {
		huge = true;
		goto out;
	}
	pmd = READ_ONCE(*pmd_offset(&pud, hva));	/* one 64-bit load */
	huge = pmd_present(pmd) && pmd_large(pmd);
out:
	local_irq_restore(flags);
	return huge;
}

/*
 * The level to map @gpa at: 2 MiB when the whole aligned 2 MiB lies in
 * region @r at the same alignment in host memory and the host backs it with
 * one huge page (hugetlbfs or a PMD-mapped transparent huge page). @gpa is
 * the faulting address, @hva its page's: only the bits between the page
 * and 2 MiB must agree.
 */
static unsigned int mmu_level(struct minivm_vm *vm, const struct minivm_region *r,
			      u64 gpa, unsigned long hva, struct page *page)
{
	u64 base = gpa & ~(SZ_2M - 1);

	if (!minivm_caps.huge_pages || ((gpa ^ hva) & (SZ_2M - PAGE_SIZE)) ||
	    base < r->gpa || base + SZ_2M > r->gpa + r->size ||
	    !PageCompound(page) || !mmu_host_maps_2m(vm->mm, hva))
		return 1;
	return 2;
}

static int mmu_exit_mmio(struct minivm_vcpu *vcpu, u64 gpa, u32 access)
{
	vcpu->run->exit_reason = MINIVM_EXIT_MMIO;
	vcpu->run->mmio.gpa = gpa;
	vcpu->run->mmio.access = access;
	vcpu->run->mmio.reserved = 0;
	return 1;
}

static int mmu_exit_error(struct minivm_vcpu *vcpu, u64 gpa, u64 hva, int err)
{
	vcpu->run->exit_reason = MINIVM_EXIT_MEMORY_ERROR;
	vcpu->run->memory.gpa = gpa;
	vcpu->run->memory.hva = hva;
	vcpu->run->memory.error = err;
	return err;
}

static int mmu_fault(struct minivm_vcpu *vcpu, u64 gpa, u32 access, u32 *result)
{
	struct minivm_vm *vm = vcpu->vm;
	const struct minivm_region *r;
	struct minivm_region region;
	unsigned long seq, hva;
	unsigned int level;
	u32 perm;
	struct page *page;
	phys_addr_t pa;
	bool writable, write;
	int ret;

retry:
	spin_lock(&vm->mmu_lock);
	r = mmu_find_region(vm, gpa);
	if (!r || ((access & MINIVM_ACCESS_WRITE) && (r->flags & MINIVM_MEM_READONLY))) {
		spin_unlock(&vm->mmu_lock);
		*result = MINIVM_FAULT_MMIO;
		return mmu_exit_mmio(vcpu, gpa, access);
	}
	region = *r;
	hva = r->hva + ((gpa & PAGE_MASK) - r->gpa);
	writable = !(r->flags & MINIVM_MEM_READONLY);
	seq = vm->invalidate_seq;
	spin_unlock(&vm->mmu_lock);

	*result = MINIVM_FAULT_ERROR;
	ret = minivm_pt_cache_fill(&vcpu->pt_cache);
	if (ret)
		return ret;
	write = access & MINIVM_ACCESS_WRITE;
	if (!write && writable && get_user_pages_fast_only(hva, 1, FOLL_WRITE, &page) == 1) {
		write = true;
	} else {
		ret = get_user_pages_fast(hva, 1, write ? FOLL_WRITE : 0, &page);
		if (ret != 1)
			return mmu_exit_error(vcpu, gpa, hva, ret < 0 ? ret : -EFAULT);
	}

	level = mmu_level(vm, &region, gpa, hva, page);
	pa = page_to_phys(page);
	if (level == 2)
		pa -= hva & (SZ_2M - PAGE_SIZE);	/* the huge page's first byte */

	spin_lock(&vm->mmu_lock);
	if (vm->invalidate_active || vm->invalidate_seq != seq) {
		spin_unlock(&vm->mmu_lock);
		put_page(page);
		cond_resched();
		goto retry;
	}
	perm = MINIVM_PT_READ | MINIVM_PT_EXEC | (write ? MINIVM_PT_WRITE : 0);
	ret = minivm_pt_map(&vm->pt, &vcpu->pt_cache,
			    level == 2 ? gpa & ~(SZ_2M - 1) : gpa & PAGE_MASK, pa, level, perm);
	if (level == 2 && ret == -EBUSY) {
		/* 4 KiB mappings made earlier are in the way: add one more. */
		level = 1;
		ret = minivm_pt_map(&vm->pt, &vcpu->pt_cache, gpa & PAGE_MASK, page_to_phys(page),
				    1, perm);
	} else if (level == 1 && ret == -EEXIST) {
		/*
		 * A 2 MiB leaf of the same, still mapped, host pages is in the
		 * way (the host backs it differently now): split it. Entries
		 * still cached for it lead to the same pages, so no flush.
		 */
		minivm_pt_unmap_range(&vm->pt, gpa & ~(SZ_2M - 1), (gpa & ~(SZ_2M - 1)) + SZ_2M);
		ret = minivm_pt_map(&vm->pt, &vcpu->pt_cache, gpa & PAGE_MASK, pa, 1, perm);
	}
	if (!ret) {
		if (level == 2)
			vm->stats.maps_2m++;
		else
			vm->stats.maps_4k++;
		*result = level == 2 ? MINIVM_FAULT_MAPPED_2M : MINIVM_FAULT_MAPPED_4K;
	} else if (ret == -EEXIST) {
		*result = MINIVM_FAULT_RACED;
	}
	spin_unlock(&vm->mmu_lock);
	put_page(page);
	return ret == -EEXIST ? 0 : ret;
}

/**
 * minivm_mmu_fault() - an EPT/NPT fault: map the page, or exit as MMIO
 * @vcpu: the faulting vCPU, in its owner's context, preemptible
 * @gpa: the faulting guest-physical address
 * @access: MINIVM_ACCESS_* of the access
 *
 * A read of a writable region maps the page writable when the host already
 * has it so, sparing the guest a second fault on its first write.
 *
 * Return: 0 when the guest may retry the access; 1 when vcpu->run holds an
 * MMIO exit; a negative errno (with vcpu->run holding a memory error for
 * -EFAULT) otherwise.
 */
int minivm_mmu_fault(struct minivm_vcpu *vcpu, u64 gpa, u32 access)
{
	u64 start = trace_minivm_fault_enabled() ? ktime_get_ns() : 0;
	u32 result;
	int ret;

	ret = mmu_fault(vcpu, gpa, access, &result);
	if (start)
		trace_minivm_fault(vcpu->vm->id, vcpu->id, gpa, access, result,
				   ktime_get_ns() - start);
	return ret;
}
