// SPDX-License-Identifier: LGPL-2.1
/*
 * libminivm: a thin C wrapper over /dev/minivm's ioctls.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include "libminivm.h"

/* The ABI's sizes, as the module pins them (kmod/abi.c). */
static_assert(sizeof(struct minivm_api_version) == 8, "minivm ABI changed");
static_assert(sizeof(struct minivm_check_cap) == 16, "minivm ABI changed");
static_assert(sizeof(struct minivm_create_vm) == 32, "minivm ABI changed");

static int minivm_ioctl(int fd, unsigned long cmd, void *arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

/* Open /dev/minivm; -ENOENT means the module is not loaded. */
int minivm_open(void)
{
	int fd = open(MINIVM_DEVICE, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int minivm_api_version(int sys_fd, uint32_t *version)
{
	struct minivm_api_version v;
	int ret = minivm_ioctl(sys_fd, MINIVM_GET_API_VERSION, &v);

	if (!ret)
		*version = v.version;
	return ret;
}

int minivm_check_cap(int sys_fd, enum minivm_cap cap, uint64_t *value)
{
	struct minivm_check_cap c = { .cap = cap };
	int ret = minivm_ioctl(sys_fd, MINIVM_CHECK_CAP, &c);

	if (!ret)
		*value = c.value;
	return ret;
}

/* Returns the VM's file descriptor; its id goes to @vm_id when not NULL. */
int minivm_create_vm(int sys_fd, uint64_t *vm_id)
{
	struct minivm_create_vm args;
	int fd;

	memset(&args, 0, sizeof(args));
	fd = minivm_ioctl(sys_fd, MINIVM_CREATE_VM, &args);
	if (fd >= 0 && vm_id)
		*vm_id = args.vm_id;
	return fd;
}

const char *minivm_vendor_name(uint64_t vendor)
{
	switch (vendor) {
	case MINIVM_VENDOR_INTEL_VMX:
		return "Intel VMX";
	case MINIVM_VENDOR_AMD_SVM:
		return "AMD SVM";
	default:
		return "unknown";
	}
}
