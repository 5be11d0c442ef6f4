// SPDX-License-Identifier: GPL-2.0
/*
 * minivm launcher: a Linux loader (x86 boot protocol 2.06 and later,
 * Documentation/x86/boot.rst), entering the kernel through its 64-bit entry
 * point as a 64-bit boot loader does, with no real-mode setup code run and
 * no BIOS: the zero page carries everything the setup code would have
 * gathered, the e820 map first. It takes a bzImage, which decompresses
 * itself, or the uncompressed vmlinux (ELF), whose segments it places.
 *
 * Guest memory the loader fills, below the EBDA as Linux expects it free:
 *   0x500    the GDT           0x7000   the zero page (struct boot_params)
 *   0x9000   the page tables   0x20000  the command line
 *   1 MiB    the protected-mode kernel, which decompresses itself to
 *            pref_address (a vmlinux: its segments at their physical
 *            addresses)
 *   below initrd_addr_max: the initrd, as high as it fits under the
 *            firmware's reserved top
 */
#include <asm/bootparam.h>
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "bzimage.h"
#include "pc_memory.h"

#define HDR_OFFSET	0x1f1	/* the setup header, in the image and the zero page */
#define HDR_MAGIC	0x53726448	/* "HdrS" */
#define BOOT_FLAG	0xaa55
#define MIN_VERSION	0x0206
#define XLF_VERSION	0x020c	/* xloadflags, and so the 64-bit entry, from 2.12 */
#define SETUP_SECTS_OLD	4	/* setup_sects 0 means 4 */
#define SECTOR		512
#define KERNEL_ADDR	0x100000ULL	/* code32_start, where QEMU loads it too */
#define ENTRY_64	0x200	/* the 64-bit entry, from the kernel's start */
#define GDT_ADDR	0x500
#define ZERO_PAGE	0x7000
#define PML4_ADDR	0x9000	/* then the PDPT, then four page directories */
#define CMDLINE_ADDR	0x20000
#define CMDLINE_ROOM	0x10000
#define LOADER_UNDEFINED 0xff	/* boot.rst's type_of_loader with no ID assigned */
#define PTE_P		0x1ULL
#define PTE_RW		0x2ULL
#define PTE_PS		0x80ULL	/* a 2 MiB page */
#define MAPPED_GIB	4

_Static_assert(sizeof(struct boot_e820_entry) == sizeof(struct e820_entry),
	       "the zero page's e820 entries are pc_memory's");
_Static_assert(sizeof(struct boot_params) == 4096, "the zero page is one page");

/**
 * bz_is_linux() - whether @image carries the x86 boot protocol's header
 * @image: the file
 * @size: its size
 *
 * Return: 1 for a Linux kernel image (of any protocol version), else 0.
 */
int bz_is_linux(const uint8_t *image, size_t size)
{
	uint32_t magic;
	uint16_t flag;

	if (size < HDR_OFFSET + offsetof(struct setup_header, version))
		return 0;
	memcpy(&flag, image + HDR_OFFSET + offsetof(struct setup_header, boot_flag), 2);
	memcpy(&magic, image + HDR_OFFSET + offsetof(struct setup_header, header), 4);
	return flag == BOOT_FLAG && magic == HDR_MAGIC;
}

/* The first 4 GiB, identity-mapped in 2 MiB pages: 6 pages at PML4_ADDR. */
static int identity_map(const struct pc_memory *ram)
{
	uint64_t pml4[512] = { 0 }, pdpt[512] = { 0 }, pd[512];
	uint64_t pdpt_addr = PML4_ADDR + 4096, pd_addr = pdpt_addr + 4096;
	int i, j, bad = 0;

	pml4[0] = pdpt_addr | PTE_P | PTE_RW;
	for (i = 0; i < MAPPED_GIB; i++) {
		pdpt[i] = (pd_addr + 4096ULL * i) | PTE_P | PTE_RW;
		for (j = 0; j < 512; j++)
			pd[j] = ((uint64_t)i << 30 | (uint64_t)j << 21) | PTE_P | PTE_RW | PTE_PS;
		bad |= pc_memory_put(ram, pd_addr + 4096ULL * i, pd, sizeof(pd));
	}
	bad |= pc_memory_put(ram, PML4_ADDR, pml4, sizeof(pml4));
	bad |= pc_memory_put(ram, pdpt_addr, pdpt, sizeof(pdpt));
	return bad;
}

static char message[160];

