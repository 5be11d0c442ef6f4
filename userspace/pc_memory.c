// SPDX-License-Identifier: GPL-2.0
/*
 * minivm launcher: guest RAM laid out as QEMU's PC (pc_memory.h). RAM up to
 * 3.5 GiB sits below 4 GiB; more keeps 3 GiB there and puts the rest from
 * 4 GiB, so that the MMIO hole (the I/O APIC at 0xfec00000, the local APICs
 * at 0xfee00000, pc-testdev's memory) stays clear, as QEMU's i440fx does.
 */
#include <string.h>
#include "pc_memory.h"

#define LOWMEM_ALL	0xe0000000ULL	/* RAM below this fits below 4 GiB whole */
#define LOWMEM_SPLIT	0xc0000000ULL	/* else 3 GiB stay below */
#define EBDA		0x9fc00ULL	/* the last KiB of base memory, reserved */

/**
 * pc_memory_init() - lay out @size bytes of guest RAM
 * @m: out: the layout, without @m->host and @m->rom, which the caller maps
 * @size: a multiple of 4 KiB from PC_MEM_MIN to PC_MEM_MAX
 *
 * Return: 0, or -1 for a size out of range.
 */
int pc_memory_init(struct pc_memory *m, uint64_t size)
{
	if (size < PC_MEM_MIN || size > PC_MEM_MAX || size & 0xfff)
		return -1;
	m->host = NULL;
	m->rom = NULL;
	m->size = size;
	m->below_4g = size < LOWMEM_ALL ? size : LOWMEM_SPLIT;
	m->above_4g = size - m->below_4g;
	m->firmware = m->below_4g - PC_FIRMWARE_SIZE;
	m->zeroed = 0;		/* the caller says so once it has mapped fresh RAM */
	return 0;
}

/**
 * pc_memory_hva() - the host's view of guest RAM or ROM [@gpa, @gpa + @len)
 * @m: guest RAM
 * @gpa: guest-physical address
 * @len: bytes, at least 1, all in one RAM range or in the ROM area
 *
 * Return: the host address, or NULL when any of it is neither.
 */
void *pc_memory_hva(const struct pc_memory *m, uint64_t gpa, uint64_t len)
{
	if (!len || gpa + len < gpa)
		return NULL;
	if (gpa + len <= PC_LOW_RAM_END || (gpa >= PC_HIGH_RAM && gpa + len <= m->below_4g))
		return m->host + gpa;
	if (gpa >= PC_ROM && gpa + len <= PC_HIGH_RAM && m->rom)
		return m->rom + (gpa - PC_ROM);
	if (gpa >= PC_4G && gpa - PC_4G + len <= m->above_4g)
		return m->host + m->below_4g + (gpa - PC_4G);
	return NULL;
}

/**
 * pc_memory_put() - copy into guest RAM or ROM, or zero it
 * @m: guest RAM
 * @gpa: guest-physical address
 * @src: what to copy, or NULL for zeros
 * @len: bytes (0 is nothing)
 *
 * Return: 0, or -1 when [@gpa, @gpa + @len) is not all RAM, or all ROM.
 */
int pc_memory_put(const struct pc_memory *m, uint64_t gpa, const void *src, uint64_t len)
{
	uint8_t *p = len ? pc_memory_hva(m, gpa, len) : m->host;

	if (!p)
		return -1;
	if (src)
		memcpy(p, src, len);
	else
		memset(p, 0, len);
	return 0;
}

/**
 * pc_e820() - SeaBIOS's e820 map for the layout
 * @m: the layout
 * @map: out: PC_E820_MAX entries at most
 *
 * Return: how many entries.
 */
unsigned int pc_e820(const struct pc_memory *m, struct e820_entry *map)
{
	unsigned int n = 0;

	map[n++] = (struct e820_entry){ 0, EBDA, E820_RAM };
	map[n++] = (struct e820_entry){ EBDA, PC_LOW_RAM_END - EBDA, E820_RESERVED };
	map[n++] = (struct e820_entry){ 0xf0000, 0x10000, E820_RESERVED };	/* BIOS area */
	map[n++] = (struct e820_entry){ PC_HIGH_RAM, m->firmware - PC_HIGH_RAM, E820_RAM };
	map[n++] = (struct e820_entry){ m->firmware, PC_FIRMWARE_SIZE, E820_RESERVED };
	map[n++] = (struct e820_entry){ 0xfffc0000, 0x40000, E820_RESERVED };	/* BIOS ROM */
	if (m->above_4g)
		map[n++] = (struct e820_entry){ PC_4G, m->above_4g, E820_RAM };
	return n;
}
