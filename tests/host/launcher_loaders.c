// SPDX-License-Identifier: GPL-2.0
/*
 * The launcher's loaders and memory layout, without a guest: where RAM
 * lies for small and large guests, the e820 map, and a bzImage made here
 * (a setup sector, the boot protocol header, a kernel of known bytes)
 * loaded as the boot protocol says, or refused for each reason with its
 * own error; a vmlinux (ELF) made here, the same; the MP tables (checksums,
 * CPUs, the I/O APIC and the ISA interrupts' routing) and the ACPI tables
 * (the same, and the FADT's power registers and \_S5). With a directory
 * argument, also writes good.bzImage, truncated.bzImage, old.bzImage,
 * good.vmlinux and low.vmlinux there, for the launcher's own test, and
 * the ACPI tables as xsdt.dat, facp.dat, dsdt.dat and apic.dat, for iasl.
 * Prints one line per failed check; exits 1 if any failed.
 */
#define _GNU_SOURCE	/* memmem */
#include <asm/bootparam.h>
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "bzimage.h"
#include "acpi.h"
#include "mptable.h"
#include "pc_memory.h"


#define SETUP_SECTS	1
#define KERNEL_BYTES	8192
#define IMAGE_BYTES	((SETUP_SECTS + 1) * 512 + KERNEL_BYTES)

/* A 64-bit bzImage of protocol 2.15 whose kernel is KERNEL_BYTES of a pattern. */
static void make_image(uint8_t *img)
{
	struct setup_header h = {
		.setup_sects = SETUP_SECTS, .syssize = KERNEL_BYTES / 16, .boot_flag = 0xaa55,
		.jump = 0xeb | (uint16_t)(sizeof(h) + 0x1f1 - 0x202) << 8,
		.header = 0x53726448, .version = 0x020f, .loadflags = LOADED_HIGH,
		.initrd_addr_max = 0x7fffffff, .kernel_alignment = 0x200000,
		.relocatable_kernel = 1, .xloadflags = XLF_KERNEL_64, .cmdline_size = 2047,
		.pref_address = 0x1000000, .init_size = 0x800000,
	};
	int i;

	memset(img, 0, IMAGE_BYTES);
	memcpy(img + 0x1f1, &h, sizeof(h));
	for (i = 0; i < KERNEL_BYTES; i++)
		img[(SETUP_SECTS + 1) * 512 + i] = (uint8_t)(i * 7 + 1);
}

static struct setup_header *hdr(uint8_t *img)
{
	return (struct setup_header *)(img + 0x1f1);
}

static void memory_checks(void)
{
	struct pc_memory m;
	struct e820_entry map[PC_E820_MAX];
	static uint8_t byte;

	CHECK(pc_memory_init(&m, 1 << 20) == -1);
	CHECK(pc_memory_init(&m, (128 << 20) + 512) == -1);
	CHECK(pc_memory_init(&m, 2ULL << 40) == -1);
	/* Up to 3.5 GiB, all of it below 4 GiB. */
	CHECK(pc_memory_init(&m, 0xdffff000ULL) == 0 && m.below_4g == 0xdffff000ULL &&
	      m.above_4g == 0);
	/* 3.5 GiB and more: 3 GiB below, the rest from 4 GiB. */
	CHECK(pc_memory_init(&m, 5ULL << 30) == 0 && m.below_4g == 3ULL << 30 &&
	      m.above_4g == 2ULL << 30 && m.firmware == (3ULL << 30) - 0x20000);
	m.host = &byte;		/* only addresses are compared */
	CHECK(pc_memory_hva(&m, 0, 0xa0000) == &byte);
	CHECK(!pc_memory_hva(&m, 0x9f000, 0x2000) && !pc_memory_hva(&m, 0xc0000, 1));
	CHECK(pc_memory_hva(&m, 0x100000, 1) == &byte + 0x100000);
	CHECK(!pc_memory_hva(&m, (3ULL << 30) - 0x1000, 0x2000));	/* into the hole */
	CHECK(pc_memory_hva(&m, PC_4G, 1) == &byte + (3ULL << 30));
	CHECK(pc_memory_hva(&m, (6ULL << 30) - 1, 1) == &byte + (5ULL << 30) - 1);
	CHECK(!pc_memory_hva(&m, 6ULL << 30, 1) && !pc_memory_hva(&m, ~0ULL, 2));
	CHECK(!pc_memory_hva(&m, 0x1000, 0));
	CHECK(pc_e820(&m, map) == 7);
	CHECK(map[3].addr == 0x100000 && map[3].size == m.firmware - 0x100000 && map[3].type == 1);
	CHECK(map[4].addr == m.firmware && map[4].type == 2);
	CHECK(map[6].addr == PC_4G && map[6].size == 2ULL << 30 && map[6].type == 1);
	CHECK(pc_memory_init(&m, 128 << 20) == 0 && pc_e820(&m, map) == 6);
}

