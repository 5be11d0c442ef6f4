// SPDX-License-Identifier: GPL-2.0
/* The benchmark's /dev/minivm back end, through libminivm. */
#include <errno.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <string.h>
#include <unistd.h>
#include "bench.h"
#include "libminivm.h"

const char hv_name[] = "minivm";
static int sys_fd = -1;

int hv_open(void)
{
	sys_fd = minivm_open();
	return sys_fd < 0 ? sys_fd : 0;
}

int hv_vm_create(struct hv_vm *vm)
{
	uint64_t id;

	memset(vm, 0, sizeof(*vm));
	vm->vcpu = -1;
	vm->fd = minivm_create_vm(sys_fd, &id);
	return vm->fd < 0 ? vm->fd : 0;
}

int hv_vm_create_apic(struct hv_vm *vm)
{
	uint64_t id;

	memset(vm, 0, sizeof(*vm));
	vm->vcpu = -1;
	vm->fd = minivm_create_vm_flags(sys_fd, MINIVM_VM_LAPIC, &id);
	return vm->fd < 0 ? vm->fd : 0;
}

int hv_add_memory(struct hv_vm *vm, uint32_t slot, uint64_t gpa, uint64_t size, void *hva)
{
	return minivm_set_memory_region(vm->fd, slot, 0, gpa, size, hva);
}

static void set_flat(struct minivm_sregs *s)
{
	const struct minivm_segment code = { .limit = 0xffffffff, .selector = 8,
		.attrib = 0xb | MINIVM_SEG_S | MINIVM_SEG_P | MINIVM_SEG_DB | MINIVM_SEG_G };
	const struct minivm_segment data = { .limit = 0xffffffff, .selector = 16,
		.attrib = 0x3 | MINIVM_SEG_S | MINIVM_SEG_P | MINIVM_SEG_DB | MINIVM_SEG_G };

	s->cs = code;
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	s->cr0 = 0x11;	/* PE | ET */
}

int hv_vcpu_new(struct hv_vm *vm, unsigned int id, void **run, uint64_t rip, uint64_t rsi,
		uint64_t rbx, uint64_t rcx)
{
	struct minivm_regs regs = { .rip = rip, .rsi = rsi, .rbx = rbx, .rcx = rcx, .rflags = 2 };
	struct minivm_sregs sregs;
	struct minivm_run *r;
	int fd, ret;

	fd = minivm_create_vcpu(vm->fd, id, &r);
	if (fd < 0)
		return fd;
	*run = r;
	vm->run_size = (size_t)sysconf(_SC_PAGESIZE);
	ret = minivm_get_sregs(fd, &sregs);
	if (!ret) {
		set_flat(&sregs);
		ret = minivm_set_sregs(fd, &sregs);
	}
	if (!ret)
		ret = minivm_set_regs(fd, &regs);
	return ret ? ret : fd;
}

int hv_vcpu_runnable(int vcpu)
{
	struct minivm_mp_state mp = { .state = MINIVM_MP_RUNNABLE };

	return ioctl(vcpu, MINIVM_SET_MP_STATE, &mp) ? -errno : 0;
}

int hv_run_vcpu(int vcpu, const void *r, struct hv_exit *exit)
{
	const struct minivm_run *run = r;
	int ret = minivm_run(vcpu);

	if (ret)
		return ret;
	if (run->exit_reason == MINIVM_EXIT_IO && run->io.direction == MINIVM_IO_OUT) {
		exit->kind = HV_EXIT_IO;
		exit->port = run->io.port;
	} else if (run->exit_reason == MINIVM_EXIT_HLT) {
		exit->kind = HV_EXIT_HLT;
	} else {
		exit->kind = HV_EXIT_OTHER;
		snprintf(exit->what, sizeof(exit->what), "%s (%s)",
			 minivm_exit_reason_name(run->exit_reason),
			 minivm_hw_exit_name(run->vendor, run->hw_reason));
	}
	return 0;
}