static enum bz_error refuse(enum bz_error e, const char **why, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static enum bz_error refuse(enum bz_error e, const char **why, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	*why = message;
	return e;
}

/*
 * boot_linux() - the part of loading Linux that bzImage and vmlinux share
 * @bp: the zero page, its setup header filled from the image (or made up
 *	for a vmlinux); this fills in the rest
 * @ram: guest RAM
 * @end: the end of the guest-physical memory the kernel will use, which the
 *	initrd must stay above
 * @entry: the 64-bit entry point
 * @cmdline: the command line, already checked against cmdline_size
 * @initrd: the initrd, or NULL
 * @initrd_size: its size
 * @boot: out: the entry state
 * @why: out: on failure, one sentence naming the problem
 *
 * Places the initrd as high below initrd_addr_max as it fits, writes the
 * e820 map, the command line, the zero page, the GDT and the identity map.
 *
 * Return: %BZ_OK, or %BZ_TOO_BIG with @why set.
 */
static enum bz_error boot_linux(struct boot_params *bp, const struct pc_memory *ram,
				uint64_t end, uint64_t entry, const char *cmdline,
				const uint8_t *initrd, size_t initrd_size, struct bz_boot *boot,
				const char **why)
{
	static const uint64_t gdt[] = {
		0, 0, 0x00af9b000000ffffULL, 0x00cf93000000ffffULL,	/* __BOOT_CS, __BOOT_DS */
	};
	struct e820_entry map[PC_E820_MAX];
	struct setup_header *h = &bp->hdr;
	uint64_t top, initrd_addr = 0;
	size_t len = strlen(cmdline);
	unsigned int n;

	if (initrd) {
		top = (uint64_t)h->initrd_addr_max + 1;
		if (top > ram->firmware)
			top = ram->firmware;
		initrd_addr = top > initrd_size ? (top - initrd_size) & ~0xfffULL : 0;
		if (initrd_addr < end)
			return refuse(BZ_TOO_BIG, why,
				      "the initrd (%zu KiB) does not fit between the kernel and %#llx (try a larger --mem)",
				      initrd_size >> 10, (unsigned long long)top);
	}

	/* What the setup code would have filled in; the rest of the page is zero. */
	n = pc_e820(ram, map);
	memcpy(bp->e820_table, map, n * sizeof(map[0]));
	bp->e820_entries = (uint8_t)n;
	h->type_of_loader = LOADER_UNDEFINED;
	h->vid_mode = 0xffff;		/* NORMAL_VGA */
	h->cmd_line_ptr = CMDLINE_ADDR;
	h->ramdisk_image = (uint32_t)initrd_addr;
	h->ramdisk_size = initrd ? (uint32_t)initrd_size : 0;
	if (pc_memory_put(ram, CMDLINE_ADDR, cmdline, len + 1) ||
	    (initrd && pc_memory_put(ram, initrd_addr, initrd, initrd_size)) ||
	    pc_memory_put(ram, ZERO_PAGE, bp, sizeof(*bp)) ||
	    pc_memory_put(ram, GDT_ADDR, gdt, sizeof(gdt)) || identity_map(ram))
		return refuse(BZ_TOO_BIG, why, "guest RAM is too small for the kernel (try a larger --mem)");
	*boot = (struct bz_boot){
		.entry = entry, .zero_page = ZERO_PAGE, .gdt = GDT_ADDR,
		.gdt_limit = sizeof(gdt) - 1, .cr3 = PML4_ADDR,
	};
	return BZ_OK;
}

/**
 * bz_load() - load a bzImage, its command line and initrd into guest RAM
 * @image: the file
 * @size: its size
 * @ram: guest RAM, at least 2 MiB
 * @cmdline: the kernel's command line
 * @initrd: the initrd's contents, or NULL
 * @initrd_size: their size
 * @boot: out: the entry state
 * @why: out: on failure, one sentence naming the problem
 *
 * Return: %BZ_OK, or the kind of failure with @why set.
 */
enum bz_error bz_load(const uint8_t *image, size_t size, const struct pc_memory *ram,
		      const char *cmdline, const uint8_t *initrd, size_t initrd_size,
		      struct bz_boot *boot, const char **why)
{
	struct boot_params bp = { 0 };
	struct setup_header *h = &bp.hdr;
	size_t hdr_end, setup_size, kernel_size, len = strlen(cmdline);
	uint64_t start, end;

	if (!bz_is_linux(image, size))
		return refuse(BZ_BAD_IMAGE, why, "not a Linux kernel: no boot protocol header");
	/* The header ends at 0x202 plus the offset of its leading short jump. */
	hdr_end = 0x202 + image[0x201];
	if (hdr_end > size)
		return refuse(BZ_BAD_IMAGE, why, "truncated inside its boot protocol header");
	if (hdr_end > HDR_OFFSET + sizeof(*h))
		hdr_end = HDR_OFFSET + sizeof(*h);
	memcpy(h, image + HDR_OFFSET, hdr_end - HDR_OFFSET);
	if (h->version < MIN_VERSION)
		return refuse(BZ_BAD_IMAGE, why, "boot protocol %u.%02u; minivm needs 2.06 or later",
			      h->version >> 8, h->version & 0xff);
	if (!(h->loadflags & LOADED_HIGH))
		return refuse(BZ_BAD_IMAGE, why, "a zImage (loaded low); minivm loads bzImages");
	if (h->version < XLF_VERSION || !(h->xloadflags & XLF_KERNEL_64))
		return refuse(BZ_BAD_IMAGE, why, "the kernel has no 64-bit entry point");
	setup_size = ((size_t)(h->setup_sects ? h->setup_sects : SETUP_SECTS_OLD) + 1) * SECTOR;
	kernel_size = size > setup_size ? size - setup_size : 0;
	if (!kernel_size || (uint64_t)h->syssize * 16 > kernel_size)
		return refuse(BZ_BAD_IMAGE, why,
			      "truncated: the header promises %llu bytes of kernel, the file has %zu",
			      (unsigned long long)h->syssize * 16, kernel_size);
	if (len > h->cmdline_size)
		return refuse(BZ_CMDLINE_TOO_LONG, why,
			      "the command line is %zu bytes; this kernel takes at most %u",
			      len, h->cmdline_size);
	if (len >= CMDLINE_ROOM)
		return refuse(BZ_CMDLINE_TOO_LONG, why,
			      "the command line is %zu bytes; minivm passes at most %u",
			      len, CMDLINE_ROOM - 1);

	/*
	 * The kernel decompresses itself at its load address rounded up to
	 * kernel_alignment, or at pref_address if that is higher, and needs
	 * init_size bytes from there (head_64.S).
	 */
	if (h->relocatable_kernel && (h->kernel_alignment & (h->kernel_alignment - 1)))
		return refuse(BZ_BAD_IMAGE, why, "kernel_alignment %#x is not a power of two",
			      h->kernel_alignment);
	start = KERNEL_ADDR;
	if (h->relocatable_kernel && h->kernel_alignment)
		start = (start + h->kernel_alignment - 1) & ~((uint64_t)h->kernel_alignment - 1);
	if (h->pref_address > start)
		start = h->pref_address;
	/* Checked first so that adding the 32-bit init_size cannot wrap. */
	if (start > ram->firmware)
		return refuse(BZ_TOO_BIG, why,
			      "the kernel asks to run at %#llx, beyond the guest's RAM below 4 GiB",
			      (unsigned long long)start);
	end = start + h->init_size;
	if (end < KERNEL_ADDR + kernel_size)
		end = KERNEL_ADDR + kernel_size;
	if (end > ram->firmware)
		return refuse(BZ_TOO_BIG, why, "the kernel needs %llu MiB of RAM (try a larger --mem)",
			      (unsigned long long)((end + PC_FIRMWARE_SIZE + (1 << 20) - 1) >> 20));
	if (pc_memory_put(ram, KERNEL_ADDR, image + setup_size, kernel_size))
		return refuse(BZ_TOO_BIG, why, "guest RAM is too small for the kernel (try a larger --mem)");
	h->code32_start = KERNEL_ADDR;
	return boot_linux(&bp, ram, end, KERNEL_ADDR + ENTRY_64, cmdline, initrd, initrd_size,
			  boot, why);
}


/*
 * A vmlinux has no setup header to say what it accepts: these are what the
 * kernel's own header would say (arch/x86/boot/header.S and Linux's x86
 * COMMAND_LINE_SIZE of 2048).
 */
#define VMLINUX_CMDLINE_SIZE	2047
#define VMLINUX_INITRD_MAX	0x7fffffff
#define VMLINUX_ALIGN		0x200000

static const Elf64_Phdr *elf64_phdrs(const uint8_t *image, size_t size, unsigned int *n)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)image;

	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64 || eh->e_type != ET_EXEC ||
	    eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phoff > size ||
	    (size - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
		return NULL;
	*n = eh->e_phnum;
	return (const Elf64_Phdr *)(image + eh->e_phoff);
}

