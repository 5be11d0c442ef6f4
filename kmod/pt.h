/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm: the guest-physical page tables (EPT on VMX, NPT on SVM).
 *
 * Both are four-level, 512-entry radix trees over the guest-physical
 * address; they differ only in how an entry is encoded, which each backend
 * describes with a struct minivm_pt_format. The code that builds, walks and
 * invalidates them is shared and has no hardware dependence, so KUnit tests
 * it directly (tests/pt_test.c).
 */
#ifndef MINIVM_PT_H
#define MINIVM_PT_H

#include <linux/bits.h>
#include <linux/types.h>

#define MINIVM_PT_LEVELS	4
#define MINIVM_PT_ENTRIES	512
/* Guest-physical addresses the tables cover: 48 bits. */
#define MINIVM_PT_GPA_BITS	48

/**
 * struct minivm_pt_format - how one vendor encodes table entries
 * @present: bits of which any set means the entry is in use
 * @table: bits of an entry pointing to a lower table (besides its address)
 * @leaf_read: bits of a readable leaf
 * @leaf_write: bits added when writable
 * @leaf_exec: bits added when executable
 * @leaf_huge: bit marking a 2 MiB leaf in a level-2 entry
 * @leaf_extra: bits every leaf carries (EPT: memory type)
 * @addr_mask: the address bits of an entry
 */
struct minivm_pt_format {
	u64 present;
	u64 table;
	u64 leaf_read;
	u64 leaf_write;
	u64 leaf_exec;
	u64 leaf_huge;
	u64 leaf_extra;
	u64 addr_mask;
};

/* Access bits of a mapping (the same values as MINIVM_ACCESS_*). */
#define MINIVM_PT_READ		BIT(0)
#define MINIVM_PT_WRITE		BIT(1)
#define MINIVM_PT_EXEC		BIT(2)

/* Tables a single map may need to add below the root. */
#define MINIVM_PT_CACHE_PAGES	(MINIVM_PT_LEVELS - 1)

/**
 * struct minivm_pt_cache - pages preallocated for a map, so mapping itself
 * never allocates and can run under a spinlock
 * @nr: how many of @pages are filled
 * @pages: zeroed table pages (kernel virtual addresses)
 */
struct minivm_pt_cache {
	unsigned int nr;
	void *pages[MINIVM_PT_CACHE_PAGES];
};

/**
 * struct minivm_pt - one VM's table
 * @fmt: its encoding
 * @root: the top-level table (kernel virtual address)
 * @tables: how many table pages it holds, root included
 */
struct minivm_pt {
	const struct minivm_pt_format *fmt;
	u64 *root;
	unsigned long tables;
};

int minivm_pt_init(struct minivm_pt *pt, const struct minivm_pt_format *fmt);
void minivm_pt_destroy(struct minivm_pt *pt);
phys_addr_t minivm_pt_root_pa(const struct minivm_pt *pt);
int minivm_pt_cache_fill(struct minivm_pt_cache *cache);
void minivm_pt_cache_free(struct minivm_pt_cache *cache);
int minivm_pt_map(struct minivm_pt *pt, struct minivm_pt_cache *cache, u64 gpa,
		  phys_addr_t pa, unsigned int level, u32 access);
u64 minivm_pt_lookup(const struct minivm_pt *pt, u64 gpa, unsigned int *level);
bool minivm_pt_unmap_range(struct minivm_pt *pt, u64 start, u64 end);

#endif /* MINIVM_PT_H */
