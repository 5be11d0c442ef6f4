// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: the ABI's sizes, pinned. A change to a struct in
 * uapi/linux/minivm.h that alters its size fails the build here (and in
 * userspace/libminivm.c) instead of silently breaking binaries.
 */
#include <linux/build_bug.h>
#include <uapi/linux/minivm.h>

static_assert(sizeof(struct minivm_api_version) == 8);
static_assert(sizeof(struct minivm_check_cap) == 16);
static_assert(sizeof(struct minivm_create_vm) == 32);
static_assert(sizeof(struct minivm_memory_region) == 32);
static_assert(sizeof(struct minivm_create_vcpu) == 32);
static_assert(sizeof(struct minivm_regs) == 144);
static_assert(sizeof(struct minivm_segment) == 16);
static_assert(sizeof(struct minivm_dtable) == 16);
static_assert(sizeof(struct minivm_sregs) == 224);
static_assert(sizeof(struct minivm_run) == 256);
static_assert(sizeof(struct minivm_msr_entry) == 16);
static_assert(sizeof(struct minivm_msrs) == 16);
