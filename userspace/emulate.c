// SPDX-License-Identifier: LGPL-2.1
/*
 * libminivm: finishing an MMIO exit in userspace.
 *
 * The module reports only the guest-physical address and the kind of
 * access; the instruction stays unexecuted, as in NVMM. This file fetches
 * it (walking the guest's page tables when paging is on), decodes it with
 * Zydis, performs the access through the caller's callbacks, and moves RIP
 * past it. Keeping the decoder out of the kernel keeps ring 0 small: a
 * decoding bug here can only hurt this process's guest.
 *
 * The instructions finished are the moves compilers emit for device
 * registers: MOV between a register or an immediate and memory (moffs forms
 * included), MOVZX, MOVSX and MOVSXD. Anything else that touches MMIO
 * (arithmetic on a device register, string instructions) is reported as
 * not supported, for the caller to name.
 */
#include <errno.h>
#include <string.h>
#include <Zydis/Zydis.h>
#include "libminivm.h"

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

/* A general register as Zydis names it: its index in struct minivm_regs
 * order (RAX, RCX, ... R15), and whether it is AH, CH, DH or BH.
 */
static int gpr_index(ZydisRegister reg, int *high_byte)
{
	ZydisRegister full = ZydisRegisterGetLargestEnclosing(ZYDIS_MACHINE_MODE_LONG_64, reg);

	if (full < ZYDIS_REGISTER_RAX || full > ZYDIS_REGISTER_R15)
		return -1;
	*high_byte = reg == ZYDIS_REGISTER_AH || reg == ZYDIS_REGISTER_CH ||
		     reg == ZYDIS_REGISTER_DH || reg == ZYDIS_REGISTER_BH;
	return full - ZYDIS_REGISTER_RAX;
}

static __u64 *gpr(struct minivm_regs *r, unsigned int n)
{
	__u64 *const regs[16] = { &r->rax, &r->rcx, &r->rdx, &r->rbx, &r->rsp, &r->rbp,
				     &r->rsi, &r->rdi, &r->r8, &r->r9, &r->r10, &r->r11,
				     &r->r12, &r->r13, &r->r14, &r->r15 };

	return regs[n & 15];
}

