/* SPDX-License-Identifier: GPL-2.0 */
/* minivm launcher: loading Linux (bzImage or vmlinux) through its 64-bit entry point. */
#ifndef MINIVM_BZIMAGE_H
#define MINIVM_BZIMAGE_H

#include <stddef.h>
#include <stdint.h>

struct pc_memory;

/**
 * struct bz_boot - the state a loaded kernel is entered in (64-bit mode,
 * paging on, the first 4 GiB identity-mapped, interrupts off)
 * @entry: RIP: the protected-mode kernel's start plus 0x200 (a vmlinux: its
 *	ELF entry point, startup_64)
 * @zero_page: RSI: guest-physical address of struct boot_params
 * @gdt: guest-physical address of a GDT with __BOOT_CS (0x10, 64-bit
 *	code) and __BOOT_DS (0x18, flat data)
 * @gdt_limit: its limit
 * @cr3: the identity map's top table
 */
struct bz_boot {
	uint64_t entry, zero_page, gdt, cr3;
	uint16_t gdt_limit;
};

/* Why an image was refused: each has its own exit status. */
enum bz_error {
	BZ_OK,
	BZ_BAD_IMAGE,		/* truncated, or not one minivm can start */
	BZ_TOO_BIG,		/* the kernel, or the initrd below initrd_addr_max, does not fit */
	BZ_CMDLINE_TOO_LONG,	/* longer than the kernel's cmdline_size */
};

int bz_is_linux(const uint8_t *image, size_t size);
enum bz_error bz_load(const uint8_t *image, size_t size, const struct pc_memory *ram,
		      const char *cmdline, const uint8_t *initrd, size_t initrd_size,
		      struct bz_boot *boot, const char **why);
int bz_is_vmlinux(const uint8_t *image, size_t size);
enum bz_error bz_load_vmlinux(const uint8_t *image, size_t size, const struct pc_memory *ram,
			      const char *cmdline, const uint8_t *initrd, size_t initrd_size,
			      struct bz_boot *boot, const char **why);

#endif /* MINIVM_BZIMAGE_H */