/* Whether one of the notes in [p, p + len) is owned by "Linux". */
static int has_linux_note(const uint8_t *p, uint64_t len)
{
	Elf64_Nhdr nh;
	uint64_t name, desc;

	while (len >= sizeof(nh)) {
		memcpy(&nh, p, sizeof(nh));
		name = ((uint64_t)nh.n_namesz + 3) & ~3ULL;
		desc = ((uint64_t)nh.n_descsz + 3) & ~3ULL;
		if (name + desc > len - sizeof(nh))
			return 0;
		if (nh.n_namesz == sizeof("Linux") && !memcmp(p + sizeof(nh), "Linux", sizeof("Linux")))
			return 1;
		p += sizeof(nh) + name + desc;
		len -= sizeof(nh) + name + desc;
	}
	return 0;
}

/**
 * bz_is_vmlinux() - whether @image is an uncompressed Linux kernel
 * @image: the file
 * @size: its size
 *
 * A vmlinux is an x86-64 ELF executable with notes owned by "Linux" (every
 * build has them: init/version.c's build salt).
 *
 * Return: 1 for a vmlinux, else 0.
 */
int bz_is_vmlinux(const uint8_t *image, size_t size)
{
	const Elf64_Phdr *ph;
	unsigned int i, n;

	ph = elf64_phdrs(image, size, &n);
	for (i = 0; ph && i < n; i++)
		if (ph[i].p_type == PT_NOTE && ph[i].p_offset <= size &&
		    ph[i].p_filesz <= size - ph[i].p_offset &&
		    has_linux_note(image + ph[i].p_offset, ph[i].p_filesz))
			return 1;
	return 0;
}

