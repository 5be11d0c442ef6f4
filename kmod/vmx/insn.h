/* SPDX-License-Identifier: GPL-2.0 */
/* minivm VMX: instructions written in assembly. */
#ifndef MINIVM_VMX_INSN_H
#define MINIVM_VMX_INSN_H

#include <linux/types.h>

/* vmxon.S: 0, -EIO on VMfail, -EFAULT on a fault. */
int minivm_vmxon(u64 vmxon_region_pa);

#endif /* MINIVM_VMX_INSN_H */
