// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: /sys/kernel/debug/minivm/, what the module holds right now.
 *
 *   cpus  one line per online CPU: whether minivm holds VMX/SVM there and
 *         whether the hardware has it on (CR4.VMXE, EFER.SVME)
 */
#include <linux/cpu.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/smp.h>
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

void minivm_debugfs_init(void)
{
	minivm_debugfs = debugfs_create_dir("minivm", NULL);
	debugfs_create_file("cpus", 0444, minivm_debugfs, NULL, &cpus_fops);
}

void minivm_debugfs_exit(void)
{
	debugfs_remove(minivm_debugfs);
}
