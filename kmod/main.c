// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: a small hypervisor for Linux.
 *
 * Module load picks the backend that fits the CPU (VMX or SVM), checks every
 * CPU, and registers /dev/minivm. Nothing is switched on in the hardware
 * until the first VM is created (virt.c).
 */
#include <linux/cpu.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/smp.h>
#include <linux/static_call.h>
#include <linux/uaccess.h>
#include <asm/tsc.h>
#include "minivm.h"

const struct minivm_backend *minivm_be;
DEFINE_STATIC_CALL_NULL(minivm_be_vcpu_run, *((struct minivm_backend *)0)->vcpu_run);
DEFINE_STATIC_CALL_NULL(minivm_be_skip, *((struct minivm_backend *)0)->skip);
DEFINE_STATIC_CALL_NULL(minivm_be_get_event_state, *((struct minivm_backend *)0)->get_event_state);
struct minivm_caps minivm_caps;

/* Read-only once loaded: the VM count is checked against it without a lock. */
unsigned int minivm_max_vms = MINIVM_MAX_VMS_DEFAULT;
module_param_named(max_vms, minivm_max_vms, uint, 0444);
MODULE_PARM_DESC(max_vms, "how many VMs may exist at once (1-1048576, default 4096)");

static const struct minivm_backend *const minivm_backends[] = {
	&minivm_vmx_backend,
	&minivm_svm_backend,
};

static long minivm_get_api_version(struct minivm_api_version __user *uarg)
{
	struct minivm_api_version v = { .version = MINIVM_API_VERSION };

	return copy_to_user(uarg, &v, sizeof(v)) ? -EFAULT : 0;
}

static u64 minivm_cap_value(u32 cap)
{
	switch (cap) {
	case MINIVM_CAP_VENDOR:
		return minivm_be->vendor;
	case MINIVM_CAP_TAGGED_TLB:
		return minivm_caps.tagged_tlb;
	case MINIVM_CAP_HUGE_PAGES:
		return minivm_caps.huge_pages;
	case MINIVM_CAP_MAX_VMS:
		return minivm_max_vms;
	case MINIVM_CAP_RUN:
		return 1;
	case MINIVM_CAP_MAX_VCPUS:
		return MINIVM_MAX_VCPUS;
	case MINIVM_CAP_MAX_MEMORY_REGIONS:
		return MINIVM_MAX_REGIONS;
	case MINIVM_CAP_EVENTS:
		return 1;
	case MINIVM_CAP_TSC_KHZ:
		return tsc_khz;
	case MINIVM_CAP_LAPIC:
	case MINIVM_CAP_EOI_EXIT:
	case MINIVM_CAP_IMMEDIATE_EXIT:
	case MINIVM_CAP_UNCLAIMED_PORTS:
		return 1;
	default:
		return 0;
	}
}

static long minivm_check_cap(struct minivm_check_cap __user *uarg)
{
	struct minivm_check_cap c;

	if (copy_from_user(&c, uarg, sizeof(c)))
		return -EFAULT;
	if (c.reserved)
		return -EINVAL;
	c.value = minivm_cap_value(c.cap);
	return copy_to_user(uarg, &c, sizeof(c)) ? -EFAULT : 0;
}

static long minivm_dev_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case MINIVM_GET_API_VERSION:
		return minivm_get_api_version(uarg);
	case MINIVM_CHECK_CAP:
		return minivm_check_cap(uarg);
	case MINIVM_CREATE_VM:
		return minivm_vm_create(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations minivm_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = minivm_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice minivm_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "minivm",
	.fops = &minivm_dev_fops,
	.mode = 0660,
};

const struct minivm_backend *minivm_backend_for(enum minivm_vendor vendor)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(minivm_backends); i++)
		if (minivm_backends[i]->vendor == vendor)
			return minivm_backends[i];
	return NULL;
}

struct cpu_check_result {
	int err;
	unsigned int cpu;
	const char *why;
};

static void minivm_cpu_check(void *data)
{
	struct cpu_check_result *res = data;
	const char *why = NULL;
	int err = minivm_be->cpu_check(&why);

	/* Keep the first failure; CPUs run this one at a time. */
	if (err && !res->err) {
		res->err = err;
		res->cpu = smp_processor_id();
		res->why = why;
	}
}

/* Pick the backend for this CPU; one line on failure, naming the reason. */
static int minivm_probe(void)
{
	struct cpu_check_result res = {};
	const char *why = NULL;
	int i, ret = -ENODEV;

	for (i = 0; i < ARRAY_SIZE(minivm_backends); i++) {
		ret = minivm_backends[i]->probe(&minivm_caps, &why);
		if (ret != -ENXIO) {
			minivm_be = minivm_backends[i];
			static_call_update(minivm_be_vcpu_run, minivm_be->vcpu_run);
			static_call_update(minivm_be_skip, minivm_be->skip);
			static_call_update(minivm_be_get_event_state,
					   minivm_be->get_event_state);
			break;
		}
	}
	if (ret == -ENXIO) {
		pr_err("minivm: cannot load: CPU is neither Intel (VMX) nor AMD (SVM)\n");
		return -ENODEV;
	}
	if (ret) {
		pr_err("minivm: cannot load: %s\n", why);
		return ret;
	}

	cpus_read_lock();
	for_each_online_cpu(i)
		smp_call_function_single(i, minivm_cpu_check, &res, 1);
	cpus_read_unlock();
	if (res.err) {
		pr_err("minivm: cannot load: CPU %u: %s\n", res.cpu, res.why);
		return res.err;
	}
	return 0;
}

static int __init minivm_init(void)
{
	int ret;

	if (!minivm_max_vms || minivm_max_vms > MINIVM_MAX_VMS_LIMIT) {
		pr_err("minivm: cannot load: max_vms=%u is outside 1-%u\n", minivm_max_vms,
		       MINIVM_MAX_VMS_LIMIT);
		return -EINVAL;
	}
	ret = minivm_probe();
	if (ret)
		return ret;
	minivm_policy_init();
	minivm_vcpu_init();
	ret = minivm_be->init ? minivm_be->init() : 0;
	if (ret)
		goto err_vcpu;
	ret = minivm_virt_init();
	if (ret)
		goto err_be;
	ret = misc_register(&minivm_dev);
	if (ret)
		goto err_virt;
	minivm_debugfs_init();
	pr_info("minivm: ready (%s, %u TLB tags, 2M pages %s), API %d\n",
		minivm_be->name, minivm_caps.tagged_tlb,
		minivm_caps.huge_pages ? "yes" : "no", MINIVM_API_VERSION);
	return 0;

err_virt:
	minivm_virt_exit();
err_be:
	if (minivm_be->exit)
		minivm_be->exit();
err_vcpu:
	minivm_vcpu_exit();
	return ret;
}

static void __exit minivm_exit(void)
{
	minivm_debugfs_exit();
	misc_deregister(&minivm_dev);
	minivm_virt_exit();
	if (minivm_be->exit)
		minivm_be->exit();
	minivm_vcpu_exit();
}

module_init(minivm_init);
module_exit(minivm_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("minivm: a small hypervisor for Intel VT-x and AMD-V");
