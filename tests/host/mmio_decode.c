// SPDX-License-Identifier: GPL-2.0
/*
 * libminivm's MMIO completion (userspace/emulate.c), without a guest: each
 * instruction form a device driver uses is fetched from a fake guest's
 * memory (through its page tables in long mode), decoded by Zydis, and
 * must make exactly one device access of the right size and value, leave
 * the right value in the right part of the right register, and move RIP
 * past it: MOV in each direction and size (AH and R8B included), with
 * immediates and moffs, MOVZX, MOVSX, MOVSXD, in long, 32-bit and real
 * mode. What it does not finish (arithmetic on memory, string moves, bytes
 * that are no instruction, an instruction cut off by an unmapped page) is
 * refused with its own error and leaves the registers as they were.
 * Prints one line per failed check; exits 1 if any failed.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "libminivm.h"

#define RAM_SIZE	0x10000		/* guest RAM: 64 KiB from 0 */
#define CODE		0x8000		/* where each instruction goes */
#define DEVICE		0xfee00000ULL	/* the GPA the fake exit reports */

static uint8_t ram[RAM_SIZE];

static struct {
	int reads, writes;
	unsigned int size;
	uint64_t gpa, value;	/* written, or returned by a read */
} dev;

static void *gpa_to_hva(void *ctx, uint64_t gpa)
{
	(void)ctx;
	return gpa < RAM_SIZE ? ram + gpa : NULL;
}

static uint64_t dev_read(void *ctx, uint64_t gpa, unsigned int size)
{
	(void)ctx;
	dev.reads++;
	dev.gpa = gpa;
	dev.size = size;
	return dev.value;
}

static void dev_write(void *ctx, uint64_t gpa, unsigned int size, uint64_t value)
{
	(void)ctx;
	dev.writes++;
	dev.gpa = gpa;
	dev.size = size;
	dev.value = value;
}

static const struct minivm_mmio_env env = {
	.gpa_to_hva = gpa_to_hva, .read = dev_read, .write = dev_write,
};

enum mode { LONG, PROT32, REAL };

static struct minivm_sregs sregs(enum mode m)
{
	struct minivm_sregs s = { 0 };

	if (m == LONG) {
		/* 4-level paging: PML4 0x1000, PDPT 0x2000, PD 0x3000, one 2 MiB page at 0. */
		uint64_t e;

		e = 0x2003;
		memcpy(ram + 0x1000, &e, 8);
		e = 0x3003;
		memcpy(ram + 0x2000, &e, 8);
		e = 0x83;
		memcpy(ram + 0x3000, &e, 8);
		s.cr0 = 0x80000011;
		s.cr3 = 0x1000;
		s.cr4 = 0x20;
		s.efer = 0x500;
		s.cs.attrib = MINIVM_SEG_L;
	} else if (m == PROT32) {
		s.cr0 = 0x11;
		s.cs.attrib = MINIVM_SEG_DB;
	}
	return s;
}

static const struct minivm_regs start = {
	.rax = 0x1111111111112233, .rcx = 0x2222222233334444, .rdx = 0x5555555555555555,
	.rdi = 0x7000, .r8 = 0x8888888888888899, .rip = CODE,
};

/* Run one instruction's completion with the device answering @answer. */
static int complete(enum mode m, const char *bytes, size_t len, uint64_t answer,
		    struct minivm_regs *r)
{
	struct minivm_sregs s = sregs(m);

	memset(ram + CODE, 0x90, 32);
	memcpy(ram + CODE, bytes, len);
	memset(&dev, 0, sizeof(dev));
	dev.value = answer;
	*r = start;
	return minivm_mmio_complete(&s, r, DEVICE, &env);
}

#define INSN(s)	s, sizeof(s) - 1

