// SPDX-License-Identifier: GPL-2.0
/*
 * minivm launcher: a multiboot v1 loader that gives a kernel what
 * `qemu-system-x86_64 -kernel` gives it: ELF32 segments (or the header's
 * a.out addresses) loaded at their physical addresses, and multiboot
 * information with QEMU's memory fields, SeaBIOS's e820 map for the same
 * RAM size, QEMU's command line ("IMAGE CMDLINE") and, as -initrd, a module.
 */
#include <elf.h>
#include <string.h>
#include "multiboot.h"
#include "pc_memory.h"

#define MB_MAGIC		0x1badb002
#define MB_BOOT_MAGIC		0x2badb002
#define MB_FLAG_AOUT		(1U << 16)
#define MB_FLAG_VIDEO		(1U << 2)
#define MBI_MEMORY		(1U << 0)
#define MBI_CMDLINE		(1U << 2)
#define MBI_MODS		(1U << 3)
#define MBI_MMAP		(1U << 6)
#define MBI_LOADER_NAME		(1U << 9)

struct mb_header {
	uint32_t magic, flags, checksum;
	uint32_t header_addr, load_addr, load_end_addr, bss_end_addr, entry_addr;
};

struct mb_info {
	uint32_t flags, mem_lower, mem_upper, boot_device, cmdline;
	uint32_t mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr, config_table, boot_loader_name;
};

struct mb_mod {
	uint32_t mod_start, mod_end, string, reserved;
};

struct mb_mmap {
	uint32_t size;
	struct e820_entry e;
} __attribute__((packed));

static int load_elf(const uint8_t *image, size_t size, const struct pc_memory *ram,
		    uint32_t *entry, uint64_t *end, const char **why)
{
	const Elf32_Ehdr *eh = (const Elf32_Ehdr *)image;
	unsigned int i;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG)) {
		*why = "not an ELF file, and the multiboot header gives no load addresses";
		return -1;
	}
	if (eh->e_ident[EI_CLASS] != ELFCLASS32 || eh->e_machine != EM_386) {
		*why = "a multiboot kernel must be a 32-bit x86 ELF (as QEMU requires)";
		return -1;
	}
	if (eh->e_phentsize != sizeof(Elf32_Phdr) ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(Elf32_Phdr) > size) {
		*why = "ELF program headers are truncated";
		return -1;
	}
	*end = 0;
	for (i = 0; i < eh->e_phnum; i++) {
		const Elf32_Phdr *ph = (const Elf32_Phdr *)(image + eh->e_phoff) + i;

		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		if (ph->p_filesz > ph->p_memsz || (uint64_t)ph->p_offset + ph->p_filesz > size) {
			*why = "an ELF segment lies outside the file";
			return -1;
		}
		if (pc_memory_put(ram, ph->p_paddr, image + ph->p_offset, ph->p_filesz) ||
		    pc_memory_put(ram, (uint64_t)ph->p_paddr + ph->p_filesz, NULL,
			ph->p_memsz - ph->p_filesz)) {
			*why = "an ELF segment does not fit in guest RAM (try a larger --mem)";
			return -1;
		}
		if ((uint64_t)ph->p_paddr + ph->p_memsz > *end)
			*end = (uint64_t)ph->p_paddr + ph->p_memsz;
	}
	if (!*end) {
		*why = "the ELF file has nothing to load";
		return -1;
	}
	*entry = eh->e_entry;
	return 0;
}

static int load_aout(const struct mb_header *h, size_t hoff, const uint8_t *image, size_t size,
		     const struct pc_memory *ram, uint32_t *entry, uint64_t *end, const char **why)
{
	uint64_t off, len, load_end, bss_end;

	if (h->header_addr < h->load_addr || h->header_addr - h->load_addr > hoff) {
		*why = "the multiboot header's addresses are inconsistent";
		return -1;
	}
	off = hoff - (h->header_addr - h->load_addr);
	load_end = h->load_end_addr ? h->load_end_addr : h->load_addr + (size - off);
	if (load_end < h->load_addr || off + (load_end - h->load_addr) > size) {
		*why = "the multiboot header's load range lies outside the file";
		return -1;
	}
	len = load_end - h->load_addr;
	bss_end = h->bss_end_addr > load_end ? h->bss_end_addr : load_end;
	if (pc_memory_put(ram, h->load_addr, image + off, len) ||
	    pc_memory_put(ram, load_end, NULL, bss_end - load_end)) {
		*why = "the kernel does not fit in guest RAM (try a larger --mem)";
		return -1;
	}
	*entry = h->entry_addr;
	*end = bss_end;
	return 0;
}

