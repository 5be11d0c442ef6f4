// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: VM file descriptors.
 *
 * A VM belongs to the address space that created it: guest RAM will be that
 * process's own mappings, so a VM fd passed to (or inherited by) another
 * process is refused rather than followed into the wrong mm.
 */
#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/bitmap.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/rcupdate.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/msr.h>
#include "minivm.h"

/* VMs in being, including one being created: the max_vms limit counts these. */
atomic_t minivm_live_vms = ATOMIC_INIT(0);
static atomic64_t vm_next_id = ATOMIC64_INIT(0);

static int minivm_vm_release(struct inode *inode, struct file *file)
{
	struct minivm_vm *vm = file->private_data;
	unsigned int i;

	/*
	 * Every vCPU file is gone (each held this file), so none runs. The
	 * notifier goes first: its invalidations look at the vCPUs.
	 */
	minivm_debugfs_vm_remove(vm);
	minivm_mmu_destroy(vm);
	for (i = 0; i < MINIVM_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			minivm_vcpu_free(vm->vcpus[i]);
	bitmap_free(rcu_dereference_protected(vm->unclaimed_ports, true));
	mmdrop(vm->mm);
	kfree(vm);
	minivm_virt_put();
	atomic_dec(&minivm_live_vms);
	return 0;
}

/*
 * MINIVM_SIGNAL_MSI: an interrupt message to the VM's local APICs. Only
 * what the APIC decodes may be set: the 0xfee window, an 8-bit destination,
 * the redirection hint and the destination mode in the address; vector,
 * delivery mode, level and trigger in the data.
 */
static long vm_signal_msi(struct minivm_vm *vm, const struct minivm_msi __user *uarg)
{
	struct minivm_msi msi;

	if (copy_from_user(&msi, uarg, sizeof(msi)))
		return -EFAULT;
	if (msi.flags || msi.reserved[0] || msi.reserved[1] ||
	    (msi.address >> 20) != 0xfee || (msi.address & 0xff3) ||
	    (msi.data >> 16) || (msi.data & 0x3800))
		return -EINVAL;
	if (!(vm->flags & MINIVM_VM_LAPIC))
		return -ENXIO;	/* no APIC to deliver to */
	return minivm_lapic_msi(vm, msi.address, msi.data);
}

/*
 * MINIVM_SET_UNCLAIMED_PORTS: the ports no device of the VMM decodes, which
 * exit.c then finishes without a trip to userspace. Running vCPUs read the
 * set under RCU (their exit path has interrupts off); the old set is freed
 * once none can be reading it.
 */
static long vm_set_unclaimed_ports(struct minivm_vm *vm,
				   struct minivm_unclaimed_ports __user *uarg)
{
	unsigned long *bits, *old;
	u32 flags, reserved;

	if (get_user(flags, &uarg->flags) || get_user(reserved, &uarg->reserved))
		return -EFAULT;
	if (flags || reserved)
		return -EINVAL;
	bits = bitmap_alloc(MINIVM_NR_PORTS, GFP_KERNEL_ACCOUNT);
	if (!bits)
		return -ENOMEM;
	/* The byte order of the ABI's bitmap is the kernel's on x86. */
	if (copy_from_user(bits, uarg->bitmap, sizeof(uarg->bitmap))) {
		bitmap_free(bits);
		return -EFAULT;
	}
	if (bitmap_empty(bits, MINIVM_NR_PORTS)) {
		bitmap_free(bits);
		bits = NULL;
	}
	mutex_lock(&vm->lock);
	old = rcu_replace_pointer(vm->unclaimed_ports, bits, lockdep_is_held(&vm->lock));
	mutex_unlock(&vm->lock);
	if (old) {
		synchronize_rcu();
		bitmap_free(old);
	}
	return 0;
}

static long minivm_vm_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	struct minivm_vm *vm = file->private_data;
	struct minivm_memory_region region;
	long ret;

	if (vm->mm != current->mm)
		return -EIO;
	switch (cmd) {
	case MINIVM_SET_MEMORY_REGION:
		if (copy_from_user(&region, (void __user *)arg, sizeof(region)))
			return -EFAULT;
		mutex_lock(&vm->lock);
		ret = minivm_set_memory_region(vm, &region);
		mutex_unlock(&vm->lock);
		return ret;
	case MINIVM_CREATE_VCPU:
		return minivm_vcpu_create(vm, (void __user *)arg);
	case MINIVM_SIGNAL_MSI:
		return vm_signal_msi(vm, (void __user *)arg);
	case MINIVM_SET_UNCLAIMED_PORTS:
		return vm_set_unclaimed_ports(vm, (void __user *)arg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations minivm_vm_fops = {
	.owner = THIS_MODULE,
	.release = minivm_vm_release,
	.unlocked_ioctl = minivm_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/**
 * minivm_vm_create() - %MINIVM_CREATE_VM: a new VM and its file descriptor
 * @uarg: the caller's &struct minivm_create_vm
 *
 * Return: the new fd, or -EFAULT, -EINVAL (unknown flags or reserved
 * fields), -ENOSPC (max_vms VMs exist), -EBUSY (another hypervisor
 * holds VMX/SVM), -ENOMEM.
 */
long minivm_vm_create(struct minivm_create_vm __user *uarg)
{
	struct minivm_create_vm args;
	struct minivm_vm *vm;
	struct file *file;
	int fd, ret, i;

	if (copy_from_user(&args, uarg, sizeof(args)))
		return -EFAULT;
	if (args.flags & ~MINIVM_VM_LAPIC)
		return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(args.reserved); i++)
		if (args.reserved[i])
			return -EINVAL;

	if (atomic_inc_return(&minivm_live_vms) > minivm_max_vms) {
		ret = -ENOSPC;
		goto err_count;
	}
	ret = minivm_virt_get();
	if (ret)
		goto err_count;
	vm = kzalloc(sizeof(*vm), GFP_KERNEL_ACCOUNT);
	if (!vm) {
		ret = -ENOMEM;
		goto err_virt;
	}
	vm->id = atomic64_inc_return(&vm_next_id);
	/* The guest's TSC counts from 0 at creation, the same on every vCPU. */
	vm->tsc_offset = -(s64)rdtsc();
	vm->created_real_ns = ktime_get_real_ns();
	vm->flags = args.flags;
	vm->mm = current->mm;
	mmgrab(vm->mm);
	mutex_init(&vm->lock);
	ret = minivm_mmu_init(vm);
	if (ret)
		goto err_mm;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		ret = fd;
		goto err_vm;
	}
	file = anon_inode_getfile("minivm-vm", &minivm_vm_fops, vm, O_RDWR);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto err_fd;
	}
	vm->file = file;
	minivm_debugfs_vm_add(vm);
	/* From here the file owns the VM: its release undoes everything. */
	args.vm_id = vm->id;
	if (copy_to_user(uarg, &args, sizeof(args))) {
		put_unused_fd(fd);
		fput(file);
		return -EFAULT;
	}
	fd_install(fd, file);
	return fd;

err_fd:
	put_unused_fd(fd);
err_vm:
	minivm_mmu_destroy(vm);
err_mm:
	mmdrop(vm->mm);
	kfree(vm);
err_virt:
	minivm_virt_put();
err_count:
	atomic_dec(&minivm_live_vms);
	return ret;
}
