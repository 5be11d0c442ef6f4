/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * minivm: the size of every struct of the ABI, listed once.
 *
 * Define MINIVM_ABI_SIZE(type, size) and include this file after
 * <linux/minivm.h>: the module (kmod/abi.c) and libminivm both turn each
 * line into a static assertion, so a change to a struct's size fails both
 * builds instead of silently breaking binaries. A size changes only with
 * %MINIVM_API_VERSION. No include guard: meant to be included where needed.
 */
#ifndef MINIVM_ABI_SIZE
#define MINIVM_ABI_SIZE(type, size)
#endif

MINIVM_ABI_SIZE(struct minivm_api_version, 8)
MINIVM_ABI_SIZE(struct minivm_check_cap, 16)
MINIVM_ABI_SIZE(struct minivm_create_vm, 32)
MINIVM_ABI_SIZE(struct minivm_memory_region, 32)
MINIVM_ABI_SIZE(struct minivm_create_vcpu, 32)
MINIVM_ABI_SIZE(struct minivm_regs, 144)
MINIVM_ABI_SIZE(struct minivm_segment, 16)
MINIVM_ABI_SIZE(struct minivm_dtable, 16)
MINIVM_ABI_SIZE(struct minivm_sregs, 224)
MINIVM_ABI_SIZE(struct minivm_run, 280)
MINIVM_ABI_SIZE(struct minivm_msr_entry, 16)
MINIVM_ABI_SIZE(struct minivm_msrs, 16)
MINIVM_ABI_SIZE(struct minivm_interrupt, 8)
MINIVM_ABI_SIZE(struct minivm_event, 8)
MINIVM_ABI_SIZE(struct minivm_events, 64)
MINIVM_ABI_SIZE(struct minivm_mp_state, 8)
MINIVM_ABI_SIZE(struct minivm_msi, 32)
MINIVM_ABI_SIZE(struct minivm_unclaimed_ports, 8200)

#undef MINIVM_ABI_SIZE
