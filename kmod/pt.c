// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: building, walking and invalidating EPT/NPT tables.
 *
 * Mapping runs under the VM's mmu_lock, a spinlock, so it never allocates:
 * the caller fills a struct minivm_pt_cache first. Unmapping clears leaves
 * only; emptied tables stay until the VM goes, which keeps invalidation
 * (called from MMU notifiers) short and free of allocation.
 *
 * Tables in use are counted as the host's secondary page tables
 * (SecPageTables in /proc/meminfo, per memory cgroup too), as KVM counts its
 * own: whoever looks at the host's memory sees what the guests' tables take.
 */
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include "pt.h"

static unsigned int pt_shift(unsigned int level)
{
	return PAGE_SHIFT + 9 * (level - 1);
}

static unsigned int pt_index(u64 gpa, unsigned int level)
{
	return (gpa >> pt_shift(level)) & (MINIVM_PT_ENTRIES - 1);
}

static bool pt_present(const struct minivm_pt *pt, u64 e)
{
	return e & pt->fmt->present;
}

static bool pt_is_leaf(const struct minivm_pt *pt, u64 e, unsigned int level)
{
	return level == 1 || (e & pt->fmt->leaf_huge);
}

static u64 *pt_table(const struct minivm_pt *pt, u64 e)
{
	return phys_to_virt(e & pt->fmt->addr_mask);
}

/* Table and cache pages of every VM. */
atomic_long_t minivm_live_pt_pages = ATOMIC_LONG_INIT(0);

static void pt_account(void *table, int nr)
{
	mod_lruvec_page_state(virt_to_page(table), NR_SECONDARY_PAGETABLE, nr);
}

