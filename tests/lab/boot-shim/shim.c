// SPDX-License-Identifier: GPL-2.0
/*
 * The lab's boot shim: multiboot in, Linux's 64-bit boot protocol out.
 *
 * Bochs has no direct kernel boot and spends minutes in a bzImage's
 * self-decompression, so the Intel lab boots the uncompressed vmlinux:
 * SYSLINUX's mboot.c32 loads this shim with two modules (vmlinux, initrd);
 * the shim copies vmlinux's PT_LOAD segments to their physical addresses,
 * fills a boot_params page (memory map, command line, initrd) and enters
 * startup_64 in long mode -- what the kernel's own decompressor does after
 * unpacking a bzImage.
 */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;
typedef unsigned long long u64;

#define MB_BOOT_MAGIC	0x2BADB002
#define MB_INFO_CMDLINE	(1u << 2)
#define MB_INFO_MODS	(1u << 3)
#define MB_INFO_MMAP	(1u << 6)

struct mb_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline;
	u32 mods_count, mods_addr, syms[4], mmap_length, mmap_addr;
};

struct mb_mod {
	u32 start, end, string, reserved;
};

struct mb_mmap {
	u32 size;
	u64 addr, len;
	u32 type;
} __attribute__((packed));

/* struct boot_params offsets (Documentation/x86/zero-page.rst, boot.rst). */
#define BP_E820_ENTRIES		0x1e8
#define BP_HDR_BOOT_FLAG	0x1fe
#define BP_HDR_HEADER		0x202
#define BP_HDR_VERSION		0x206
#define BP_HDR_LOADER		0x210
#define BP_HDR_LOADFLAGS	0x211
#define BP_HDR_RAMDISK_IMAGE	0x218
#define BP_HDR_RAMDISK_SIZE	0x21c
#define BP_HDR_CMD_LINE_PTR	0x228
#define BP_HDR_CMDLINE_SIZE	0x238
#define BP_E820_TABLE		0x2d0
#define BP_E820_MAX		128

struct e820_entry {
	u64 addr, size;
	u32 type;
} __attribute__((packed));

