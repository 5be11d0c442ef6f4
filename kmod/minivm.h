/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm: what the vendor-neutral core and the backends share.
 *
 * The core (device, VMs, virtualization enable, names) knows nothing about
 * VMX or SVM; each backend fills one struct minivm_backend.
 */
#ifndef MINIVM_H
#define MINIVM_H

#include <linux/types.h>
#include <uapi/linux/minivm.h>

/* How many VMs may exist at once (MINIVM_CAP_MAX_VMS). */
#define MINIVM_MAX_VMS		4096

/**
 * struct minivm_caps - what a backend found the hardware can do
 * @tagged_tlb: number of TLB tags (VPIDs or ASIDs); 0 when untagged
 * @huge_pages: 2 MiB EPT/NPT mappings are available
 */
struct minivm_caps {
	u32 tagged_tlb;
	bool huge_pages;
};

/**
 * struct minivm_backend - one vendor's implementation
 * @name: "vmx" or "svm", as messages and debugfs show it
 * @vendor: the value of %MINIVM_CAP_VENDOR
 * @probe: decide on the boot CPU whether this backend can run. Returns 0
 *	and fills @caps when it can; -ENXIO, silently, when the CPU is not
 *	this backend's vendor; otherwise an errno and, in @why, one sentence
 *	naming what is missing or disabled.
 * @cpu_check: on each CPU at load, preemption off: an errno and @why when
 *	this CPU cannot be used (disabled by firmware, in use by another
 *	hypervisor)
 * @prepare_area: optional; initialize a CPU's page-sized area (the VMXON
 *	region, the SVM host save area) once, at load
 * @cpu_enable: enable VMX/SVM on this CPU using its @area (physical
 *	address); called with interrupts off. Returns -EBUSY when another
 *	hypervisor holds it.
 * @cpu_disable: undo @cpu_enable on this CPU; called with interrupts off
 * @cpu_hw_enabled: whether VMX/SVM is on in this CPU's hardware right now
 *	(CR4.VMXE, EFER.SVME), whoever turned it on
 */
struct minivm_backend {
	const char *name;
	enum minivm_vendor vendor;
	int (*probe)(struct minivm_caps *caps, const char **why);
	int (*cpu_check)(const char **why);
	void (*prepare_area)(void *area);
	int (*cpu_enable)(phys_addr_t area);
	void (*cpu_disable)(void);
	bool (*cpu_hw_enabled)(void);
};

extern const struct minivm_backend minivm_vmx_backend;
extern const struct minivm_backend minivm_svm_backend;

/* The backend chosen at load, and what it found. */
extern const struct minivm_backend *minivm_be;
extern struct minivm_caps minivm_caps;

/* virt.c: VMX/SVM held on every online CPU while any VM exists. */
int minivm_virt_get(void);
void minivm_virt_put(void);
bool minivm_virt_cpu_enabled(unsigned int cpu);
int minivm_virt_init(void);
void minivm_virt_exit(void);

/* vm.c */
long minivm_vm_create(struct minivm_create_vm __user *uarg);

/* exit_names.c */
const char *minivm_exit_name(enum minivm_vendor vendor, u64 reason);

/* debugfs.c */
void minivm_debugfs_init(void);
void minivm_debugfs_exit(void);

#endif /* MINIVM_H */