static void reads(void)
{
	struct minivm_regs r;

	/* mov eax, [rdi+0x10]: 4 bytes, zero-extended into RAX */
	CHECK(complete(LONG, INSN("\x8b\x47\x10"), 0xfffffffffedcba98, &r) == 0);
	CHECK(dev.reads == 1 && dev.writes == 0 && dev.size == 4 && dev.gpa == DEVICE);
	CHECK(r.rax == 0xfedcba98 && r.rip == CODE + 3);
	/* mov rax, [rdi] */
	CHECK(complete(LONG, INSN("\x48\x8b\x07"), 0x0123456789abcdef, &r) == 0);
	CHECK(dev.size == 8 && r.rax == 0x0123456789abcdef && r.rip == CODE + 3);
	/* mov ax, [rdi]: the upper 48 bits stay */
	CHECK(complete(LONG, INSN("\x66\x8b\x07"), 0xbeef, &r) == 0);
	CHECK(dev.size == 2 && r.rax == 0x111111111111beef);
	/* mov ah, [rdi]: bits 15:8 only */
	CHECK(complete(LONG, INSN("\x8a\x27"), 0x42, &r) == 0);
	CHECK(dev.size == 1 && r.rax == 0x1111111111114233 && r.rip == CODE + 2);
	/* movzx ecx, byte [rdi] */
	CHECK(complete(LONG, INSN("\x0f\xb6\x0f"), 0x80, &r) == 0);
	CHECK(dev.size == 1 && r.rcx == 0x80 && r.rip == CODE + 3);
	/* movzx cx, byte [rdi]: a 16-bit destination keeps the rest */
	CHECK(complete(LONG, INSN("\x66\x0f\xb6\x0f"), 0x80, &r) == 0);
	CHECK(dev.size == 1 && r.rcx == 0x2222222233330080);
	/* movsx rax, word [rdi] */
	CHECK(complete(LONG, INSN("\x48\x0f\xbf\x07"), 0x8001, &r) == 0);
	CHECK(dev.size == 2 && r.rax == 0xffffffffffff8001);
	/* movsxd rdx, dword [rdi] */
	CHECK(complete(LONG, INSN("\x48\x63\x17"), 0x80000000, &r) == 0);
	CHECK(dev.size == 4 && r.rdx == 0xffffffff80000000);
	/* mov eax, [moffs64]: nine bytes */
	CHECK(complete(LONG, INSN("\xa1\x00\x00\xe0\xfe\x00\x00\x00\x00"), 7, &r) == 0);
	CHECK(dev.size == 4 && r.rax == 7 && r.rip == CODE + 9);
	/* mov r8d, [rdi] */
	CHECK(complete(LONG, INSN("\x44\x8b\x07"), 0x12345678, &r) == 0);
	CHECK(r.r8 == 0x12345678);
}

static void writes(void)
{
	struct minivm_regs r;

	/* mov [rdi], ecx */
	CHECK(complete(LONG, INSN("\x89\x0f"), 0, &r) == 0);
	CHECK(dev.writes == 1 && dev.reads == 0 && dev.size == 4 && dev.value == 0x33334444);
	CHECK(r.rip == CODE + 2 && r.rcx == start.rcx);
	/* mov [rdi], rcx */
	CHECK(complete(LONG, INSN("\x48\x89\x0f"), 0, &r) == 0);
	CHECK(dev.size == 8 && dev.value == 0x2222222233334444);
	/* mov [rdi], ah */
	CHECK(complete(LONG, INSN("\x88\x27"), 0, &r) == 0);
	CHECK(dev.size == 1 && dev.value == 0x22);
	/* mov [rdi], r8b */
	CHECK(complete(LONG, INSN("\x44\x88\x07"), 0, &r) == 0);
	CHECK(dev.size == 1 && dev.value == 0x99 && r.rip == CODE + 3);
	/* mov dword [rdi], 0x12345678 */
	CHECK(complete(LONG, INSN("\xc7\x07\x78\x56\x34\x12"), 0, &r) == 0);
	CHECK(dev.size == 4 && dev.value == 0x12345678 && r.rip == CODE + 6);
	/* mov qword [rdi], -1: the immediate is sign-extended */
	CHECK(complete(LONG, INSN("\x48\xc7\x07\xff\xff\xff\xff"), 0, &r) == 0);
	CHECK(dev.size == 8 && dev.value == ~0ULL);
	/* mov word [rdi], 0xbeef */
	CHECK(complete(LONG, INSN("\x66\xc7\x07\xef\xbe"), 0, &r) == 0);
	CHECK(dev.size == 2 && dev.value == 0xbeef && r.rip == CODE + 5);
}

