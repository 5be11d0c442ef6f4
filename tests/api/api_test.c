// SPDX-License-Identifier: GPL-2.0
/*
 * minivm-api-test: every /dev/minivm ioctl and every validation error,
 * run inside the lab with minivm.ko loaded. Prints KTAP.
 *
 *   minivm-api-test amd|intel   run the tests, expecting that backend
 *   minivm-api-test hold        create a VM and keep it until stdin closes
 *                               (the KVM conflict tests use it)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>
#include "libminivm.h"
#include "ktap.h"

#define DEBUGFS_CPUS "/sys/kernel/debug/minivm/cpus"

static uint64_t want_vendor;

static int open_dev(void)
{
	int fd = minivm_open();

	if (fd < 0) {
		printf("# cannot open %s: %s\n", MINIVM_DEVICE, strerror(-fd));
		exit(1);
	}
	return fd;
}

static long raw_ioctl(int fd, unsigned long cmd, unsigned long arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

/*
 * Count the online CPUs where debugfs says minivm holds VMX/SVM and the
 * hardware has it on; *total gets the number of online CPUs.
 */
static int cpus_enabled(int *total)
{
	char line[128], mine[8], hw[8];
	int on = 0, n = 0;
	FILE *f = fopen(DEBUGFS_CPUS, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "cpu%*u %*s minivm=%7s hw=%7s", mine, hw) != 2)
			continue;
		n++;
		on += !strcmp(mine, "on") && !strcmp(hw, "on");
	}
	fclose(f);
	*total = n;
	return on;
}

static void expect_all_cpus(int enabled)
{
	int total = 0, on = cpus_enabled(&total);

	CHECK(total > 0, "no CPU listed in %s", DEBUGFS_CPUS);
	CHECK(on == (enabled ? total : 0), "%d of %d CPUs have VMX/SVM on, want %s",
	      on, total, enabled ? "all" : "none");
}

static void device_node_exists(void)
{
	struct stat st;

	CHECK(stat(MINIVM_DEVICE, &st) == 0, "%s: %s", MINIVM_DEVICE, strerror(errno));
	CHECK(S_ISCHR(st.st_mode), "%s is not a character device", MINIVM_DEVICE);
	CHECK((st.st_mode & 0777) == 0660, "mode %o, want 0660", st.st_mode & 0777);
}

static void api_version_is_current(void)
{
	struct minivm_api_version v;
	int fd = open_dev();

	memset(&v, 0xff, sizeof(v));
	CHECK(raw_ioctl(fd, MINIVM_GET_API_VERSION, (unsigned long)&v) == 0, "ioctl failed");
	CHECK(v.version == MINIVM_API_VERSION, "version %u", v.version);
	CHECK(v.reserved == 0, "reserved %u", v.reserved);
	close(fd);
}

static void vendor_matches_lab_cpu(void)
{
	uint64_t v = 0;
	int fd = open_dev();

	CHECK(minivm_check_cap(fd, MINIVM_CAP_VENDOR, &v) == 0, "CHECK_CAP failed");
	CHECK(v == want_vendor, "vendor %llu, want %llu", (unsigned long long)v,
	      (unsigned long long)want_vendor);
	close(fd);
}

