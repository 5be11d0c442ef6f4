/* SPDX-License-Identifier: GPL-2.0 */
/* minivm launcher: loading a multiboot v1 kernel as QEMU's -kernel does. */
#ifndef MINIVM_MULTIBOOT_H
#define MINIVM_MULTIBOOT_H

#include <stddef.h>
#include <stdint.h>

/**
 * struct mb_boot - where a loaded kernel starts
 * @entry: EIP at entry (32-bit protected mode, paging off)
 * @mbi: guest-physical address of the multiboot information (EBX)
 * @gdt: guest-physical address of a GDT with flat code (0x10) and data (0x18)
 */
struct mb_boot {
	uint32_t entry, mbi, gdt;
};

/**
 * struct mb_module - a multiboot module, as QEMU's -initrd passes one
 * @data: its contents
 * @size: their size
 * @string: the module's string (QEMU's: the -initrd text, path and all)
 */
struct mb_module {
	const uint8_t *data;
	size_t size;
	const char *string;
};

struct pc_memory;

int mb_load(const uint8_t *image, size_t size, const struct pc_memory *ram, const char *cmdline,
	    const struct mb_module *mod, struct mb_boot *boot, const char **why);

#endif /* MINIVM_MULTIBOOT_H */
