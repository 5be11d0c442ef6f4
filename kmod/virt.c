// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: hardware virtualization on all CPUs, only while a VM exists.
 *
 * VMX/SVM is switched on when the first VM is created and off when the last
 * one goes, so minivm holds nothing while idle and another hypervisor (KVM)
 * can take its turn. A dynamic CPU hotplug state does the work: registering
 * it runs the enable callback on every online CPU (and rolls back if any CPU
 * refuses), CPUs that come online later are enabled before they run tasks,
 * and CPUs going offline are disabled.
 */
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/reboot.h>
#include "minivm.h"

static DEFINE_MUTEX(virt_lock);
static unsigned int virt_users;		/* VMs alive; under virt_lock */
static enum cpuhp_state virt_state;	/* valid while virt_users > 0 */
static DEFINE_PER_CPU(bool, virt_enabled);
/* The page each CPU needs in VMX/SVM operation, allocated at load. */
static DEFINE_PER_CPU(struct page *, virt_area);

static int virt_cpu_online(unsigned int cpu)
{
	unsigned long flags;
	int ret;

	local_irq_save(flags);
	ret = minivm_be->cpu_enable(page_to_phys(this_cpu_read(virt_area)));
	if (!ret)
		this_cpu_write(virt_enabled, true);
	local_irq_restore(flags);
	if (ret == -EBUSY)
		pr_err("minivm: cannot enable %s on CPU %u: in use by another hypervisor\n",
		       minivm_be->name, cpu);
	else if (ret)
		pr_err("minivm: cannot enable %s on CPU %u (error %d)\n",
		       minivm_be->name, cpu, ret);
	return ret;
}

static void virt_cpu_disable_local(void)
{
	if (this_cpu_read(virt_enabled)) {
		minivm_be->cpu_disable();
		this_cpu_write(virt_enabled, false);
	}
}

static int virt_cpu_offline(unsigned int cpu)
{
	unsigned long flags;

	local_irq_save(flags);
	virt_cpu_disable_local();
	local_irq_restore(flags);
	return 0;
}

/**
 * minivm_virt_get() - hold VMX/SVM enabled on all online CPUs
 *
 * Return: 0, or -EBUSY when another hypervisor holds some CPU, or another
 * errno from the hotplug core; nothing stays enabled on failure.
 */
int minivm_virt_get(void)
{
	int ret = 0;

	mutex_lock(&virt_lock);
	if (!virt_users) {
		ret = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "minivm:online",
					virt_cpu_online, virt_cpu_offline);
		if (ret < 0)
			goto out;
		virt_state = ret;
		ret = 0;
	}
	virt_users++;
out:
	mutex_unlock(&virt_lock);
	return ret;
}

/** minivm_virt_put() - drop a hold taken by minivm_virt_get() */
void minivm_virt_put(void)
{
	mutex_lock(&virt_lock);
	if (!WARN_ON_ONCE(!virt_users) && !--virt_users)
		cpuhp_remove_state(virt_state);
	mutex_unlock(&virt_lock);
}

/** minivm_virt_cpu_enabled() - whether minivm holds VMX/SVM on @cpu */
bool minivm_virt_cpu_enabled(unsigned int cpu)
{
	return per_cpu(virt_enabled, cpu);
}

static void virt_emergency_disable(void *unused)
{
	virt_cpu_disable_local();
}

/*
 * Some platforms hang on reboot if a CPU is left in VMX operation (INIT is
 * blocked): leave it before the machine goes down, whatever VMs remain.
 */
static int virt_reboot(struct notifier_block *nb, unsigned long code, void *unused)
{
	on_each_cpu(virt_emergency_disable, NULL, 1);
	return NOTIFY_OK;
}

static struct notifier_block virt_reboot_nb = {
	.notifier_call = virt_reboot,
	.priority = 0,
};

static unsigned int virt_area_order(void)
{
	return get_order(minivm_be->area_pages * PAGE_SIZE);
}

/** minivm_virt_area() - physical address of @cpu's area (&minivm_backend.area_pages) */
phys_addr_t minivm_virt_area(unsigned int cpu)
{
	return page_to_phys(per_cpu(virt_area, cpu));
}

static void virt_free_areas(void)
{
	unsigned int cpu;

	for_each_possible_cpu(cpu) {
		if (per_cpu(virt_area, cpu))
			__free_pages(per_cpu(virt_area, cpu), virt_area_order());
		per_cpu(virt_area, cpu) = NULL;
	}
}

/** minivm_virt_init() - allocate every possible CPU's area; at load */
int minivm_virt_init(void)
{
	unsigned int cpu;
	int ret;

	for_each_possible_cpu(cpu) {
		struct page *area = alloc_pages_node(cpu_to_node(cpu), GFP_KERNEL | __GFP_ZERO,
						     virt_area_order());

		if (!area) {
			virt_free_areas();
			return -ENOMEM;
		}
		if (minivm_be->prepare_area)
			minivm_be->prepare_area(page_address(area));
		per_cpu(virt_area, cpu) = area;
	}
	ret = register_reboot_notifier(&virt_reboot_nb);
	if (ret)
		virt_free_areas();
	return ret;
}

/** minivm_virt_exit() - undo minivm_virt_init(); no VM may exist */
void minivm_virt_exit(void)
{
	unregister_reboot_notifier(&virt_reboot_nb);
	virt_free_areas();
}
