// SPDX-License-Identifier: LGPL-2.1
/*
 * libminivm: finishing an MMIO exit in userspace.
 *
 * The module reports only the guest-physical address and the kind of
 * access; the instruction stays unexecuted, as in NVMM. This file fetches
 * it (walking the guest's page tables when paging is on), decodes the MOV
 * forms compilers emit for device registers, performs the access through
 * the caller's callbacks, and moves RIP past it. Keeping the decoder out of
 * the kernel keeps ring 0 small: a decoding bug here can only hurt this
 * process's guest.
 */
#include <errno.h>
#include <string.h>
#include "libminivm.h"

struct insn {
	unsigned int len, opsize, addrsize;
	int rex_w, rex_r, rex;
	uint8_t op[2];
	unsigned int nop;
	uint8_t modrm;
	uint64_t imm;
};

/* Copy @len bytes at guest-physical @gpa, across pages. */
static int read_gpa(const struct minivm_mmio_env *env, uint64_t gpa, void *buf, size_t len)
{
	uint8_t *out = buf;

	while (len) {
		size_t chunk = 4096 - (gpa & 4095);
		const void *p = env->gpa_to_hva(env->ctx, gpa);

		if (chunk > len)
			chunk = len;
		if (!p)
			return -EFAULT;
		memcpy(out, p, chunk);
		out += chunk;
		gpa += chunk;
		len -= chunk;
	}
	return 0;
}

/* Linear to physical through the guest's own tables (32-bit, PAE, 4-level). */
static int translate(const struct minivm_mmio_env *env, const struct minivm_sregs *s,
		     uint64_t la, uint64_t *gpa)
{
	uint64_t table, e;
	int level, bits;

	if (!(s->cr0 & 0x80000000)) {
		*gpa = la;
		return 0;
	}
	if (!(s->cr4 & 0x20)) {		/* 32-bit paging */
		uint32_t e32;

		table = s->cr3 & ~0xfffULL;
		for (level = 2; level >= 1; level--) {
			if (read_gpa(env, table + ((la >> (12 + 10 * (level - 1))) & 0x3ff) * 4,
				     &e32, 4) || !(e32 & 1))
				return -EFAULT;
			if (level == 2 && (e32 & 0x80) && (s->cr4 & 0x10)) {
				*gpa = (e32 & 0xffc00000ULL) | (la & 0x3fffff);
				return 0;
			}
			table = e32 & ~0xfffULL;
		}
		*gpa = table | (la & 0xfff);
		return 0;
	}
	if (s->efer & 0x400) {		/* LMA: 4-level */
		level = 4;
		table = s->cr3 & 0x000ffffffffff000ULL;
	} else {			/* PAE: the PDPTE first */
		if (read_gpa(env, (s->cr3 & ~0x1fULL) + ((la >> 30) & 3) * 8, &e, 8) || !(e & 1))
			return -EFAULT;
		level = 2;
		table = e & 0x000ffffffffff000ULL;
	}
	for (; level >= 1; level--) {
		bits = 12 + 9 * (level - 1);
		if (read_gpa(env, table + ((la >> bits) & 511) * 8, &e, 8) || !(e & 1))
			return -EFAULT;
		if (level > 1 && (e & 0x80)) {
			*gpa = (e & 0x000ffffffffff000ULL & ~((1ULL << bits) - 1)) |
			       (la & ((1ULL << bits) - 1));
			return 0;
		}
		table = e & 0x000ffffffffff000ULL;
	}
	*gpa = table | (la & 0xfff);
	return 0;
}

/* Bytes of ModRM, SIB and displacement after the opcode. */
static unsigned int modrm_len(uint8_t modrm, unsigned int addrsize, const uint8_t *next)
{
	unsigned int mod = modrm >> 6, rm = modrm & 7, len = 1;

	if (addrsize == 16) {
		if (mod == 1)
			return len + 1;
		if (mod == 2 || (mod == 0 && rm == 6))
			return len + 2;
		return len;
	}
	if (mod != 3 && rm == 4) {
		len++;				/* SIB */
		if (mod == 0 && (next[0] & 7) == 5)
			len += 4;
	}
	if (mod == 1)
		len += 1;
	else if (mod == 2 || (mod == 0 && rm == 5))
		len += 4;
	return len;
}