/* A range of a segment, as offsets from its start. */
struct seg_span {
	uint64_t start, end;
};

#define MAX_NOBITS	8

/*
 * The parts of segment @ph's file image that SHT_NOBITS sections (.bss,
 * .brk) cover, sorted: zeros by the ELF's own definition, which the linker
 * wrote into the file because an initialized section follows them in the
 * same segment (Debian's kernel has 17 MiB of them). Returns how many; 0
 * when the section headers are missing or not understood.
 */
static unsigned int segment_nobits(const uint8_t *image, size_t size, const Elf64_Phdr *ph,
				   struct seg_span *span)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)image;
	unsigned int i, j, n = 0;
	Elf64_Shdr sh;
	uint64_t start;

	if (eh->e_shentsize != sizeof(sh) || eh->e_shoff > size ||
	    (size - eh->e_shoff) / sizeof(sh) < eh->e_shnum)
		return 0;
	for (i = 0; i < eh->e_shnum && n < MAX_NOBITS; i++) {
		memcpy(&sh, image + eh->e_shoff + (size_t)i * sizeof(sh), sizeof(sh));
		if (sh.sh_type != SHT_NOBITS || !(sh.sh_flags & SHF_ALLOC) || !sh.sh_size ||
		    sh.sh_addr < ph->p_vaddr || sh.sh_addr - ph->p_vaddr >= ph->p_filesz)
			continue;
		start = sh.sh_addr - ph->p_vaddr;
		span[n] = (struct seg_span){ start, start + (sh.sh_size < ph->p_filesz - start ?
							     sh.sh_size : ph->p_filesz - start) };
		for (j = n++; j > 0 && span[j - 1].start > span[j].start; j--) {
			struct seg_span t = span[j];

			span[j] = span[j - 1];
			span[j - 1] = t;
		}
	}
	return n;
}

/*
 * Segment @ph into guest RAM: its file image, then zeros to its memory
 * size. On RAM known to be zero (@ram->zeroed) the zeros need no writing:
 * neither the tail nor the NOBITS sections inside the file image, which
 * spares copying Debian's kernel's 17 MiB of .bss.
 */
static int load_segment(const struct pc_memory *ram, const uint8_t *image, size_t size,
			const Elf64_Phdr *ph)
{
	struct seg_span span[MAX_NOBITS];
	unsigned int n = ram->zeroed ? segment_nobits(image, size, ph, span) : 0, i;
	uint64_t at = 0, stop;

	for (i = 0; i <= n; i++) {
		stop = i < n ? span[i].start : ph->p_filesz;
		if (stop > at &&
		    pc_memory_put(ram, ph->p_paddr + at, image + ph->p_offset + at, stop - at))
			return -1;
		if (i < n && span[i].end > at)
			at = span[i].end;
	}
	if (ram->zeroed)
		return pc_memory_hva(ram, ph->p_paddr, ph->p_memsz) ? 0 : -1;
	return pc_memory_put(ram, ph->p_paddr + ph->p_filesz, NULL, ph->p_memsz - ph->p_filesz);
}

