/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm launcher: the checksum of the firmware tables a PC leaves for its
 * kernel (MP tables, ACPI): the byte that makes all of a table's bytes sum
 * to 0 modulo 256.
 */
#ifndef MINIVM_TABLE_CHECKSUM_H
#define MINIVM_TABLE_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

static inline uint8_t table_checksum(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	while (len--)
		sum += *b++;
	return (uint8_t)-sum;
}

#endif /* MINIVM_TABLE_CHECKSUM_H */
