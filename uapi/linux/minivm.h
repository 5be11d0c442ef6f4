/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * minivm: the user ABI of /dev/minivm.
 *
 * The contract between minivm.ko and its users. One struct per ioctl, every
 * reserved field must be zero (the module refuses anything else with
 * -EINVAL), and every size is pinned by static asserts in the module
 * (kmod/abi.c) and in libminivm, so a layout change cannot slip in.
 * Documentation/api.rst describes each call.
 */
#ifndef _UAPI_LINUX_MINIVM_H
#define _UAPI_LINUX_MINIVM_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * The API version. It changes only when an existing call changes meaning;
 * new calls are announced by capabilities instead.
 */
#define MINIVM_API_VERSION	1

#define MINIVM_IOCTL_TYPE	0xB7

/**
 * struct minivm_api_version - answer of %MINIVM_GET_API_VERSION
 * @version: %MINIVM_API_VERSION of the running module
 * @reserved: written as zero
 */
struct minivm_api_version {
	__u32 version;
	__u32 reserved;
};

/**
 * enum minivm_cap - capabilities queried with %MINIVM_CHECK_CAP
 * @MINIVM_CAP_VENDOR: the backend in use, a &enum minivm_vendor
 * @MINIVM_CAP_TAGGED_TLB: non-zero when guest TLB entries are tagged (VPID on
 *	VMX, ASIDs on SVM); the value is the number of tags the hardware has
 * @MINIVM_CAP_HUGE_PAGES: bit 0 set when 2 MiB EPT/NPT mappings are available
 * @MINIVM_CAP_MAX_VMS: how many VMs may exist at once
 * @MINIVM_CAP_NR: one past the last capability this header knows
 */
enum minivm_cap {
	MINIVM_CAP_VENDOR = 1,
	MINIVM_CAP_TAGGED_TLB = 2,
	MINIVM_CAP_HUGE_PAGES = 3,
	MINIVM_CAP_MAX_VMS = 4,
	MINIVM_CAP_NR,
};

/**
 * enum minivm_vendor - value of %MINIVM_CAP_VENDOR
 * @MINIVM_VENDOR_INTEL_VMX: Intel VT-x with EPT and unrestricted guest
 * @MINIVM_VENDOR_AMD_SVM: AMD-V with nested paging
 */
enum minivm_vendor {
	MINIVM_VENDOR_INTEL_VMX = 1,
	MINIVM_VENDOR_AMD_SVM = 2,
};

/**
 * struct minivm_check_cap - argument of %MINIVM_CHECK_CAP
 * @cap: in: a &enum minivm_cap
 * @reserved: in: must be zero
 * @value: out: the capability's value; 0 when the module does not know
 *	@cap (a newer header asking an older module)
 */
struct minivm_check_cap {
	__u32 cap;
	__u32 reserved;
	__u64 value;
};

/**
 * struct minivm_create_vm - argument of %MINIVM_CREATE_VM
 * @flags: in: must be zero (no flags are defined yet)
 * @reserved: in: must be zero
 * @vm_id: out: the module-wide id of the new VM, as tracepoints show it
 *
 * On success the ioctl returns a new file descriptor for the VM. While any VM
 * exists, the module holds VMX/SVM enabled on every online CPU.
 */
struct minivm_create_vm {
	__u32 flags;
	__u32 reserved[5];
	__u64 vm_id;
};

/* /dev/minivm */
#define MINIVM_GET_API_VERSION	_IOR(MINIVM_IOCTL_TYPE, 0x00, struct minivm_api_version)
#define MINIVM_CHECK_CAP	_IOWR(MINIVM_IOCTL_TYPE, 0x01, struct minivm_check_cap)
#define MINIVM_CREATE_VM	_IOWR(MINIVM_IOCTL_TYPE, 0x02, struct minivm_create_vm)

#endif /* _UAPI_LINUX_MINIVM_H */