/* The max_vms the module was loaded with (4096 unless the lab chose less). */
static unsigned long long max_vms_param(void)
{
	FILE *f = fopen("/sys/module/minivm/parameters/max_vms", "r");
	unsigned long long v = 0;

	if (f) {
		if (fscanf(f, "%llu", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v;
}

static void caps_report_lab_hardware(void)
{
	uint64_t tlb = 0, huge = 0, max = 0;
	int fd = open_dev();

	CHECK(minivm_check_cap(fd, MINIVM_CAP_TAGGED_TLB, &tlb) == 0, "TAGGED_TLB");
	CHECK(minivm_check_cap(fd, MINIVM_CAP_HUGE_PAGES, &huge) == 0, "HUGE_PAGES");
	CHECK(minivm_check_cap(fd, MINIVM_CAP_MAX_VMS, &max) == 0, "MAX_VMS");
	/* Both lab CPUs have VPIDs/ASIDs and 2 MiB EPT/NPT pages. */
	CHECK(tlb >= 2, "tagged TLB %llu", (unsigned long long)tlb);
	CHECK(huge == 1, "huge pages %llu", (unsigned long long)huge);
	CHECK(max == max_vms_param(), "max VMs %llu, module parameter %llu",
	      (unsigned long long)max, (unsigned long long)max_vms_param());
	close(fd);
}

static void unknown_cap_is_zero(void)
{
	static const uint32_t caps[] = { 0, MINIVM_CAP_NR, 1000, 0xffffffff };
	struct minivm_check_cap c;
	int fd = open_dev();

	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		memset(&c, 0, sizeof(c));
		c.cap = caps[i];
		c.value = 0xdead;
		CHECK(raw_ioctl(fd, MINIVM_CHECK_CAP, (unsigned long)&c) == 0, "cap %u", caps[i]);
		CHECK(c.value == 0, "cap %u = %llu", caps[i], (unsigned long long)c.value);
	}
	close(fd);
}

static void check_cap_reserved_must_be_zero(void)
{
	struct minivm_check_cap c = { .cap = MINIVM_CAP_VENDOR, .reserved = 1 };
	int fd = open_dev();

	CHECK_ERR(raw_ioctl(fd, MINIVM_CHECK_CAP, (unsigned long)&c), EINVAL);
	close(fd);
}

static void bad_pointers_fault(void)
{
	static const unsigned long cmds[] = {
		MINIVM_GET_API_VERSION, MINIVM_CHECK_CAP, MINIVM_CREATE_VM,
	};
	static const unsigned long ptrs[] = { 0, 1, 0xffff800000000000ul, ~0ul };
	int fd = open_dev();

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		for (size_t j = 0; j < sizeof(ptrs) / sizeof(ptrs[0]); j++)
			CHECK_ERR(raw_ioctl(fd, cmds[i], ptrs[j]), EFAULT);
	/* A faulting CREATE_VM must not leave a VM (or the hardware) behind. */
	expect_all_cpus(0);
	close(fd);
}

static void unknown_ioctls_are_enotty(void)
{
	char buf[64] = {};
	int fd = open_dev(), vm;

	CHECK_ERR(raw_ioctl(fd, _IO(MINIVM_IOCTL_TYPE, 0x7f), 0), ENOTTY);
	CHECK_ERR(raw_ioctl(fd, _IOR('k', 0, int), (unsigned long)buf), ENOTTY);
	/* A known number with the wrong size is not the same ioctl. */
	CHECK_ERR(raw_ioctl(fd, _IOR(MINIVM_IOCTL_TYPE, 0x00, char[64]), (unsigned long)buf),
		  ENOTTY);
	CHECK_ERR(raw_ioctl(fd, _IOWR(MINIVM_IOCTL_TYPE, 0x01, char[8]), (unsigned long)buf),
		  ENOTTY);
	vm = minivm_create_vm(fd, NULL);
	CHECK(vm >= 0, "CREATE_VM: %s", strerror(-vm));
	CHECK_ERR(raw_ioctl(vm, _IO(MINIVM_IOCTL_TYPE, 0x40), 0), ENOTTY);
	CHECK_ERR(raw_ioctl(vm, MINIVM_CREATE_VM, (unsigned long)buf), ENOTTY);
	close(vm);
	close(fd);
}

static void create_vm_rejects_flags_and_reserved(void)
{
	struct minivm_create_vm args;
	int fd = open_dev();

	memset(&args, 0, sizeof(args));
	args.flags = MINIVM_VM_LAPIC << 1;	/* the first undefined flag */
	CHECK_ERR(raw_ioctl(fd, MINIVM_CREATE_VM, (unsigned long)&args), EINVAL);
	args.flags = 0x80000000;
	CHECK_ERR(raw_ioctl(fd, MINIVM_CREATE_VM, (unsigned long)&args), EINVAL);
	for (int i = 0; i < 5; i++) {
		memset(&args, 0, sizeof(args));
		args.reserved[i] = 1;
		CHECK_ERR(raw_ioctl(fd, MINIVM_CREATE_VM, (unsigned long)&args), EINVAL);
	}
	expect_all_cpus(0);
	close(fd);
}

static void vm_holds_hardware_while_it_lives(void)
{
	uint64_t id1 = 0, id2 = 0;
	int fd = open_dev(), vm1, vm2;

	expect_all_cpus(0);
	vm1 = minivm_create_vm(fd, &id1);
	CHECK(vm1 >= 0, "CREATE_VM: %s", strerror(-vm1));
	expect_all_cpus(1);
	vm2 = minivm_create_vm(fd, &id2);
	CHECK(vm2 >= 0, "CREATE_VM: %s", strerror(-vm2));
	CHECK(id2 > id1 && id1 > 0, "ids %llu then %llu", (unsigned long long)id1,
	      (unsigned long long)id2);
	close(vm1);
	expect_all_cpus(1);
	/* The VM outlives the /dev/minivm fd that created it. */
	close(fd);
	expect_all_cpus(1);
	close(vm2);
	expect_all_cpus(0);
}

static void vm_fd_refused_in_another_process(void)
{
	int fd = open_dev(), vm, status = 0;
	pid_t pid;

	vm = minivm_create_vm(fd, NULL);
	CHECK(vm >= 0, "CREATE_VM: %s", strerror(-vm));
	pid = fork();
	if (pid == 0)
		_exit(raw_ioctl(vm, _IO(MINIVM_IOCTL_TYPE, 0x40), 0) == -EIO ? 0 : 1);
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "an ioctl on the VM from a forked child was not refused with EIO");
	/* The parent still owns it. */
	CHECK_ERR(raw_ioctl(vm, _IO(MINIVM_IOCTL_TYPE, 0x40), 0), ENOTTY);
	close(vm);
	close(fd);
}

static void vm_limit_is_enforced(void)
{
	struct rlimit rl = { 4200, 4200 };
	uint64_t max = 0;
	int fd = open_dev(), *vms, n = 0, err = 0;

	CHECK(minivm_check_cap(fd, MINIVM_CAP_MAX_VMS, &max) == 0, "MAX_VMS");
	CHECK(setrlimit(RLIMIT_NOFILE, &rl) == 0, "setrlimit: %s", strerror(errno));
	vms = calloc(max + 1, sizeof(*vms));
	while ((uint64_t)n <= max) {
		int vm = minivm_create_vm(fd, NULL);

		if (vm < 0) {
			err = -vm;
			break;
		}
		vms[n++] = vm;
	}
	CHECK((uint64_t)n == max, "created %d VMs, limit %llu", n, (unsigned long long)max);
	CHECK(err == ENOSPC, "VM %d failed with %s, want ENOSPC", n + 1, strerror(err));
	expect_all_cpus(1);
	while (n > 0)
		close(vms[--n]);
	free(vms);
	expect_all_cpus(0);
	/* And the count went back down. */
	n = minivm_create_vm(fd, NULL);
	CHECK(n >= 0, "CREATE_VM after the limit: %s", strerror(-n));
	close(n);
	close(fd);
}

static int hold(void)
{
	char c;
	int fd = open_dev(), vm = minivm_create_vm(fd, NULL);

	if (vm < 0) {
		printf("minivm-api-test: hold: CREATE_VM: %s\n", strerror(-vm));
		return 1;
	}
	printf("minivm-api-test: holding a VM\n");
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	close(vm);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "hold"))
		return hold();
	if (argc != 2 || (strcmp(argv[1], "amd") && strcmp(argv[1], "intel"))) {
		fprintf(stderr, "usage: minivm-api-test amd|intel | minivm-api-test hold\n");
		return 2;
	}
	want_vendor = !strcmp(argv[1], "amd") ? MINIVM_VENDOR_AMD_SVM : MINIVM_VENDOR_INTEL_VMX;

	ktap_plan("minivm_api", 12);
	KTAP_RUN(device_node_exists);
	KTAP_RUN(api_version_is_current);
	KTAP_RUN(vendor_matches_lab_cpu);
	KTAP_RUN(caps_report_lab_hardware);
	KTAP_RUN(unknown_cap_is_zero);
	KTAP_RUN(check_cap_reserved_must_be_zero);
	KTAP_RUN(bad_pointers_fault);
	KTAP_RUN(unknown_ioctls_are_enotty);
	KTAP_RUN(create_vm_rejects_flags_and_reserved);
	KTAP_RUN(vm_holds_hardware_while_it_lives);
	KTAP_RUN(vm_fd_refused_in_another_process);
	KTAP_RUN(vm_limit_is_enforced);
	return ktap_failed ? 1 : 0;
}