/**
 * bz_load_vmlinux() - load an uncompressed Linux kernel (vmlinux, ELF)
 * @image: the file
 * @size: its size
 * @ram: guest RAM
 * @cmdline: the kernel's command line
 * @initrd: the initrd's contents, or NULL
 * @initrd_size: their size
 * @boot: out: the entry state
 * @why: out: on failure, one sentence naming the problem
 *
 * Each loadable segment goes to its physical address, and the kernel is
 * entered at the ELF entry point (startup_64) in the same state as a
 * bzImage's 64-bit entry, with a zero page whose setup header this makes up:
 * what Firecracker does. Nothing decompresses, which is most of a bzImage's
 * boot when the kernel is XZ-compressed (Documentation/launcher.rst).
 *
 * Return: %BZ_OK, or the kind of failure with @why set.
 */
enum bz_error bz_load_vmlinux(const uint8_t *image, size_t size, const struct pc_memory *ram,
			      const char *cmdline, const uint8_t *initrd, size_t initrd_size,
			      struct bz_boot *boot, const char **why)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)image;
	struct boot_params bp = { 0 };
	struct setup_header *h = &bp.hdr;
	const Elf64_Phdr *ph;
	size_t len = strlen(cmdline);
	uint64_t end = 0;
	unsigned int i, j, n;
	int entry_ok = 0;

	if (!bz_is_vmlinux(image, size))
		return refuse(BZ_BAD_IMAGE, why, "not a Linux vmlinux (an x86-64 ELF with Linux's notes)");
	ph = elf64_phdrs(image, size, &n);
	if (len > VMLINUX_CMDLINE_SIZE)
		return refuse(BZ_CMDLINE_TOO_LONG, why,
			      "the command line is %zu bytes; a vmlinux takes at most %u",
			      len, VMLINUX_CMDLINE_SIZE);
	for (i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD || !ph[i].p_memsz)
			continue;
		if (ph[i].p_filesz > ph[i].p_memsz || ph[i].p_offset > size ||
		    ph[i].p_filesz > size - ph[i].p_offset)
			return refuse(BZ_BAD_IMAGE, why, "truncated: segment %u lies outside the file", i);
		/* Below 1 MiB are the loader's own tables and the BIOS areas. */
		if (ph[i].p_paddr < KERNEL_ADDR)
			return refuse(BZ_BAD_IMAGE, why,
				      "segment %u is at %#llx, below 1 MiB where the loader's tables are",
				      i, (unsigned long long)ph[i].p_paddr);
		if (ph[i].p_paddr > ram->firmware ||
		    ph[i].p_memsz > ram->firmware - ph[i].p_paddr)
			return refuse(BZ_TOO_BIG, why,
				      "segment %u (%#llx, %llu KiB) does not fit in the guest's RAM below 4 GiB (try a larger --mem)",
				      i, (unsigned long long)ph[i].p_paddr,
				      (unsigned long long)ph[i].p_memsz >> 10);
		/* One segment's zeros left unwritten must not be another's bytes. */
		for (j = 0; j < i; j++)
			if (ph[j].p_type == PT_LOAD && ph[j].p_memsz &&
			    ph[i].p_paddr < ph[j].p_paddr + ph[j].p_memsz &&
			    ph[j].p_paddr < ph[i].p_paddr + ph[i].p_memsz)
				return refuse(BZ_BAD_IMAGE, why, "segments %u and %u overlap", j, i);
		if (load_segment(ram, image, size, &ph[i]))
			return refuse(BZ_TOO_BIG, why, "guest RAM is too small for the kernel (try a larger --mem)");
		if (ph[i].p_paddr + ph[i].p_memsz > end)
			end = ph[i].p_paddr + ph[i].p_memsz;
		if ((ph[i].p_flags & PF_X) && eh->e_entry >= ph[i].p_paddr &&
		    eh->e_entry - ph[i].p_paddr < ph[i].p_filesz)
			entry_ok = 1;
	}
	if (!entry_ok)
		return refuse(BZ_BAD_IMAGE, why,
			      "the entry point %#llx is not in a loaded code segment",
			      (unsigned long long)eh->e_entry);

	h->boot_flag = BOOT_FLAG;
	h->header = HDR_MAGIC;
	h->version = XLF_VERSION;
	h->loadflags = LOADED_HIGH;
	h->xloadflags = XLF_KERNEL_64;
	h->initrd_addr_max = VMLINUX_INITRD_MAX;
	h->kernel_alignment = VMLINUX_ALIGN;
	h->cmdline_size = VMLINUX_CMDLINE_SIZE;
	return boot_linux(&bp, ram, end, eh->e_entry, cmdline, initrd, initrd_size, boot, why);
}