static void bzimage_checks(void)
{
	static uint8_t img[IMAGE_BYTES], initrd[3 * 4096 + 5];
	char long_cmdline[2100];
	const struct boot_params *bp;
	const uint64_t *pml4, *pdpt, *pd;
	struct pc_memory m;
	struct bz_boot boot;
	const char *why = NULL;
	uint8_t *big = calloc(1, 40 << 20);	/* an initrd too big for the guest */

	pc_memory_init(&m, 64 << 20);
	m.host = calloc(1, m.size);
	if (!m.host || !big) {
		CHECK(!"memory for the guest and its initrd");
		return;
	}
	make_image(img);
	memset(initrd, 0x5a, sizeof(initrd));
	CHECK(bz_is_linux(img, sizeof(img)) && !bz_is_linux(img, 0x200));
	CHECK(bz_load(img, sizeof(img), &m, "console=ttyS0 quiet", initrd, sizeof(initrd), &boot,
		      &why) == BZ_OK);
	CHECK(boot.entry == 0x100200 && boot.zero_page == 0x7000 && boot.cr3 == 0x9000);
	CHECK(!memcmp(m.host + 0x100000, img + 1024, KERNEL_BYTES));
	bp = (const struct boot_params *)(m.host + boot.zero_page);
	CHECK(bp->hdr.header == 0x53726448 && bp->hdr.version == 0x020f);	/* the image's header */
	CHECK(bp->hdr.type_of_loader == 0xff && bp->hdr.code32_start == 0x100000);
	CHECK(!strcmp((const char *)m.host + bp->hdr.cmd_line_ptr, "console=ttyS0 quiet"));
	CHECK(bp->hdr.ramdisk_size == sizeof(initrd) && !(bp->hdr.ramdisk_image & 0xfff));
	CHECK(bp->hdr.ramdisk_image + sizeof(initrd) <= m.firmware &&
	      bp->hdr.ramdisk_image + sizeof(initrd) > m.firmware - 4096);	/* as high as it fits */
	CHECK(!memcmp(m.host + bp->hdr.ramdisk_image, initrd, sizeof(initrd)));
	CHECK(bp->e820_entries == 6 && bp->e820_table[3].addr == 0x100000 &&
	      bp->e820_table[3].size == m.firmware - 0x100000 && bp->e820_table[3].type == 1);
	CHECK(bp->ext_cmd_line_ptr == 0 && bp->acpi_rsdp_addr == 0);
	/* 64-bit code at 0x10, flat data at 0x18. */
	CHECK(boot.gdt_limit == 31 && ((const uint64_t *)(m.host + boot.gdt))[2] == 0x00af9b000000ffffULL);
	/* The identity map: 0xfee00000 through PML4[0], PDPT[3], PD[0x1f7]. */
	pml4 = (const uint64_t *)(m.host + boot.cr3);
	pdpt = (const uint64_t *)(m.host + (pml4[0] & ~0xfffULL));
	pd = (const uint64_t *)(m.host + (pdpt[3] & ~0xfffULL));
	CHECK((pml4[0] & 3) == 3 && pd[0x1f7] == (0xfee00000ULL | 0x83));

	/* Refusals, each with its reason. */
	CHECK(bz_load(img, 0x300, &m, "", NULL, 0, &boot, &why) == BZ_BAD_IMAGE &&
	      strstr(why, "truncated"));
	CHECK(bz_load(img, sizeof(img) - 16, &m, "", NULL, 0, &boot, &why) == BZ_BAD_IMAGE &&
	      strstr(why, "truncated"));
	hdr(img)->header = 0;
	CHECK(bz_load(img, sizeof(img), &m, "", NULL, 0, &boot, &why) == BZ_BAD_IMAGE &&
	      strstr(why, "not a Linux kernel"));
	make_image(img);
	hdr(img)->version = 0x0205;
	CHECK(bz_load(img, sizeof(img), &m, "", NULL, 0, &boot, &why) == BZ_BAD_IMAGE &&
	      strstr(why, "2.05"));
	make_image(img);
	hdr(img)->xloadflags = 0;
	CHECK(bz_load(img, sizeof(img), &m, "", NULL, 0, &boot, &why) == BZ_BAD_IMAGE &&
	      strstr(why, "64-bit entry"));
	make_image(img);
	hdr(img)->loadflags = 0;
	CHECK(bz_load(img, sizeof(img), &m, "", NULL, 0, &boot, &why) == BZ_BAD_IMAGE &&
	      strstr(why, "zImage"));
	make_image(img);
	memset(long_cmdline, 'x', sizeof(long_cmdline) - 1);
	long_cmdline[sizeof(long_cmdline) - 1] = 0;
	CHECK(bz_load(img, sizeof(img), &m, long_cmdline, NULL, 0, &boot, &why) ==
	      BZ_CMDLINE_TOO_LONG && strstr(why, "at most 2047"));
	long_cmdline[2047] = 0;					/* exactly cmdline_size */
	CHECK(bz_load(img, sizeof(img), &m, long_cmdline, NULL, 0, &boot, &why) == BZ_OK);
	/* The initrd must fit between the decompressed kernel (16 + 8 MiB) and the top. */
	CHECK(bz_load(img, sizeof(img), &m, "", big, 40 << 20, &boot, &why) == BZ_TOO_BIG &&
	      strstr(why, "initrd"));
	CHECK(bz_load(img, sizeof(img), &m, "", big, 39 << 20, &boot, &why) == BZ_OK);
	hdr(img)->initrd_addr_max = 0x1ffffff;		/* below 32 MiB: 8 MiB of room */
	CHECK(bz_load(img, sizeof(img), &m, "", big, 9 << 20, &boot, &why) == BZ_TOO_BIG);
	make_image(img);
	hdr(img)->init_size = 60 << 20;
	CHECK(bz_load(img, sizeof(img), &m, "", NULL, 0, &boot, &why) == BZ_TOO_BIG &&
	      strstr(why, "77 MiB"));
	/* Header fields that would wrap or make a bad mask are refused, not used. */
	make_image(img);
	hdr(img)->pref_address = ~0ULL - 0xfff;
	CHECK(bz_load(img, sizeof(img), &m, "", NULL, 0, &boot, &why) == BZ_TOO_BIG &&
	      strstr(why, "beyond"));
	make_image(img);
	hdr(img)->kernel_alignment = 0x300000;
	CHECK(bz_load(img, sizeof(img), &m, "", NULL, 0, &boot, &why) == BZ_BAD_IMAGE &&
	      strstr(why, "power of two"));
	free(m.host);
	free(big);
}

