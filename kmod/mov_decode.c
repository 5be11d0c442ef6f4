// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: decode MOV to or from memory (opcodes 88, 89, 8A, 8B, C6 /0,
 * C7 /0 and the moffs forms A0-A3) with their prefixes: enough to know the
 * operand, its size and the instruction's length. The address itself is
 * not computed: the EPT/NPT fault already gave it.
 */
#include <linux/errno.h>
#include <linux/string.h>
#include "mov_decode.h"

/* Bytes of ModRM, SIB and displacement after the opcode; -1 for a register operand. */
static int modrm_len(const u8 *b, unsigned int n, bool a32)
{
	unsigned int mod, rm;

	if (!n)
		return -1;
	mod = b[0] >> 6;
	rm = b[0] & 7;
	if (mod == 3)
		return -1;
	if (!a32) {
		if (mod == 0)
			return rm == 6 ? 3 : 1;
		return mod == 1 ? 2 : 3;
	}
	if (rm == 4) {			/* SIB */
		if (n < 2)
			return -1;
		if (mod == 0)
			return (b[1] & 7) == 5 ? 6 : 2;
		return mod == 1 ? 3 : 6;
	}
	if (mod == 0)
		return rm == 5 ? 5 : 1;	/* disp32 (RIP-relative in 64-bit mode) */
	return mod == 1 ? 2 : 5;
}

/**
 * minivm_decode_mov() - decode a MOV with a memory operand
 * @b: the instruction's bytes
 * @n: how many there are (at most 15 matter)
 * @long64: 64-bit mode
 * @d32: the code segment's default size is 32 bits (ignored in 64-bit mode)
 * @mov: out
 *
 * Return: 0, or -EINVAL for anything else (another instruction, a register
 * operand, a truncated one).
 */
int minivm_decode_mov(const u8 *b, unsigned int n, bool long64, bool d32, struct minivm_mov *mov)
{
	bool o32 = long64 || d32, a32 = long64 || d32;
	unsigned int i, rex = 0, opsize, asize, imm_len = 0, op;
	int ml;

	if (n > 15)
		n = 15;
	memset(mov, 0, sizeof(*mov));
	/* A REX prefix counts only right before the opcode. */
	for (i = 0; i < n; i++) {
		u8 p = b[i];

		if (long64 && (p & 0xf0) == 0x40) {
			rex = p;
			continue;
		}
		if (p == 0x66)
			o32 = !(long64 || d32);
		else if (p == 0x67)
			a32 = !(long64 || d32);
		else if (p != 0x26 && p != 0x2e && p != 0x36 && p != 0x3e && p != 0x64 &&
			 p != 0x65 && p != 0xf0 && p != 0xf2 && p != 0xf3)
			break;	/* segment, LOCK, REP: nothing to do (the fault gave the address) */
		rex = 0;
	}
	if (i >= n)
		return -EINVAL;
	op = b[i++];
	opsize = (rex & 8) ? 8 : (o32 ? 4 : 2);
	asize = long64 ? (a32 ? 8 : 4) : (a32 ? 4 : 2);

	switch (op) {
	case 0x88: case 0x89: case 0x8a: case 0x8b:
		ml = modrm_len(b + i, n - i, asize != 2);
		if (ml < 0)
			return -EINVAL;
		mov->size = (op & 1) ? opsize : 1;
		mov->store = op <= 0x89;
		mov->reg = ((b[i] >> 3) & 7) | ((rex & 4) ? 8 : 0);
		mov->high_byte = mov->size == 1 && !rex && mov->reg >= 4;
		if (mov->high_byte)
			mov->reg -= 4;
		i += ml;
		break;
	case 0xc6: case 0xc7:
		if (i >= n || ((b[i] >> 3) & 7))
			return -EINVAL;	/* only /0 is MOV */
		ml = modrm_len(b + i, n - i, asize != 2);
		if (ml < 0)
			return -EINVAL;
		mov->size = op == 0xc6 ? 1 : opsize;
		mov->store = true;
		mov->reg = -1;
		i += ml;
		imm_len = mov->size == 8 ? 4 : mov->size;
		break;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:
		mov->size = (op & 1) ? opsize : 1;
		mov->store = op >= 0xa2;
		mov->reg = 0;	/* AL, AX, EAX or RAX */
		i += asize;
		break;
	default:
		return -EINVAL;
	}
	if (i + imm_len > n)
		return -EINVAL;
	if (imm_len) {
		s64 imm = 0;

		switch (imm_len) {
		case 1:
			imm = (s8)b[i];
			break;
		case 2:
			imm = (s16)(b[i] | (b[i + 1] << 8));
			break;
		default:
			imm = (s32)(b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) |
				    ((u32)b[i + 3] << 24));
			break;
		}
		mov->imm = mov->size == 8 ? (u64)imm : (u64)imm & ((1ULL << (mov->size * 8)) - 1);
		i += imm_len;
	}
	mov->len = i;
	return 0;
}