/**
 * mb_load() - load a multiboot v1 kernel into guest RAM
 * @image: the file
 * @size: its size
 * @ram: guest RAM
 * @cmdline: what the kernel finds as its command line
 * @mod: a module to pass (page-aligned, after the information), or NULL
 * @boot: out: the entry state
 * @why: out: on failure, one sentence naming the problem
 *
 * Return: 0, or -1 with @why set.
 */
int mb_load(const uint8_t *image, size_t size, const struct pc_memory *ram, const char *cmdline, const struct mb_module *mod, struct mb_boot *boot,
	    const char **why)
{
	/* Flat 32-bit code at 0x10 and data at 0x18, as QEMU's option ROM has. */
	static const uint64_t gdt[] = {
		0, 0, 0x00cf9b000000ffffULL, 0x00cf93000000ffffULL,
	};
	static const char loader[] = "minivm";
	const struct mb_header *h = NULL;
	struct e820_entry map[PC_E820_MAX];
	struct mb_mmap mmap;
	struct mb_info mbi;
	uint64_t end, base, p;
	size_t off, len;
	unsigned int i, n;
	int bad = 0;

	for (off = 0; off + sizeof(*h) <= size && off < 8192; off += 4) {
		const struct mb_header *c = (const struct mb_header *)(image + off);

		if (c->magic == MB_MAGIC && c->magic + c->flags + c->checksum == 0) {
			h = c;
			break;
		}
	}
	if (!h) {
		*why = "no multiboot header in the first 8 KiB: not a multiboot v1 kernel";
		return -1;
	}
	if (h->flags & MB_FLAG_VIDEO) {
		*why = "the kernel asks for a video mode, which minivm has no display for";
		return -1;
	}
	if (h->flags & MB_FLAG_AOUT ?
	    load_aout(h, off, image, size, ram, &boot->entry, &end, why) :
	    load_elf(image, size, ram, &boot->entry, &end, why))
		return -1;

	/*
	 * The information goes on the page after the kernel, as QEMU puts it,
	 * below the firmware's reserved top of RAM.
	 */
	base = (end + 4095) & ~4095ULL;
	len = strlen(cmdline) + 1;
	n = pc_e820(ram, map);
	memset(&mbi, 0, sizeof(mbi));
	mbi.flags = MBI_MEMORY | MBI_CMDLINE | MBI_MMAP | MBI_LOADER_NAME;
	mbi.mem_lower = 639;
	mbi.mem_upper = (uint32_t)((ram->firmware - PC_HIGH_RAM) / 1024);
	p = base + sizeof(mbi);
	mbi.mmap_addr = p;
	mbi.mmap_length = n * sizeof(mmap);
	for (i = 0; i < n; i++, p += sizeof(mmap)) {
		mmap = (struct mb_mmap){ sizeof(mmap.e), map[i] };
		bad |= pc_memory_put(ram, p, &mmap, sizeof(mmap));
	}
	boot->gdt = (p + 7) & ~7ULL;
	bad |= pc_memory_put(ram, boot->gdt, gdt, sizeof(gdt));
	p = boot->gdt + sizeof(gdt);
	mbi.boot_loader_name = p;
	bad |= pc_memory_put(ram, p, loader, sizeof(loader));
	p += sizeof(loader);
	mbi.cmdline = p;
	bad |= pc_memory_put(ram, p, cmdline, len);
	p += len;
	/* QEMU announces modules even when it has none: count 0. */
	mbi.flags |= MBI_MODS;
	mbi.mods_addr = p;
	if (mod) {
		struct mb_mod m;
		size_t slen = strlen(mod->string) + 1;
		uint64_t at = (p + sizeof(m) + slen + 4095) & ~4095ULL;

		if (at + mod->size > ram->firmware) {
			*why = "the module does not fit in guest RAM after the kernel (try a larger --mem)";
			return -1;
		}
		m = (struct mb_mod){ (uint32_t)at, (uint32_t)(at + mod->size), p + sizeof(m), 0 };
		bad |= pc_memory_put(ram, p, &m, sizeof(m));
		bad |= pc_memory_put(ram, p + sizeof(m), mod->string, slen);
		bad |= pc_memory_put(ram, at, mod->data, mod->size);
		mbi.mods_count = 1;
	}
	bad |= pc_memory_put(ram, base, &mbi, sizeof(mbi));
	if (bad || p > ram->firmware) {
		*why = "no room for the multiboot information after the kernel (try a larger --mem)";
		return -1;
	}
	boot->mbi = base;
	return 0;
}
