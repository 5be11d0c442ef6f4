// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark's /dev/kvm back end: the fewest ioctls that give a guest the
 * same state as under minivm (no in-kernel irqchip unless asked, then the
 * split one; no CPUID table; one vCPU), as a minimal KVM user would.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include "bench.h"

const char hv_name[] = "kvm";
static int sys_fd = -1;
static size_t run_size;

static int kvm_ioctl(int fd, unsigned long cmd, unsigned long arg)
{
	int ret = ioctl(fd, cmd, arg);

	return ret < 0 ? -errno : ret;
}

int hv_open(void)
{
	int ret;

	sys_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (sys_fd < 0)
		return -errno;
	ret = kvm_ioctl(sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (ret < 0)
		return ret;
	run_size = (size_t)ret;
	return 0;
}

int hv_vm_create(struct hv_vm *vm)
{
	memset(vm, 0, sizeof(*vm));
	vm->vcpu = -1;
	vm->fd = kvm_ioctl(sys_fd, KVM_CREATE_VM, 0);
	return vm->fd < 0 ? vm->fd : 0;
}

int hv_vm_create_apic(struct hv_vm *vm)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_SPLIT_IRQCHIP, .args = { 24 } };
	int ret = hv_vm_create(vm);

	if (!ret)
		ret = kvm_ioctl(vm->fd, KVM_ENABLE_CAP, (unsigned long)&cap);
	return ret;
}

int hv_add_memory(struct hv_vm *vm, uint32_t slot, uint64_t gpa, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};

	return kvm_ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, (unsigned long)&r);
}

static void set_flat(struct kvm_sregs *s)
{
	struct kvm_segment code = { .limit = 0xffffffff, .selector = 8, .type = 0xb,
				    .present = 1, .db = 1, .s = 1, .g = 1 };
	struct kvm_segment data = code;

	data.selector = 16;
	data.type = 0x3;
	s->cs = code;
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	s->cr0 = 0x11;	/* PE | ET */
}

int hv_vcpu_new(struct hv_vm *vm, unsigned int id, void **run, uint64_t rip, uint64_t rsi,
		uint64_t rbx, uint64_t rcx)
{
	struct kvm_regs regs = { .rip = rip, .rsi = rsi, .rbx = rbx, .rcx = rcx, .rflags = 2 };
	struct kvm_sregs sregs;
	int fd, ret;

	fd = kvm_ioctl(vm->fd, KVM_CREATE_VCPU, id);
	if (fd < 0)
		return fd;
	*run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (*run == MAP_FAILED) {
		*run = NULL;
		close(fd);
		return -errno;
	}
	vm->run_size = run_size;
	ret = kvm_ioctl(fd, KVM_GET_SREGS, (unsigned long)&sregs);
	if (!ret) {
		set_flat(&sregs);
		ret = kvm_ioctl(fd, KVM_SET_SREGS, (unsigned long)&sregs);
	}
	if (!ret)
		ret = kvm_ioctl(fd, KVM_SET_REGS, (unsigned long)&regs);
	return ret ? ret : fd;
}

int hv_vcpu_runnable(int vcpu)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };

	return kvm_ioctl(vcpu, KVM_SET_MP_STATE, (unsigned long)&mp);
}

int hv_run_vcpu(int vcpu, const void *r, struct hv_exit *exit)
{
	const struct kvm_run *run = r;
	int ret = kvm_ioctl(vcpu, KVM_RUN, 0);

	if (ret)
		return ret;
	if (run->exit_reason == KVM_EXIT_IO && run->io.direction == KVM_EXIT_IO_OUT) {
		exit->kind = HV_EXIT_IO;
		exit->port = run->io.port;
	} else if (run->exit_reason == KVM_EXIT_HLT) {
		exit->kind = HV_EXIT_HLT;
	} else {
		exit->kind = HV_EXIT_OTHER;
		snprintf(exit->what, sizeof(exit->what), "KVM exit %u (hw %#llx)",
			 run->exit_reason,
			 (unsigned long long)run->hw.hardware_exit_reason);
	}
	return 0;
}
