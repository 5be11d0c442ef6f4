/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm VMX: the VMCS instructions. Every VMCS access goes through the
 * current VMCS of this CPU; the caller makes sure it is the right one (see
 * vmx_vcpu_load()). Failures mean a minivm bug, not a guest's doing, so
 * they are not reported one by one: a bad VMCS shows at VM entry, which is
 * checked and reported with the hardware's error number.
 */
#ifndef MINIVM_VMX_VMCS_H
#define MINIVM_VMX_VMCS_H

#include <linux/types.h>
#include <asm/vmx.h>

static __always_inline u64 vmcs_read(unsigned long field)
{
	u64 value;

	asm volatile("vmread %[field], %[value]"
		     : [value] "=rm" (value) : [field] "r" (field) : "cc");
	return value;
}

static __always_inline void vmcs_write(unsigned long field, u64 value)
{
	asm volatile("vmwrite %[value], %[field]"
		     : : [value] "rm" (value), [field] "r" (field) : "cc");
}

/* 0, or -EIO when the instruction reports VMfail. */
static inline int vmcs_load(u64 pa)
{
	bool fail;

	asm volatile("vmptrld %[pa]" CC_SET(be)
		     : CC_OUT(be) (fail) : [pa] "m" (pa) : "memory");
	return fail ? -EIO : 0;
}

static inline void vmcs_clear(u64 pa)
{
	asm volatile("vmclear %[pa]" : : [pa] "m" (pa) : "memory", "cc");
}

static inline void vmx_invept(unsigned long type, u64 eptp)
{
	struct {
		u64 eptp, reserved;
	} desc = { eptp, 0 };

	asm volatile("invept %[desc], %[type]"
		     : : [desc] "m" (desc), [type] "r" (type) : "memory", "cc");
}

#endif /* MINIVM_VMX_VMCS_H */
