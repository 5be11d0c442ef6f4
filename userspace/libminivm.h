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
/* MINIVM_CREATE_VM with MINIVM_VM_* flags (MINIVM_VM_LAPIC). */
int minivm_create_vm_flags(int sys_fd, uint32_t flags, uint64_t *vm_id);
const char *minivm_vendor_name(uint64_t vendor);
int minivm_set_memory_region(int vm_fd, uint32_t slot, uint32_t flags, uint64_t gpa,
			     uint64_t size, void *hva);
int minivm_create_vcpu(int vm_fd, uint32_t id, struct minivm_run **run);
int minivm_run(int vcpu_fd);
int minivm_get_regs(int vcpu_fd, struct minivm_regs *regs);
int minivm_set_regs(int vcpu_fd, const struct minivm_regs *regs);
int minivm_get_sregs(int vcpu_fd, struct minivm_sregs *sregs);
int minivm_set_sregs(int vcpu_fd, const struct minivm_sregs *sregs);
int minivm_get_msrs(int vcpu_fd, struct minivm_msr_entry *e, uint32_t n, uint32_t *done);
int minivm_set_msrs(int vcpu_fd, const struct minivm_msr_entry *e, uint32_t n, uint32_t *done);
int minivm_interrupt(int vcpu_fd, uint32_t vector);
int minivm_nmi(int vcpu_fd);
int minivm_signal_msi(int vm_fd, uint64_t address, uint32_t data);
int minivm_set_unclaimed_ports(int vm_fd, const struct minivm_unclaimed_ports *ports);
int minivm_get_events(int vcpu_fd, struct minivm_events *events);
int minivm_set_events(int vcpu_fd, const struct minivm_events *events);
int minivm_inject_exception(int vcpu_fd, uint8_t vector, uint32_t error_code);
int minivm_inject_page_fault(int vcpu_fd, uint64_t cr2, uint32_t error_code);
const char *minivm_exit_reason_name(uint32_t reason);
const char *minivm_hw_exit_name(uint32_t vendor, uint64_t reason);

/**
 * struct minivm_mmio_env - what minivm_mmio_emulate() needs from its caller
 * @gpa_to_hva: where guest-physical @gpa is in this process, or NULL
 * @read: a device read of @size bytes at @gpa
 * @write: a device write
 * @ctx: passed to each
 */
struct minivm_mmio_env {
	void *(*gpa_to_hva)(void *ctx, uint64_t gpa);
	uint64_t (*read)(void *ctx, uint64_t gpa, unsigned int size);
	void (*write)(void *ctx, uint64_t gpa, unsigned int size, uint64_t value);
	void *ctx;
};

int minivm_mmio_emulate(int vcpu_fd, const struct minivm_run *run,
			const struct minivm_mmio_env *env);
int minivm_mmio_complete(const struct minivm_sregs *s, struct minivm_regs *r, uint64_t gpa,
			 const struct minivm_mmio_env *env);

#endif /* LIBMINIVM_H */
