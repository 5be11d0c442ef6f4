// SPDX-License-Identifier: LGPL-2.1
/*
 * libminivm: a thin C wrapper over /dev/minivm's ioctls.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "libminivm.h"

/* The ABI's sizes, from the list the module pins too. */
#define MINIVM_ABI_SIZE(type, size) static_assert(sizeof(type) == (size), "minivm ABI changed");
#include <linux/minivm_sizes.h>

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
	return minivm_create_vm_flags(sys_fd, 0, vm_id);
}

int minivm_create_vm_flags(int sys_fd, uint32_t flags, uint64_t *vm_id)
{
	struct minivm_create_vm args;
	int fd;

	memset(&args, 0, sizeof(args));
	args.flags = flags;
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

int minivm_set_memory_region(int vm_fd, uint32_t slot, uint32_t flags, uint64_t gpa,
			     uint64_t size, void *hva)
{
	struct minivm_memory_region r = {
		.slot = slot, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (uint64_t)(uintptr_t)hva,
	};

	return minivm_ioctl(vm_fd, MINIVM_SET_MEMORY_REGION, &r);
}

/* Returns the vCPU's file descriptor, with its run page mapped at *run. */
int minivm_create_vcpu(int vm_fd, uint32_t id, struct minivm_run **run)
{
	struct minivm_create_vcpu args = { .vcpu_id = id };
	int fd = minivm_ioctl(vm_fd, MINIVM_CREATE_VCPU, &args);
	void *p;

	if (fd < 0)
		return fd;
	p = mmap(NULL, (size_t)sysconf(_SC_PAGESIZE), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		int err = -errno;

		close(fd);
		return err;
	}
	*run = p;
	return fd;
}

int minivm_run(int vcpu_fd)
{
	return minivm_ioctl(vcpu_fd, MINIVM_RUN, NULL);
}

int minivm_get_regs(int vcpu_fd, struct minivm_regs *regs)
{
	return minivm_ioctl(vcpu_fd, MINIVM_GET_REGS, regs);
}

int minivm_set_regs(int vcpu_fd, const struct minivm_regs *regs)
{
	return minivm_ioctl(vcpu_fd, MINIVM_SET_REGS, (void *)regs);
}

int minivm_get_sregs(int vcpu_fd, struct minivm_sregs *sregs)
{
	return minivm_ioctl(vcpu_fd, MINIVM_GET_SREGS, sregs);
}

int minivm_set_sregs(int vcpu_fd, const struct minivm_sregs *sregs)
{
	return minivm_ioctl(vcpu_fd, MINIVM_SET_SREGS, (void *)sregs);
}

/* Queue an external interrupt: the guest takes it when it can (-EBUSY: one waits). */
int minivm_interrupt(int vcpu_fd, uint32_t vector)
{
	struct minivm_interrupt irq = { .vector = vector };

	return minivm_ioctl(vcpu_fd, MINIVM_INTERRUPT, &irq);
}

/* MINIVM_SIGNAL_MSI: how many APICs the message reached, or -errno. */
int minivm_signal_msi(int vm_fd, uint64_t address, uint32_t data)
{
	struct minivm_msi msi = { .address = address, .data = data };

	return minivm_ioctl(vm_fd, MINIVM_SIGNAL_MSI, &msi);
}

int minivm_set_unclaimed_ports(int vm_fd, const struct minivm_unclaimed_ports *ports)
{
	return minivm_ioctl(vm_fd, MINIVM_SET_UNCLAIMED_PORTS, (void *)ports);
}

int minivm_nmi(int vcpu_fd)
{
	return minivm_ioctl(vcpu_fd, MINIVM_NMI, NULL);
}

int minivm_get_events(int vcpu_fd, struct minivm_events *events)
{
	return minivm_ioctl(vcpu_fd, MINIVM_GET_EVENTS, events);
}

int minivm_set_events(int vcpu_fd, const struct minivm_events *events)
{
	return minivm_ioctl(vcpu_fd, MINIVM_SET_EVENTS, (void *)events);
}

static int exception_has_error(uint8_t vector)
{
	return vector < 32 && ((MINIVM_EXCEPTIONS_WITH_ERROR_CODE >> vector) & 1);
}

/*
 * Raise exception @vector in the guest at its next entry, as an instruction
 * userspace emulates would (#GP, #UD, ...): the error code is used only for
 * the exceptions that have one. -EBUSY while another event is pending.
 */
static int inject_exception(int vcpu_fd, uint8_t vector, uint32_t error_code,
			    int with_cr2, uint64_t cr2)
{
	struct minivm_events e;
	int ret = minivm_get_events(vcpu_fd, &e);

	if (ret)
		return ret;
	if (e.injected.type || e.exception.type)
		return -EBUSY;
	e.exception.type = MINIVM_EVENT_EXCEPTION;
	e.exception.vector = vector;
	e.exception.has_error_code = exception_has_error(vector);
	e.exception.error_code = e.exception.has_error_code ? error_code : 0;
	if (with_cr2) {
		e.flags |= MINIVM_EVENTS_EXCEPTION_CR2;
		e.exception_cr2 = cr2;
	}
	return minivm_set_events(vcpu_fd, &e);
}

int minivm_inject_exception(int vcpu_fd, uint8_t vector, uint32_t error_code)
{
	return inject_exception(vcpu_fd, vector, error_code, 0, 0);
}

/* A #PF at @cr2: CR2 takes the address when the guest takes the fault. */
int minivm_inject_page_fault(int vcpu_fd, uint64_t cr2, uint32_t error_code)
{
	return inject_exception(vcpu_fd, 14, error_code, 1, cr2);
}

/* @n entries; on failure *done (if not NULL) says how many were done. */
static int minivm_msrs(int vcpu_fd, unsigned long cmd, struct minivm_msr_entry *e,
		       uint32_t n, uint32_t *done)
{
	struct minivm_msrs m = { .nmsrs = n, .entries = (uint64_t)(uintptr_t)e };
	int ret = minivm_ioctl(vcpu_fd, cmd, &m);

	if (done)
		*done = ret ? m.nmsrs : n;
	return ret;
}

int minivm_get_msrs(int vcpu_fd, struct minivm_msr_entry *e, uint32_t n, uint32_t *done)
{
	return minivm_msrs(vcpu_fd, MINIVM_GET_MSRS, e, n, done);
}

int minivm_set_msrs(int vcpu_fd, const struct minivm_msr_entry *e, uint32_t n, uint32_t *done)
{
	return minivm_msrs(vcpu_fd, MINIVM_SET_MSRS, (struct minivm_msr_entry *)e, n, done);
}

const char *minivm_exit_reason_name(uint32_t reason)
{
	static const char *const names[] = {
#define MINIVM_RUN_EXIT(name, words) [MINIVM_EXIT_##name] = words,
#include <linux/minivm_exits.h>
	};

	return reason < sizeof(names) / sizeof(names[0]) && names[reason] ? names[reason] :
	       "unknown";
}

/* The hardware exit names, from the same list the module uses. */
const char *minivm_hw_exit_name(uint32_t vendor, uint64_t reason)
{
#define MINIVM_VMX_EXIT(nr, name) case nr: return #name;
	if (vendor == MINIVM_VENDOR_INTEL_VMX) {
		switch (reason) {
#include <linux/minivm_exits.h>
		}
	}
#undef MINIVM_VMX_EXIT
#define MINIVM_SVM_EXIT(nr, name) case nr: return #name;
	if (vendor == MINIVM_VENDOR_AMD_SVM) {
		switch (reason) {
#include <linux/minivm_exits.h>
		}
	}
#undef MINIVM_SVM_EXIT
	return "UNKNOWN";
}