/*
 * A vmlinux made here: an x86-64 ELF executable with a "Linux" note, code
 * at 16 MiB (the entry 0x200 into it) and data whose last 4 KiB are bss,
 * with a NOBITS section inside the data's file image (as Debian's .bss is,
 * an initialized section following it).
 */
#define VM_CODE		8192
#define VM_DATA		4096
#define VM_BSS		4096

struct vmlinux_image {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[3];
	Elf64_Nhdr nh;
	char name[8], desc[4];
	Elf64_Shdr sh[2];
	uint8_t code[VM_CODE], data[VM_DATA];
};

#define VM_NOBITS_AT	2048	/* into the data */
#define VM_NOBITS	1024

static void make_vmlinux(struct vmlinux_image *v)
{
	size_t code = offsetof(struct vmlinux_image, code), data = offsetof(struct vmlinux_image, data);
	size_t note = offsetof(struct vmlinux_image, nh);
	int i;

	memset(v, 0, sizeof(*v));
	memcpy(v->eh.e_ident, ELFMAG, SELFMAG);
	v->eh.e_ident[EI_CLASS] = ELFCLASS64;
	v->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	v->eh.e_ident[EI_VERSION] = EV_CURRENT;
	v->eh.e_type = ET_EXEC;
	v->eh.e_machine = EM_X86_64;
	v->eh.e_entry = 0x1000200;
	v->eh.e_phoff = offsetof(struct vmlinux_image, ph);
	v->eh.e_phentsize = sizeof(Elf64_Phdr);
	v->eh.e_phnum = 3;
	v->ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = code,
				 .p_vaddr = 0xffffffff81000000ULL, .p_paddr = 0x1000000,
				 .p_filesz = VM_CODE, .p_memsz = VM_CODE };
	v->ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = data,
				 .p_vaddr = 0xffffffff81200000ULL, .p_paddr = 0x1200000,
				 .p_filesz = VM_DATA, .p_memsz = VM_DATA + VM_BSS };
	v->ph[2] = (Elf64_Phdr){ .p_type = PT_NOTE, .p_offset = note,
				 .p_filesz = sizeof(v->nh) + sizeof(v->name) + sizeof(v->desc) };
	v->nh = (Elf64_Nhdr){ .n_namesz = 6, .n_descsz = 4, .n_type = 0x100 };
	memcpy(v->name, "Linux", 6);
	for (i = 0; i < VM_CODE; i++)
		v->code[i] = (uint8_t)(i * 5 + 3);
	memset(v->data, 0xd5, sizeof(v->data));
	memset(v->data + VM_NOBITS_AT, 0, VM_NOBITS);
	v->eh.e_shoff = offsetof(struct vmlinux_image, sh);
	v->eh.e_shentsize = sizeof(Elf64_Shdr);
	v->eh.e_shnum = 2;
	v->sh[1] = (Elf64_Shdr){ .sh_type = SHT_NOBITS, .sh_flags = SHF_ALLOC | SHF_WRITE,
				 .sh_addr = 0xffffffff81200000ULL + VM_NOBITS_AT,
				 .sh_size = VM_NOBITS };
}