static uint64_t size_mask(unsigned int size)
{
	return size == 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static uint64_t get_reg(struct minivm_regs *r, unsigned int n, int high_byte, unsigned int size)
{
	if (high_byte)
		return (*gpr(r, n) >> 8) & 0xff;
	return *gpr(r, n) & size_mask(size);
}

static void set_reg(struct minivm_regs *r, unsigned int n, int high_byte, unsigned int size,
		    uint64_t v)
{
	__u64 *p = gpr(r, n);

	if (high_byte)
		*p = (*p & ~0xff00ULL) | ((v & 0xff) << 8);
	else if (size >= 4)
		*p = size == 4 ? (uint32_t)v : v;	/* 32-bit results zero-extend */
	else
		*p = (*p & ~size_mask(size)) | (v & size_mask(size));
}

/*
 * What the guest's CS says about how to decode: 64-bit code, or 32- or
 * 16-bit by CS.D. Returns the code's width in bits (RIP wraps at it).
 */
static unsigned int decoder_for(const struct minivm_sregs *s, ZydisDecoder *d)
{
	if ((s->efer & 0x400) && (s->cs.attrib & MINIVM_SEG_L)) {
		ZydisDecoderInit(d, ZYDIS_MACHINE_MODE_LONG_64, ZYDIS_STACK_WIDTH_64);
		return 64;
	}
	if (s->cs.attrib & MINIVM_SEG_DB) {
		ZydisDecoderInit(d, ZYDIS_MACHINE_MODE_LEGACY_32, ZYDIS_STACK_WIDTH_32);
		return 32;
	}
	ZydisDecoderInit(d, ZYDIS_MACHINE_MODE_LEGACY_16, ZYDIS_STACK_WIDTH_16);
	return 16;
}

/**
 * minivm_mmio_complete() - finish an MMIO access on register state
 *
 * Returns 0 with @r updated (the destination register of a read, RIP past
 * the instruction); -EFAULT when the instruction cannot be fetched,
 * -EINVAL when its bytes are no valid instruction, -EOPNOTSUPP for one
 * this file does not finish. @r is left as it was on an error.
 */
int minivm_mmio_complete(const struct minivm_sregs *s, struct minivm_regs *r, uint64_t gpa,
			 const struct minivm_mmio_env *env)
{
	ZydisDecodedOperand op[ZYDIS_MAX_OPERAND_COUNT];
	ZydisDecodedInstruction in;
	const ZydisDecodedOperand *mem, *other;
	ZydisDecoder dec;
	uint8_t bytes[ZYDIS_MAX_INSTRUCTION_LENGTH];
	unsigned int got = 0, size, reg_size, width;
	uint64_t la, pa, value, rip_mask;
	int reg = -1, high = 0;
	ZyanStatus st;

	width = decoder_for(s, &dec);
	rip_mask = width == 64 ? ~0ULL : (1ULL << width) - 1;
	la = width == 64 ? r->rip : s->cs.base + (r->rip & rip_mask);
	/* Page by page: the instruction may end where the next page is not mapped. */
	while (got < sizeof(bytes)) {
		size_t n = 4096 - ((la + got) & 4095);

		if (n > sizeof(bytes) - got)
			n = sizeof(bytes) - got;
		if (translate(env, s, la + got, &pa) || read_gpa(env, pa, bytes + got, n))
			break;
		got += n;
	}
	if (!got)
		return -EFAULT;
	st = ZydisDecoderDecodeFull(&dec, bytes, got, &in, op);
	if (st == ZYDIS_STATUS_NO_MORE_DATA)
		return got < sizeof(bytes) ? -EFAULT : -EINVAL;
	if (!ZYAN_SUCCESS(st))
		return -EINVAL;
	switch (in.mnemonic) {
	case ZYDIS_MNEMONIC_MOV:
	case ZYDIS_MNEMONIC_MOVZX:
	case ZYDIS_MNEMONIC_MOVSX:
	case ZYDIS_MNEMONIC_MOVSXD:
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (in.operand_count_visible != 2)
		return -EOPNOTSUPP;
	mem = op[0].type == ZYDIS_OPERAND_TYPE_MEMORY ? &op[0] : &op[1];
	other = mem == &op[0] ? &op[1] : &op[0];
	/* MOV to or from a segment or control register is no device access. */
	if (mem->type != ZYDIS_OPERAND_TYPE_MEMORY || mem->mem.type != ZYDIS_MEMOP_TYPE_MEM)
		return -EOPNOTSUPP;
	if (other->type == ZYDIS_OPERAND_TYPE_REGISTER) {
		reg = gpr_index(other->reg.value, &high);
		if (reg < 0)
			return -EOPNOTSUPP;
	} else if (other->type != ZYDIS_OPERAND_TYPE_IMMEDIATE) {
		return -EOPNOTSUPP;
	}
	size = mem->size / 8;
	if (mem == &op[0]) {		/* a write: register or immediate to memory */
		value = other->type == ZYDIS_OPERAND_TYPE_IMMEDIATE ? other->imm.value.u :
			get_reg(r, reg, high, size);
		env->write(env->ctx, gpa, size, value & size_mask(size));
	} else {			/* a read, extended as the instruction says */
		reg_size = other->size / 8;
		value = env->read(env->ctx, gpa, size) & size_mask(size);
		if (in.mnemonic == ZYDIS_MNEMONIC_MOVSX || in.mnemonic == ZYDIS_MNEMONIC_MOVSXD) {
			unsigned int shift = 64 - size * 8;

			value = (uint64_t)((int64_t)(value << shift) >> shift);
		}
		set_reg(r, reg, high, reg_size, value);
	}
	r->rip = (r->rip + in.length) & rip_mask;
	return 0;
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
	int ret;

	ret = minivm_get_regs(vcpu_fd, &r);
	if (!ret)
		ret = minivm_get_sregs(vcpu_fd, &s);
	if (!ret)
		ret = minivm_mmio_complete(&s, &r, run->mmio.gpa, env);
	if (ret)
		return ret;
	return minivm_set_regs(vcpu_fd, &r);
}
