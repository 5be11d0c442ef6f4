// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-hold: the other hypervisor in the lab's conflict tests.
 *
 *   kvm-hold run   create a KVM VM whose real-mode guest loops on port I/O,
 *                  say "kvm-hold: guest running" after its first exit, and
 *                  keep running it until SIGTERM or SIGINT
 *   kvm-hold try   create a KVM VM and destroy it: exit 0 if KVM could, 3 if
 *                  KVM_CREATE_VM failed (for example, minivm holds VMX/SVM)
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int fail(const char *what)
{
	printf("kvm-hold: %s: %s\n", what, strerror(errno));
	return 3;
}

int main(int argc, char **argv)
{
	/* out 0x10, al; jmp back to the out */
	static const unsigned char code[] = { 0xe6, 0x10, 0xeb, 0xfc };
	struct kvm_userspace_memory_region region = {};
	struct kvm_sregs sregs;
	struct kvm_regs regs = {};
	struct kvm_run *run;
	unsigned long exits = 0;
	int kvm, vm, vcpu, size, run_mode;
	void *mem;

	if (argc != 2 || (strcmp(argv[1], "run") && strcmp(argv[1], "try"))) {
		fprintf(stderr, "usage: kvm-hold run|try\n");
		return 2;
	}
	run_mode = !strcmp(argv[1], "run");
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return fail("open /dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	if (!run_mode) {
		printf("kvm-hold: VM created\n");
		return 0;
	}

	mem = mmap(NULL, 0x2000, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return fail("mmap");
	memcpy((char *)mem + 0x1000, code, sizeof(code));
	region.memory_size = 0x2000;
	region.userspace_addr = (unsigned long)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region))
		return fail("KVM_SET_USER_MEMORY_REGION");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		return fail("KVM_CREATE_VCPU");
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		return fail("mmap kvm_run");
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		return fail("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs))
		return fail("KVM_SET_SREGS");
	regs.rip = 0x1000;
	regs.rflags = 0x2;
	if (ioctl(vcpu, KVM_SET_REGS, &regs))
		return fail("KVM_SET_REGS");

	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stop) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			return fail("KVM_RUN");
		}
		if (run->exit_reason != KVM_EXIT_IO) {
			printf("kvm-hold: unexpected exit %u\n", run->exit_reason);
			return 1;
		}
		if (++exits == 1) {
			printf("kvm-hold: guest running\n");
			fflush(stdout);
		}
	}
	printf("kvm-hold: stopped after %lu exits\n", exits);
	return 0;
}
