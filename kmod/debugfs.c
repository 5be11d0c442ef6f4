// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: /sys/kernel/debug/minivm/, what the module holds right now.
 *
 *   cpus         one line per online CPU: whether minivm holds VMX/SVM
 *                there and whether the hardware has it on (CR4.VMXE,
 *                EFER.SVME)
 *   objects      what every VM together holds: VMs, vCPUs, EPT/NPT table
 *                and cache pages ("name value" lines; all 0 once every
 *                minivm fd is closed)
 *   vm-ID/memory one "name value" line each: the guest mappings made (4 KiB
 *                and 2 MiB), invalidations that removed some, the EPT/NPT
 *                table pages held, the regions in use
 */
#include <linux/cpu.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include "minivm.h"

static struct dentry *minivm_debugfs;

static void read_hw_enabled(void *ret)
{
	*(bool *)ret = minivm_be->cpu_hw_enabled();
}

static int cpus_show(struct seq_file *m, void *unused)
{
	unsigned int cpu;

	cpus_read_lock();
	for_each_online_cpu(cpu) {
		bool hw = false;

		smp_call_function_single(cpu, read_hw_enabled, &hw, 1);
		seq_printf(m, "cpu%u %s minivm=%s hw=%s\n", cpu, minivm_be->name,
			   minivm_virt_cpu_enabled(cpu) ? "on" : "off", hw ? "on" : "off");
	}
	cpus_read_unlock();
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cpus);

static int objects_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "vms %d\nvcpus %d\npt_pages %ld\n", atomic_read(&minivm_live_vms),
		   atomic_read(&minivm_live_vcpus), atomic_long_read(&minivm_live_pt_pages));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(objects);

static int memory_show(struct seq_file *m, void *unused)
{
	struct minivm_vm *vm = m->private;
	struct minivm_mmu_stats st;
	unsigned long tables;
	unsigned int i, regions = 0;

	spin_lock(&vm->mmu_lock);
	st = vm->stats;
	tables = vm->pt.tables;
	for (i = 0; i < MINIVM_MAX_REGIONS; i++)
		regions += vm->regions[i].size != 0;
	spin_unlock(&vm->mmu_lock);
	seq_printf(m, "maps_4k %llu\nmaps_2m %llu\ninvalidations %llu\ntable_pages %lu\nregions %u\n",
		   st.maps_4k, st.maps_2m, st.invalidations, tables, regions);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(memory);

/** minivm_debugfs_vm_add() - the VM's directory; failure only loses the view */
void minivm_debugfs_vm_add(struct minivm_vm *vm)
{
	char name[32];

	snprintf(name, sizeof(name), "vm-%llu", vm->id);
	vm->debugfs = debugfs_create_dir(name, minivm_debugfs);
	debugfs_create_file("memory", 0444, vm->debugfs, vm, &memory_fops);
}

/** minivm_debugfs_vm_remove() - before the VM is freed; waits for readers */
void minivm_debugfs_vm_remove(struct minivm_vm *vm)
{
	debugfs_remove(vm->debugfs);
}

void minivm_debugfs_init(void)
{
	minivm_debugfs = debugfs_create_dir("minivm", NULL);
	debugfs_create_file("cpus", 0444, minivm_debugfs, NULL, &cpus_fops);
	debugfs_create_file("objects", 0444, minivm_debugfs, NULL, &objects_fops);
}

void minivm_debugfs_exit(void)
{
	debugfs_remove(minivm_debugfs);
}