struct elf64_ehdr {
	u8 ident[16];
	u16 type, machine;
	u32 version;
	u64 entry, phoff, shoff;
	u32 flags;
	u16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct elf64_phdr {
	u32 type, flags;
	u64 offset, vaddr, paddr, filesz, memsz, align;
};

#define PT_LOAD			1

void enter_linux64(u32 entry, u32 boot_params, u32 pml4) __attribute__((noreturn));

static u8 boot_params[4096] __attribute__((aligned(4096)));
static char cmdline[4096];
/* Identity map of the low 4 GiB with 2 MiB pages: PML4, PDPT, 4 PDs. */
static u64 pml4[512] __attribute__((aligned(4096)));
static u64 pdpt[512] __attribute__((aligned(4096)));
static u64 pd[4][512] __attribute__((aligned(4096)));

static void outb(u16 port, u8 v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static void puts_serial(const char *s)
{
	for (; *s; s++)
		outb(0x3f8, *s);
}

static void die(const char *why)
{
	puts_serial("boot-shim: ");
	puts_serial(why);
	puts_serial("\n");
	for (;;)
		asm volatile("cli; hlt");
}

static void copy(void *dst, const void *src, u32 n)
{
	asm volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

static void zero(void *dst, u32 n)
{
	asm volatile("rep stosb" : "+D"(dst), "+c"(n) : "a"(0) : "memory");
}

static u32 align_up(u64 v)
{
	return (u32)((v + 0xfff) & ~0xfffull);
}

static void put16(u32 off, u16 v)
{
	*(u16 *)(boot_params + off) = v;
}

static void put32(u32 off, u32 v)
{
	*(u32 *)(boot_params + off) = v;
}

static void map_low_4g(void)
{
	for (u32 i = 0; i < 4; i++) {
		for (u32 j = 0; j < 512; j++)
			pd[i][j] = ((u64)i << 30) + ((u64)j << 21) + 0x83; /* P RW PS */
		pdpt[i] = (u32)pd[i] + 0x3;
	}
	pml4[0] = (u32)pdpt + 0x3;
}

void shim_main(u32 magic, struct mb_info *mbi)
{
	struct mb_mod mods[2];
	u32 nmods, nmap = 0, top, ram_top = 0, kern_lo = ~0u;
	struct e820_entry *e820 = (void *)(boot_params + BP_E820_TABLE);
	u64 kern_hi = 0;
	const char *arg;
	extern char _end[];

	if (magic != MB_BOOT_MAGIC)
		die("not started by a multiboot loader");
	if (!(mbi->flags & MB_INFO_MODS) || mbi->mods_count < 1)
		die("no vmlinux module (APPEND shim --- vmlinux ARGS --- initrd)");
	if (!(mbi->flags & MB_INFO_MMAP))
		die("no memory map from the loader");

	/* Save everything the loader left in memory the kernel may overwrite. */
	nmods = mbi->mods_count > 2 ? 2 : mbi->mods_count;
	copy(mods, (void *)mbi->mods_addr, nmods * sizeof(mods[0]));
	arg = (const char *)mods[0].string;
	while (*arg && *arg != ' ')	/* the module's own file name */
		arg++;
	while (*arg == ' ')
		arg++;
	for (u32 i = 0; arg[i] && i < sizeof(cmdline) - 1; i++)
		cmdline[i] = arg[i];
	for (u32 off = 0; off < mbi->mmap_length && nmap < BP_E820_MAX; nmap++) {
		const struct mb_mmap *m = (const void *)(mbi->mmap_addr + off);

		e820[nmap].addr = m->addr;
		e820[nmap].size = m->len;
		e820[nmap].type = m->type;
		if (m->type == 1 && m->addr + m->len > ram_top && m->addr + m->len <= 0xffffffffull)
			ram_top = (u32)(m->addr + m->len);
		off += m->size + 4;
	}

	const struct elf64_ehdr *eh = (const void *)mods[0].start;
	if (eh->ident[0] != 0x7f || eh->ident[1] != 'E' || eh->ident[4] != 2 || eh->machine != 62)
		die("module 0 is not an x86-64 ELF vmlinux");
	const struct elf64_phdr *ph = (const void *)(mods[0].start + (u32)eh->phoff);

	for (int i = 0; i < eh->phnum; i++) {
		if (ph[i].type != PT_LOAD)
			continue;
		if (ph[i].paddr < kern_lo)
			kern_lo = (u32)ph[i].paddr;
		if (ph[i].paddr + ph[i].memsz > kern_hi)
			kern_hi = ph[i].paddr + ph[i].memsz;
	}
	if (eh->entry >= 0x100000000ull)
		die("vmlinux entry is not a physical address");
	if (kern_lo < (u32)_end)
		die("vmlinux would overwrite the shim");

	/*
	 * Move the modules above everything (kernel image and the modules
	 * themselves), so loading the segments cannot clobber them.
	 */
	top = align_up(kern_hi);
	for (u32 i = 0; i < nmods; i++)
		if (mods[i].end > top)
			top = align_up(mods[i].end);
	for (u32 i = 0; i < nmods; i++) {
		u32 size = mods[i].end - mods[i].start;

		if ((u64)top + size > ram_top)
			die("not enough memory to stage vmlinux and initrd");
		copy((void *)top, (void *)mods[i].start, size);
		mods[i].start = top;
		mods[i].end = top + size;
		top = align_up((u64)top + size);
	}

	eh = (const void *)mods[0].start;
	ph = (const void *)(mods[0].start + (u32)eh->phoff);
	for (int i = 0; i < eh->phnum; i++) {
		if (ph[i].type != PT_LOAD)
			continue;
		copy((void *)(u32)ph[i].paddr, (const u8 *)mods[0].start + (u32)ph[i].offset,
		     (u32)ph[i].filesz);
		zero((u8 *)(u32)ph[i].paddr + (u32)ph[i].filesz, (u32)(ph[i].memsz - ph[i].filesz));
	}

	boot_params[BP_E820_ENTRIES] = (u8)nmap;
	put16(BP_HDR_BOOT_FLAG, 0xaa55);
	put32(BP_HDR_HEADER, 0x53726448);	/* "HdrS" */
	put16(BP_HDR_VERSION, 0x020f);
	boot_params[BP_HDR_LOADER] = 0xff;	/* no registered loader id */
	boot_params[BP_HDR_LOADFLAGS] = 0x01;	/* LOADED_HIGH */
	put32(BP_HDR_CMD_LINE_PTR, (u32)cmdline);
	put32(BP_HDR_CMDLINE_SIZE, sizeof(cmdline) - 1);
	if (nmods > 1) {
		put32(BP_HDR_RAMDISK_IMAGE, mods[1].start);
		put32(BP_HDR_RAMDISK_SIZE, mods[1].end - mods[1].start);
	}
	map_low_4g();
	enter_linux64((u32)eh->entry, (u32)boot_params, (u32)pml4);
}
