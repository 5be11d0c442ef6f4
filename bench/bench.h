/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The benchmark drivers: one workload program (bench.c) linked with one
 * hypervisor back end, hv_kvm.c for /dev/kvm or hv_minivm.c for /dev/minivm.
 * Both back ends give the guest the same state, memory and exits, so the
 * only difference between two runs is the hypervisor underneath.
 */
#ifndef BENCH_H
#define BENCH_H

#include <stddef.h>
#include <stdint.h>

/* Where every guest's code sits; RAM slot 0 always starts at 0. */
#define GUEST_CODE_GPA	0x1000UL

struct hv_vm {
	int fd;		/* the VM */
	int vcpu;	/* its first vCPU */
	void *run;	/* the vCPU's shared page(s) */
	size_t run_size;
	int ap;		/* a second vCPU (hv_vcpu_create_ap()), or 0 */
	void *ap_run;
};

enum hv_exit_kind { HV_EXIT_IO, HV_EXIT_HLT, HV_EXIT_OTHER };

struct hv_exit {
	enum hv_exit_kind kind;
	uint16_t port;		/* HV_EXIT_IO: an OUT to this port */
	char what[96];		/* HV_EXIT_OTHER: the hypervisor's own words */
};

/* What each back end provides; all return 0 or a negative errno. */
extern const char hv_name[];
int hv_open(void);
int hv_vm_create(struct hv_vm *vm);
/*
 * The same with a local APIC per vCPU in the kernel, the rest of the
 * platform left to userspace: KVM's split irqchip, minivm's MINIVM_VM_LAPIC.
 * HLT then waits in the kernel for an interrupt instead of exiting.
 */
int hv_vm_create_apic(struct hv_vm *vm);
int hv_add_memory(struct hv_vm *vm, uint32_t slot, uint64_t gpa, uint64_t size, void *hva);
/*
 * vCPU @id in 32-bit flat protected mode, paging off, at @rip: its fd (or
 * a negative errno), its shared page(s) mapped at *@run (vm->run_size).
 */
int hv_vcpu_new(struct hv_vm *vm, unsigned int id, void **run, uint64_t rip, uint64_t rsi,
		uint64_t rbx, uint64_t rcx);
/* Make a vCPU runnable that the in-kernel APIC would hold for INIT/SIPI. */
int hv_vcpu_runnable(int vcpu);
/* Run the vCPU @vcpu (shared page @run) until an exit to userspace. */
int hv_run_vcpu(int vcpu, const void *run, struct hv_exit *exit);

/* Built on those (bench.c): the first vCPU, a second one, and their runs. */
int hv_vcpu_create(struct hv_vm *vm, uint64_t rip, uint64_t rsi, uint64_t rbx, uint64_t rcx);
int hv_vcpu_create_ap(struct hv_vm *vm, uint64_t rip);
int hv_run(struct hv_vm *vm, struct hv_exit *exit);
int hv_run_ap(struct hv_vm *vm, struct hv_exit *exit);

/* Both hypervisors' VMs end the same way: every fd closed (bench.c). */
void hv_vm_destroy(struct hv_vm *vm);

#endif /* BENCH_H */