static void vmlinux_checks(void)
{
	static struct vmlinux_image v;
	static uint8_t initrd[4096 + 3];
	char long_cmdline[2049];
	const struct boot_params *bp;
	const uint8_t *img = (const uint8_t *)&v;
	struct pc_memory m;
	struct bz_boot boot;
	const char *why = NULL;

	pc_memory_init(&m, 64 << 20);
	m.host = calloc(1, m.size);
	if (!m.host) {
		CHECK(!"memory for the guest");
		return;
	}
	make_vmlinux(&v);
	memset(initrd, 0x3c, sizeof(initrd));
	CHECK(bz_is_vmlinux(img, sizeof(v)) && !bz_is_linux(img, sizeof(v)));
	memset(m.host + 0x1200000, 0xee, 2 * 4096);	/* the bss must come out zero */
	CHECK(bz_load_vmlinux(img, sizeof(v), &m, "console=ttyS0", initrd, sizeof(initrd), &boot,
			      &why) == BZ_OK);
	CHECK(boot.entry == 0x1000200 && boot.zero_page == 0x7000 && boot.cr3 == 0x9000);
	CHECK(!memcmp(m.host + 0x1000000, v.code, VM_CODE));
	CHECK(!memcmp(m.host + 0x1200000, v.data, VM_DATA));
	CHECK(m.host[0x1200000 + VM_DATA] == 0 && m.host[0x1200000 + VM_DATA + VM_BSS - 1] == 0);
	bp = (const struct boot_params *)(m.host + boot.zero_page);
	/* The header a vmlinux lacks, made up as the kernel's would read. */
	CHECK(bp->hdr.boot_flag == 0xaa55 && bp->hdr.header == 0x53726448 &&
	      bp->hdr.version >= 0x020c && (bp->hdr.xloadflags & XLF_KERNEL_64));
	CHECK(bp->hdr.type_of_loader == 0xff && bp->hdr.cmdline_size == 2047);
	CHECK(!strcmp((const char *)m.host + bp->hdr.cmd_line_ptr, "console=ttyS0"));
	CHECK(bp->hdr.ramdisk_size == sizeof(initrd) &&
	      !memcmp(m.host + bp->hdr.ramdisk_image, initrd, sizeof(initrd)));
	CHECK(bp->e820_entries == 6 && bp->e820_table[3].addr == 0x100000);

	/*
	 * On RAM the caller says is zero, zeros are not written: neither the
	 * NOBITS section inside the data's file image nor the bss after it
	 * (the 0xee left here shows they were skipped; fresh RAM reads 0).
	 */
	memset(m.host + 0x1200000, 0xee, 2 * 4096);
	m.zeroed = 1;
	CHECK(bz_load_vmlinux(img, sizeof(v), &m, "console=ttyS0", NULL, 0, &boot, &why) == BZ_OK);
	CHECK(!memcmp(m.host + 0x1200000, v.data, VM_NOBITS_AT));
	CHECK(m.host[0x1200000 + VM_NOBITS_AT] == 0xee &&
	      m.host[0x1200000 + VM_NOBITS_AT + VM_NOBITS - 1] == 0xee);
	CHECK(!memcmp(m.host + 0x1200000 + VM_NOBITS_AT + VM_NOBITS, v.data + VM_NOBITS_AT + VM_NOBITS,
		      VM_DATA - VM_NOBITS_AT - VM_NOBITS));
	CHECK(m.host[0x1200000 + VM_DATA] == 0xee);
	CHECK(!memcmp(m.host + 0x1000000, v.code, VM_CODE));
	/* Section headers off the file: the whole image is copied. */
	v.eh.e_shoff = sizeof(v);
	memset(m.host + 0x1200000, 0xee, 2 * 4096);
	CHECK(bz_load_vmlinux(img, sizeof(v), &m, "", NULL, 0, &boot, &why) == BZ_OK);
	CHECK(!memcmp(m.host + 0x1200000, v.data, VM_DATA));
	m.zeroed = 0;
	/* Segments that overlap are refused: one's zeros could hide the other. */
	make_vmlinux(&v);
	v.ph[1].p_paddr = 0x1000000 + VM_CODE - 4096;
	CHECK(bz_load_vmlinux(img, sizeof(v), &m, "", NULL, 0, &boot, &why) == BZ_BAD_IMAGE &&
	      strstr(why, "overlap"));

	/* Not Linux: no "Linux" note, a 32-bit ELF, a shared object. */
	make_vmlinux(&v);
	memcpy(v.name, "Xen\0\0", 6);
	CHECK(!bz_is_vmlinux(img, sizeof(v)) &&
	      bz_load_vmlinux(img, sizeof(v), &m, "", NULL, 0, &boot, &why) == BZ_BAD_IMAGE &&
	      strstr(why, "not a Linux vmlinux"));
	make_vmlinux(&v);
	v.eh.e_ident[EI_CLASS] = ELFCLASS32;
	CHECK(!bz_is_vmlinux(img, sizeof(v)));
	make_vmlinux(&v);
	v.eh.e_type = ET_DYN;
	CHECK(!bz_is_vmlinux(img, sizeof(v)));
	/* A note that runs off its segment, program headers off the file. */
	make_vmlinux(&v);
	v.nh.n_descsz = 4096;
	CHECK(!bz_is_vmlinux(img, sizeof(v)));
	make_vmlinux(&v);
	v.eh.e_phnum = 0xffff;
	CHECK(!bz_is_vmlinux(img, sizeof(v)));
	/* Refusals, each with its reason. */
	make_vmlinux(&v);
	CHECK(bz_load_vmlinux(img, sizeof(v) - 16, &m, "", NULL, 0, &boot, &why) == BZ_BAD_IMAGE &&
	      strstr(why, "truncated"));
	v.ph[0].p_offset = ~0ULL - 8;
	CHECK(bz_load_vmlinux(img, sizeof(v), &m, "", NULL, 0, &boot, &why) == BZ_BAD_IMAGE &&
	      strstr(why, "truncated"));
	make_vmlinux(&v);
	v.ph[1].p_paddr = 0x7000;
	CHECK(bz_load_vmlinux(img, sizeof(v), &m, "", NULL, 0, &boot, &why) == BZ_BAD_IMAGE &&
	      strstr(why, "below 1 MiB"));
	make_vmlinux(&v);
	v.ph[1].p_memsz = ~0ULL - 0x1000;		/* would wrap past 2^64 */
	CHECK(bz_load_vmlinux(img, sizeof(v), &m, "", NULL, 0, &boot, &why) == BZ_TOO_BIG &&
	      strstr(why, "larger --mem"));
	make_vmlinux(&v);
	v.ph[1].p_paddr = 80 << 20;			/* beyond 64 MiB of RAM */
	CHECK(bz_load_vmlinux(img, sizeof(v), &m, "", NULL, 0, &boot, &why) == BZ_TOO_BIG);
	make_vmlinux(&v);
	v.eh.e_entry = 0x1200000;			/* data, not code */
	CHECK(bz_load_vmlinux(img, sizeof(v), &m, "", NULL, 0, &boot, &why) == BZ_BAD_IMAGE &&
	      strstr(why, "entry point"));
	make_vmlinux(&v);
	memset(long_cmdline, 'y', sizeof(long_cmdline) - 1);
	long_cmdline[sizeof(long_cmdline) - 1] = 0;
	CHECK(bz_load_vmlinux(img, sizeof(v), &m, long_cmdline, NULL, 0, &boot, &why) ==
	      BZ_CMDLINE_TOO_LONG && strstr(why, "at most 2047"));
	long_cmdline[2047] = 0;
	CHECK(bz_load_vmlinux(img, sizeof(v), &m, long_cmdline, NULL, 0, &boot, &why) == BZ_OK);
	free(m.host);
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

static void mptable_checks(void)
{
	static uint8_t rom[PC_ROM_SIZE];
	struct pc_memory m;
	const uint8_t *fp = rom + (MPTABLE_ADDR - PC_ROM), *t, *e;
	uint32_t table;
	uint16_t len, entries;
	unsigned int i, cpus = 0, pins = 0;

	pc_memory_init(&m, 128 << 20);
	CHECK(mptable_write(&m, 2, 0x663, 0x178bfbff) == -1);	/* no ROM area */
	m.rom = rom;
	CHECK(mptable_write(&m, 0, 0, 0) == -1 && mptable_write(&m, 65, 0, 0) == -1);
	CHECK(mptable_write(&m, 3, 0x663, 0x178bfbff) == 0);
	CHECK(!memcmp(fp, "_MP_", 4) && fp[8] == 1 && fp[9] == 4 && sum(fp, 16) == 0);
	memcpy(&table, fp + 4, 4);
	CHECK(table >= PC_ROM && table < PC_HIGH_RAM);
	t = rom + (table - PC_ROM);
	memcpy(&len, t + 4, 2);
	memcpy(&entries, t + 34, 2);
	CHECK(!memcmp(t, "PCMP", 4) && sum(t, len) == 0);
	/* 3 CPUs, the bus, the I/O APIC, 15 ISA IRQs, LINT0 and LINT1. */
	CHECK(entries == 3 + 1 + 1 + 15 + 2 && len == 44 + 3 * 20 + 2 * 8 + 17 * 8);
	for (e = t + 44, i = 0; i < entries && e < t + len; i++) {
		if (e[0] == 0) {			/* processor: APIC id, BSP flag */
			CHECK(e[1] == cpus && (e[3] & 2) == (cpus ? 0 : 2) && (e[3] & 1));
			cpus++;
			e += 20;
			continue;
		}
		if (e[0] == 2)				/* the I/O APIC: id 3 */
			CHECK(e[1] == 3 && e[4] == 0x00 && e[6] == 0xc0 && e[7] == 0xfe);
		if (e[0] == 3) {			/* ISA IRQ to pin: 0 to 2 */
			CHECK(e[6] == 3 && e[7] == (e[5] ? e[5] : 2) && e[5] != 2);
			pins++;
		}
		e += 8;
	}
	CHECK(cpus == 3 && pins == 15 && e == t + len);
}

/* The ACPI table at @gpa in @rom: its signature and a checksum that holds. */
static const uint8_t *acpi_table(const uint8_t *rom, uint64_t gpa, const char *sig,
				 uint32_t *len)
{
	const uint8_t *t;

	if (gpa < PC_ROM || gpa + 36 > PC_HIGH_RAM)
		return NULL;
	t = rom + (gpa - PC_ROM);
	memcpy(len, t + 4, 4);
	if (memcmp(t, sig, 4) || *len < 36 || gpa + *len > PC_HIGH_RAM || sum(t, *len))
		return NULL;
	return t;
}

/*
 * The RSDP where Linux scans for it, the XSDT naming the FADT and the MADT,
 * the FADT's PM1 registers and DSDT (with \_S5), and the MADT's CPUs and
 * I/O APIC; no MADT without local APICs.
 */
static void acpi_checks(void)
{
	static uint8_t rom[PC_ROM_SIZE];
	struct pc_memory m;
	const uint8_t *rsdp = rom + (ACPI_BASE - PC_ROM), *xsdt, *fadt, *dsdt, *madt, *e;
	uint64_t xsdt_addr, entry[2], dsdt_addr;
	uint32_t len, madt_len, pm1a_cnt, lapic_addr;
	unsigned int cpus = 0, ioapics = 0, overrides = 0;

	pc_memory_init(&m, 128 << 20);
	CHECK(acpi_write(&m, 2, 1) == -1);		/* no ROM area */
	m.rom = rom;
	CHECK(acpi_write(&m, 0, 1) == -1 && acpi_write(&m, 65, 1) == -1);
	CHECK(acpi_write(&m, 3, 1) == 0);
	CHECK(ACPI_BASE >= 0xe0000 && !(ACPI_BASE & 15));
	CHECK(!memcmp(rsdp, "RSD PTR ", 8) && sum(rsdp, 20) == 0 && rsdp[15] == 2 &&
	      sum(rsdp, 36) == 0);
	memcpy(&xsdt_addr, rsdp + 24, 8);
	xsdt = acpi_table(rom, xsdt_addr, "XSDT", &len);
	CHECK(xsdt && len == 36 + 16);
	if (!xsdt)
		return;
	memcpy(entry, xsdt + 36, 16);
	fadt = acpi_table(rom, entry[0], "FACP", &len);
	CHECK(fadt && len == 244 && fadt[8] == 3);
	madt = acpi_table(rom, entry[1], "APIC", &madt_len);
	CHECK(madt != NULL);
	if (!fadt || !madt)
		return;
	memcpy(&pm1a_cnt, fadt + 64, 4);
	memcpy(&dsdt_addr, fadt + 140, 8);
	CHECK(pm1a_cnt == 0x604 && fadt[89] == 2 && fadt[46] == 9);	/* PM1a_CNT, SCI 9 */
	dsdt = acpi_table(rom, dsdt_addr, "DSDT", &len);
	CHECK(dsdt && memmem(dsdt + 36, len - 36, "\x08_S5_\x12", 6));
	memcpy(&lapic_addr, madt + 36, 4);
	CHECK(lapic_addr == 0xfee00000);
	for (e = madt + 44; e + 2 <= madt + madt_len && e[1] >= 2; e += e[1]) {
		if (e[0] == 0)				/* CPU: UID and APIC id in order */
			CHECK(e[1] == 8 && e[2] == cpus && e[3] == cpus++ && (e[4] & 1));
		if (e[0] == 1)				/* the I/O APIC: id 3 */
			CHECK(e[1] == 12 && e[2] == 3 && ioapics++ == 0);
		if (e[0] == 2)				/* IRQ 0 to GSI 2, and the SCI */
			CHECK(e[1] == 10 && (e[3] == 0 ? e[4] == 2 : e[3] == 9 && e[4] == 9) &&
			      ++overrides);
	}
	CHECK(e == madt + madt_len && cpus == 3 && ioapics == 1 && overrides == 2);
	/* Without local APICs: the FADT only. */
	memset(rom, 0, sizeof(rom));
	CHECK(acpi_write(&m, 1, 0) == 0);
	xsdt = acpi_table(rom, xsdt_addr, "XSDT", &len);
	CHECK(xsdt && len == 36 + 8);
}

static int write_file(const char *dir, const char *name, const uint8_t *data, size_t len)
{
	char path[4096];
	FILE *f;
	int bad;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f)
		return -1;
	bad = fwrite(data, 1, len, f) != len;
	return fclose(f) || bad ? -1 : 0;
}

