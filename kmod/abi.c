// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: the ABI's sizes, pinned from the one list in
 * uapi/linux/minivm_sizes.h (userspace/libminivm.c pins the same list), and
 * the entry assembly's register offsets, checked against the C enum.
 */
#include <linux/build_bug.h>
#include <linux/compiler.h>
#include <uapi/linux/minivm.h>
#include "guest_gprs.h"
#include "minivm.h"

/* One 0 per struct of the list; a struct whose size changed fails the build. */
static const int minivm_abi_sizes_pinned[] __maybe_unused = {
#define MINIVM_ABI_SIZE(type, size) BUILD_BUG_ON_ZERO(sizeof(type) != (size)),
#include <uapi/linux/minivm_sizes.h>
};

#define GPR_OFFSET(reg) static_assert(G_##reg == MINIVM_##reg * sizeof(u64))
GPR_OFFSET(RAX);
GPR_OFFSET(RCX);
GPR_OFFSET(RDX);
GPR_OFFSET(RBX);
GPR_OFFSET(RBP);
GPR_OFFSET(RSI);
GPR_OFFSET(RDI);
GPR_OFFSET(R8);
GPR_OFFSET(R9);
GPR_OFFSET(R10);
GPR_OFFSET(R11);
GPR_OFFSET(R12);
GPR_OFFSET(R13);
GPR_OFFSET(R14);
GPR_OFFSET(R15);