static int decode(const uint8_t *b, size_t avail, int mode64, int default32, struct insn *in)
{
	unsigned int i = 0;
	int opsize16 = 0, addr_override = 0;

	memset(in, 0, sizeof(*in));
	for (; i < avail; i++) {
		uint8_t c = b[i];

		if (c == 0x66)
			opsize16 = 1;
		else if (c == 0x67)
			addr_override = 1;
		else if (c == 0x26 || c == 0x2e || c == 0x36 || c == 0x3e || c == 0x64 ||
			 c == 0x65)
			continue;	/* the hardware already applied the segment */
		else
			break;
	}
	if (mode64 && i < avail && (b[i] & 0xf0) == 0x40) {
		in->rex = 1;
		in->rex_w = b[i] & 8;
		in->rex_r = b[i] & 4;
		i++;
	}
	if (i >= avail)
		return -EINVAL;
	in->opsize = in->rex_w ? 64 : (default32 || mode64) ? (opsize16 ? 16 : 32) :
		     (opsize16 ? 32 : 16);
	in->addrsize = mode64 ? (addr_override ? 32 : 64) :
		       default32 ? (addr_override ? 16 : 32) : (addr_override ? 32 : 16);
	in->op[0] = b[i++];
	in->nop = 1;
	if (in->op[0] == 0x0f) {
		if (i >= avail)
			return -EINVAL;
		in->op[1] = b[i++];
		in->nop = 2;
		if (in->op[1] != 0xb6 && in->op[1] != 0xb7)
			return -EOPNOTSUPP;
	}
	switch (in->op[0]) {
	case 0x88: case 0x89: case 0x8a: case 0x8b: case 0xc6: case 0xc7: case 0x0f:
		if (i >= avail)
			return -EINVAL;
		in->modrm = b[i];
		i += modrm_len(b[i], in->addrsize, b + i + 1);
		break;
	case 0xa0: case 0xa1: case 0xa2: case 0xa3:	/* moffs */
		i += in->addrsize / 8;
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (in->op[0] == 0xc6 || in->op[0] == 0xc7) {
		unsigned int n = in->op[0] == 0xc6 ? 1 : in->opsize == 16 ? 2 : 4;

		if (i + n > avail)
			return -EINVAL;
		memcpy(&in->imm, b + i, n);
		if (n == 4 && in->opsize == 64)
			in->imm = (uint64_t)(int64_t)(int32_t)in->imm;
		i += n;
	}
	if (i > avail || i > 15)
		return -EINVAL;
	in->len = i;
	return 0;
}

static __u64 *gpr(struct minivm_regs *r, unsigned int n)
{
	__u64 *const regs[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp,
				     &r->rsi, &r->rdi, &r->r8, &r->r9, &r->r10, &r->r11,
				     &r->r12, &r->r13, &r->r14, &r->r15 };

	return regs[n & 15];
}

static uint64_t get_reg(struct minivm_regs *r, unsigned int n, unsigned int size, int rex)
{
	if (size == 1 && !rex && n >= 4 && n < 8)	/* AH, CH, DH, BH */
		return (*gpr(r, n - 4) >> 8) & 0xff;
	return *gpr(r, n) & (size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1);
}

static void set_reg(struct minivm_regs *r, unsigned int n, unsigned int size, int rex,
		    uint64_t v)
{
	__u64 *p;

	if (size == 1 && !rex && n >= 4 && n < 8) {
		p = gpr(r, n - 4);
		*p = (*p & ~0xff00ULL) | ((v & 0xff) << 8);
		return;
	}
	p = gpr(r, n);
	if (size >= 4)
		*p = size == 4 ? (uint32_t)v : v;	/* 32-bit results zero-extend */
	else
		*p = (*p & ~((1ULL << (size * 8)) - 1)) | (v & ((1ULL << (size * 8)) - 1));
}

/**
 * minivm_mmio_emulate() - finish the MMIO exit in @run
 *
 * Returns 0 with the access done and RIP advanced; -EOPNOTSUPP for an
 * instruction this decoder does not know (the caller reports it), -EFAULT
 * when the instruction cannot be fetched, or an ioctl's error.
 */
int minivm_mmio_emulate(int vcpu_fd, const struct minivm_run *run,
			const struct minivm_mmio_env *env)
{
	struct minivm_sregs s;
	struct minivm_regs r;
	uint8_t bytes[15];
	uint64_t la, pa, value;
	struct insn in;
	unsigned int size, reg;
	int ret, mode64, default32, write;

	ret = minivm_get_regs(vcpu_fd, &r);
	if (!ret)
		ret = minivm_get_sregs(vcpu_fd, &s);
	if (ret)
		return ret;
	mode64 = (s.efer & 0x400) && (s.cs.attrib & MINIVM_SEG_L);
	default32 = !!(s.cs.attrib & MINIVM_SEG_DB);
	la = (mode64 ? 0 : s.cs.base) + r.rip;
	if (!mode64 && !default32)
		la = s.cs.base + (uint16_t)r.rip;
	/* Fetch up to the end of the page first, then the rest if needed. */
	memset(bytes, 0, sizeof(bytes));
	for (unsigned int got = 0; got < sizeof(bytes);) {
		size_t n = 4096 - ((la + got) & 4095);

		if (n > sizeof(bytes) - got)
			n = sizeof(bytes) - got;
		if (translate(env, &s, la + got, &pa) || read_gpa(env, pa, bytes + got, n))
			break;
		got += n;
	}
	ret = decode(bytes, sizeof(bytes), mode64, default32, &in);
	if (ret)
		return ret;
	reg = ((in.modrm >> 3) & 7) | (in.rex_r ? 8 : 0);
	size = in.opsize / 8;
	write = 0;
	switch (in.op[0]) {
	case 0x88: case 0xa2: size = 1; write = 1; break;
	case 0x89: case 0xa3: write = 1; break;
	case 0x8a: case 0xa0: size = 1; break;
	case 0x8b: case 0xa1: break;
	case 0xc6: size = 1; write = 1; break;
	case 0xc7: write = 1; break;
	case 0x0f: size = in.op[1] == 0xb6 ? 1 : 2; break;
	}
	if (in.op[0] >= 0xa0 && in.op[0] <= 0xa3)
		reg = 0;	/* AL/AX/EAX/RAX */
	if (write) {
		value = (in.op[0] == 0xc6 || in.op[0] == 0xc7) ? in.imm :
			get_reg(&r, reg, size, in.rex);
		env->write(env->ctx, run->mmio.gpa, size, value);
	} else {
		value = env->read(env->ctx, run->mmio.gpa, size);
		if (in.op[0] == 0x0f)	/* MOVZX */
			set_reg(&r, reg, in.opsize / 8, in.rex, value);
		else
			set_reg(&r, reg, size, in.rex, value);
	}
	r.rip += in.len;
	if (!mode64 && !default32)
		r.rip &= 0xffff;
	return minivm_set_regs(vcpu_fd, &r);
}
