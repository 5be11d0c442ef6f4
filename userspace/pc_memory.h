/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm launcher: where guest RAM lies in QEMU's PC, and the e820 map that
 * describes it to the guest (multiboot's memory map, Linux's zero page).
 */
#ifndef MINIVM_PC_MEMORY_H
#define MINIVM_PC_MEMORY_H

#include <stdint.h>

#define PC_LOW_RAM_END	0xa0000ULL	/* the legacy hole up to 1 MiB is not RAM */
#define PC_ROM		0xc0000ULL	/* option ROMs and the BIOS: read-only memory */
#define PC_HIGH_RAM	0x100000ULL
#define PC_ROM_SIZE	(PC_HIGH_RAM - PC_ROM)
#define PC_4G		0x100000000ULL
#define PC_MEM_MIN	(2ULL << 20)
#define PC_MEM_MAX	(1ULL << 40)
/* The top of RAM below 4 GiB SeaBIOS keeps for its tables; so does minivm. */
#define PC_FIRMWARE_SIZE 0x20000ULL

enum { E820_RAM = 1, E820_RESERVED = 2 };
#define PC_E820_MAX	8

/**
 * struct e820_entry - one range of the map, as the boot protocol (and,
 * after its size field, multiboot) lays it out
 * @addr: guest-physical start
 * @size: length in bytes
 * @type: %E820_RAM or %E820_RESERVED
 */
struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));

/**
 * struct pc_memory - guest RAM and where the guest sees it
 * @host: the block the host maps it in
 * @rom: the host's copy of the ROM area (PC_ROM_SIZE bytes at PC_ROM), which
 *	the guest reads and the launcher fills with the guest's tables; or NULL
 * @size: all of it
 * @below_4g: the first @below_4g bytes, at guest-physical 0 (less the
 *	legacy hole from 640 KiB to 1 MiB)
 * @above_4g: the rest, from guest-physical 4 GiB
 * @firmware: guest-physical start of the reserved top PC_FIRMWARE_SIZE
 *	bytes below 4 GiB, where the launcher puts the guest's tables
 */
struct pc_memory {
	uint8_t *host, *rom;
	uint64_t size, below_4g, above_4g, firmware;
	/*
	 * Set when every byte of RAM no loader has written yet reads zero
	 * (it was just mapped, anonymous): loaders may then leave zeros
	 * unwritten instead of copying or clearing them.
	 */
	int zeroed;
};

int pc_memory_init(struct pc_memory *m, uint64_t size);
void *pc_memory_hva(const struct pc_memory *m, uint64_t gpa, uint64_t len);
int pc_memory_put(const struct pc_memory *m, uint64_t gpa, const void *src, uint64_t len);
unsigned int pc_e820(const struct pc_memory *m, struct e820_entry *map);

#endif /* MINIVM_PC_MEMORY_H */