static void other_modes(void)
{
	struct minivm_regs r;

	/* Real mode: movb $0x77, (0x10) */
	CHECK(complete(REAL, INSN("\xc6\x06\x10\x00\x77"), 0, &r) == 0);
	CHECK(dev.writes == 1 && dev.size == 1 && dev.value == 0x77 && r.rip == CODE + 5);
	/* Real mode with both size prefixes: mov [edi], eax */
	CHECK(complete(REAL, INSN("\x66\x67\x89\x07"), 0, &r) == 0);
	CHECK(dev.size == 4 && dev.value == 0x11112233 && r.rip == CODE + 4);
	/* Real mode: mov ax, [bx+si]: 16-bit by default */
	CHECK(complete(REAL, INSN("\x8b\x00"), 0xabcd, &r) == 0);
	CHECK(dev.size == 2 && r.rax == 0x111111111111abcd && r.rip == CODE + 2);
	/* Real mode: IP wraps at 64 KiB */
	{
		struct minivm_sregs s = sregs(REAL);

		ram[RAM_SIZE - 2] = 0x8b;
		ram[RAM_SIZE - 1] = 0x00;
		r = start;
		r.rip = RAM_SIZE - 2;
		dev.value = 0x1234;
		CHECK(minivm_mmio_complete(&s, &r, DEVICE, &env) == 0);
		CHECK(r.rip == 0 && (r.rax & 0xffff) == 0x1234);
	}
	/* 32-bit: mov eax, [0xfee00000] */
	CHECK(complete(PROT32, INSN("\x8b\x05\x00\x00\xe0\xfe"), 0x5a5a, &r) == 0);
	CHECK(dev.size == 4 && r.rax == 0x5a5a && r.rip == CODE + 6);
	/* 32-bit: movzx eax, word [ebx] */
	CHECK(complete(PROT32, INSN("\x0f\xb7\x03"), 0xffff, &r) == 0);
	CHECK(dev.size == 2 && r.rax == 0xffff && r.rip == CODE + 3);
}

static void refused(void)
{
	struct minivm_regs r;
	struct minivm_sregs s = sregs(LONG);

	/* add [rdi], eax: arithmetic on a device register */
	CHECK(complete(LONG, INSN("\x01\x07"), 0, &r) == -EOPNOTSUPP);
	CHECK(dev.reads + dev.writes == 0 && !memcmp(&r, &start, sizeof(r)));
	/* rep movsd */
	CHECK(complete(LONG, INSN("\xf3\xa5"), 0, &r) == -EOPNOTSUPP);
	CHECK(dev.reads + dev.writes == 0 && !memcmp(&r, &start, sizeof(r)));
	/* mov ds, [rdi]: a segment register is no device's */
	CHECK(complete(LONG, INSN("\x8e\x1f"), 0, &r) == -EOPNOTSUPP);
	CHECK(dev.reads + dev.writes == 0);
	/* 0xd6 (SALC) does not exist in 64-bit mode */
	CHECK(complete(LONG, INSN("\xd6"), 0, &r) == -EINVAL);
	CHECK(dev.reads + dev.writes == 0 && !memcmp(&r, &start, sizeof(r)));
	/* An instruction cut off by the end of RAM: it cannot be fetched whole. */
	ram[RAM_SIZE - 2] = 0x48;
	ram[RAM_SIZE - 1] = 0x8b;
	memset(&dev, 0, sizeof(dev));
	r = start;
	r.rip = RAM_SIZE - 2;
	CHECK(minivm_mmio_complete(&s, &r, DEVICE, &env) == -EFAULT);
	CHECK(dev.reads + dev.writes == 0 && r.rip == RAM_SIZE - 2);
	/* RIP on no page at all */
	r.rip = 0x400000;
	CHECK(minivm_mmio_complete(&s, &r, DEVICE, &env) == -EFAULT);
}

int main(void)
{
	reads();
	writes();
	other_modes();
	refused();
	return failures ? 1 : 0;
}
