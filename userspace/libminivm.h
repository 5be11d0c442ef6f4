/* SPDX-License-Identifier: LGPL-2.1 */
/*
 * libminivm: a thin C wrapper over /dev/minivm's ioctls.
 *
 * Every function returns 0 (or a file descriptor) on success and a negative
 * errno on failure, so callers never have to look at errno themselves.
 */
#ifndef LIBMINIVM_H
#define LIBMINIVM_H

#include <stdint.h>
#include <linux/minivm.h>

#define MINIVM_DEVICE "/dev/minivm"

int minivm_open(void);
int minivm_api_version(int sys_fd, uint32_t *version);
int minivm_check_cap(int sys_fd, enum minivm_cap cap, uint64_t *value);
int minivm_create_vm(int sys_fd, uint64_t *vm_id);
const char *minivm_vendor_name(uint64_t vendor);

#endif /* LIBMINIVM_H */