/* @t, an ACPI table, as the file dir/name. */
static int write_table(const char *dir, const char *name, const uint8_t *t)
{
	uint32_t len;

	memcpy(&len, t + 4, 4);
	return write_file(dir, name, t, len);
}

/* The ACPI tables of a 2-CPU PC, one file each, found as a kernel finds them. */
static int write_acpi_tables(const char *dir)
{
	static uint8_t rom[PC_ROM_SIZE];
	struct pc_memory m;
	uint64_t xsdt, entry[2], dsdt;

	pc_memory_init(&m, 128 << 20);
	m.rom = rom;
	if (acpi_write(&m, 2, 1))
		return -1;
	memcpy(&xsdt, rom + (ACPI_BASE - PC_ROM) + 24, 8);
	memcpy(entry, rom + (xsdt - PC_ROM) + 36, 16);
	memcpy(&dsdt, rom + (entry[0] - PC_ROM) + 140, 8);
	return write_table(dir, "xsdt.dat", rom + (xsdt - PC_ROM)) ||
	       write_table(dir, "facp.dat", rom + (entry[0] - PC_ROM)) ||
	       write_table(dir, "apic.dat", rom + (entry[1] - PC_ROM)) ||
	       write_table(dir, "dsdt.dat", rom + (dsdt - PC_ROM)) ? -1 : 0;
}

int main(int argc, char **argv)
{
	static uint8_t img[IMAGE_BYTES];
	static struct vmlinux_image vml;

	memory_checks();
	bzimage_checks();
	vmlinux_checks();
	mptable_checks();
	acpi_checks();
	if (argc > 1) {
		make_image(img);
		CHECK(write_file(argv[1], "good.bzImage", img, sizeof(img)) == 0);
		CHECK(write_file(argv[1], "truncated.bzImage", img, sizeof(img) - 100) == 0);
		hdr(img)->version = 0x0204;
		CHECK(write_file(argv[1], "old.bzImage", img, sizeof(img)) == 0);
		make_vmlinux(&vml);
		CHECK(write_file(argv[1], "good.vmlinux", (uint8_t *)&vml, sizeof(vml)) == 0);
		vml.ph[1].p_paddr = 0x7000;
		CHECK(write_file(argv[1], "low.vmlinux", (uint8_t *)&vml, sizeof(vml)) == 0);
		CHECK(write_acpi_tables(argv[1]) == 0);
	}
	return failures != 0;
}