/** minivm_pt_init() - an empty table with format @fmt */
int minivm_pt_init(struct minivm_pt *pt, const struct minivm_pt_format *fmt)
{
	pt->fmt = fmt;
	pt->root = (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
	if (!pt->root)
		return -ENOMEM;
	atomic_long_inc(&minivm_live_pt_pages);
	pt_account(pt->root, 1);
	pt->tables = 1;
	return 0;
}

static void pt_free_table(struct minivm_pt *pt, u64 *table, unsigned int level)
{
	unsigned int i;

	for (i = 0; level > 1 && i < MINIVM_PT_ENTRIES; i++)
		if (pt_present(pt, table[i]) && !pt_is_leaf(pt, table[i], level))
			pt_free_table(pt, pt_table(pt, table[i]), level - 1);
	pt_account(table, -1);
	free_page((unsigned long)table);
	atomic_long_dec(&minivm_live_pt_pages);
	pt->tables--;
}

/** minivm_pt_destroy() - free every table; no CPU may use them any more */
void minivm_pt_destroy(struct minivm_pt *pt)
{
	if (pt->root)
		pt_free_table(pt, pt->root, MINIVM_PT_LEVELS);
	pt->root = NULL;
}

/** minivm_pt_root_pa() - physical address of the root, for EPTP or nCR3 */
phys_addr_t minivm_pt_root_pa(const struct minivm_pt *pt)
{
	return virt_to_phys(pt->root);
}

/** minivm_pt_cache_fill() - make sure @cache holds enough pages for one map */
int minivm_pt_cache_fill(struct minivm_pt_cache *cache)
{
	while (cache->nr < MINIVM_PT_CACHE_PAGES) {
		void *page = (void *)get_zeroed_page(GFP_KERNEL_ACCOUNT);

		if (!page)
			return -ENOMEM;
		atomic_long_inc(&minivm_live_pt_pages);
		cache->pages[cache->nr++] = page;
	}
	return 0;
}

/** minivm_pt_cache_free() - give back what @cache still holds */
void minivm_pt_cache_free(struct minivm_pt_cache *cache)
{
	while (cache->nr) {
		free_page((unsigned long)cache->pages[--cache->nr]);
		atomic_long_dec(&minivm_live_pt_pages);
	}
}

/**
 * minivm_pt_map() - map @gpa to @pa at @level (1: 4 KiB, 2: 2 MiB)
 * @pt: the table
 * @cache: pages for missing lower tables
 * @gpa: guest-physical address, aligned to the level's size
 * @pa: host-physical address, aligned likewise
 * @level: 1 or 2
 * @access: MINIVM_ACCESS_* the mapping allows
 *
 * An existing leaf at @gpa is replaced (a permission upgrade).
 *
 * Return: 0; -EEXIST when a larger leaf already covers @gpa; -EBUSY when a
 * 2 MiB map finds smaller mappings there; -ENOMEM when @cache ran dry;
 * -EINVAL for a misaligned or out-of-range address.
 */
int minivm_pt_map(struct minivm_pt *pt, struct minivm_pt_cache *cache, u64 gpa,
		  phys_addr_t pa, unsigned int level, u32 access)
{
	const struct minivm_pt_format *f = pt->fmt;
	u64 *table = pt->root, leaf, size;
	unsigned int l;

	if (level < 1 || level > 2)
		return -EINVAL;
	size = BIT_ULL(pt_shift(level));
	if ((gpa | pa) & (size - 1) || gpa >> MINIVM_PT_GPA_BITS || pa & ~f->addr_mask)
		return -EINVAL;
	for (l = MINIVM_PT_LEVELS; l > level; l--) {
		u64 *e = &table[pt_index(gpa, l)];

		if (!pt_present(pt, *e)) {
			if (!cache->nr)
				return -ENOMEM;
			*e = virt_to_phys(cache->pages[--cache->nr]) | f->table;
			pt_account(cache->pages[cache->nr], 1);
			pt->tables++;
		} else if (pt_is_leaf(pt, *e, l)) {
			return -EEXIST;
		}
		table = pt_table(pt, *e);
	}
	if (level > 1 && pt_present(pt, table[pt_index(gpa, level)]) &&
	    !pt_is_leaf(pt, table[pt_index(gpa, level)], level))
		return -EBUSY;
	leaf = pa | f->leaf_extra;
	if (access & MINIVM_PT_READ)
		leaf |= f->leaf_read;
	if (access & MINIVM_PT_WRITE)
		leaf |= f->leaf_write;
	if (access & MINIVM_PT_EXEC)
		leaf |= f->leaf_exec;
	if (level > 1)
		leaf |= f->leaf_huge;
	WRITE_ONCE(table[pt_index(gpa, level)], leaf);
	return 0;
}

/**
 * minivm_pt_lookup() - the leaf entry mapping @gpa
 * @pt: the table
 * @gpa: guest-physical address
 * @level: out, optional: the leaf's level
 *
 * Return: the entry, or 0 when @gpa is not mapped.
 */
u64 minivm_pt_lookup(const struct minivm_pt *pt, u64 gpa, unsigned int *level)
{
	u64 *table = pt->root;
	unsigned int l;

	for (l = MINIVM_PT_LEVELS; l >= 1; l--) {
		u64 e = READ_ONCE(table[pt_index(gpa, l)]);

		if (!pt_present(pt, e))
			return 0;
		if (pt_is_leaf(pt, e, l)) {
			if (level)
				*level = l;
			return e;
		}
		table = pt_table(pt, e);
	}
	return 0;
}

static bool pt_unmap(struct minivm_pt *pt, u64 *table, unsigned int level,
		     u64 base, u64 start, u64 end)
{
	u64 size = BIT_ULL(pt_shift(level));
	bool cleared = false;
	unsigned int i;

	for (i = 0; i < MINIVM_PT_ENTRIES; i++) {
		u64 lo = base + i * size, hi = lo + size, e = table[i];

		if (hi <= start || lo >= end || !pt_present(pt, e))
			continue;
		if (pt_is_leaf(pt, e, level)) {
			/* A huge leaf partly in range goes whole: it refaults. */
			WRITE_ONCE(table[i], 0);
			cleared = true;
		} else if (pt_unmap(pt, pt_table(pt, e), level - 1, lo, start, end)) {
			cleared = true;
		}
	}
	return cleared;
}

/**
 * minivm_pt_unmap_range() - remove every mapping of [@start, @end)
 * @pt: the table
 * @start: first guest-physical byte
 * @end: one past the last
 *
 * Return: whether any mapping was removed (and the guest's TLB must be
 * flushed before the host reuses the pages).
 */
bool minivm_pt_unmap_range(struct minivm_pt *pt, u64 start, u64 end)
{
	if (start >= end)
		return false;
	return pt_unmap(pt, pt->root, MINIVM_PT_LEVELS, 0, start, end);
}
