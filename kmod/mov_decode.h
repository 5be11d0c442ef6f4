/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm: the one instruction family the kernel decodes for MMIO: MOV
 * between a register or an immediate and memory (mov_decode.c), which is
 * how every OS reaches its local APIC. Other MMIO goes to userspace, which
 * decodes with a full decoder.
 */
#ifndef MINIVM_MOV_DECODE_H
#define MINIVM_MOV_DECODE_H

#include <linux/types.h>

/**
 * struct minivm_mov - a decoded MOV with a memory operand
 * @len: bytes, prefixes included
 * @size: bytes moved: 1, 2, 4 or 8
 * @store: register or immediate to memory; else memory to @reg
 * @reg: the register operand (the hardware's numbering, REX.R included),
 *	or -1 for an immediate
 * @high_byte: @reg is AH, CH, DH or BH (a byte access without REX)
 * @imm: the immediate, sign-extended to @size
 */
struct minivm_mov {
	unsigned int len;
	unsigned int size;
	bool store;
	int reg;
	bool high_byte;
	u64 imm;
};

int minivm_decode_mov(const u8 *b, unsigned int n, bool long64, bool d32,
		      struct minivm_mov *mov);

#endif /* MINIVM_MOV_DECODE_H */
