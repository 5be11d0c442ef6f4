/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm VMX: entering VMX operation, with a fault turned into an error
 * rather than an oops (leaving it is the kernel's cpu_vmxoff()).
 */
#include <linux/linkage.h>
#include <asm/asm.h>

#define EIO	5
#define EFAULT	14

	.text
/*
 * int minivm_vmxon(u64 vmxon_region_pa): 0; -EIO when VMXON reports
 * VMfail (CF or ZF); -EFAULT when it faults (#GP, #UD).
 */
SYM_FUNC_START(minivm_vmxon)
	push	%rdi
1:	vmxon	(%rsp)
	jbe	2f
	xor	%eax, %eax
	jmp	4f
2:	mov	$-EIO, %eax
	jmp	4f
3:	mov	$-EFAULT, %eax
4:	add	$8, %rsp
	RET
	_ASM_EXTABLE(1b, 3b)
SYM_FUNC_END(minivm_vmxon)
