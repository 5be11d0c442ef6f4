// SPDX-License-Identifier: GPL-2.0
/*
 * minivm: the launcher.
 *
 * This first version answers what the module offers ("minivm info"); running
 * guests ("minivm run") arrives with the VM/vCPU ABI.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "libminivm.h"

/* Exit statuses, documented in Documentation/launcher.rst. */
enum {
	EXIT_USAGE = 2,
	EXIT_NO_MODULE = 3,
	EXIT_HW_BUSY = 4,
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: minivm COMMAND [options]\n"
		"\n"
		"commands:\n"
		"  info            print the module's API version and capabilities, then\n"
		"                  create and destroy one VM to prove the hardware can be\n"
		"                  enabled (fails if another hypervisor holds VMX/SVM)\n"
		"  help            this text\n"
		"\n"
		"exit status: 0 ok, 2 bad usage, 3 /dev/minivm missing or unusable,\n"
		"             4 VMX/SVM held by another hypervisor\n");
}

static int cmd_info(void)
{
	static const struct { enum minivm_cap cap; const char *name; } caps[] = {
		{ MINIVM_CAP_TAGGED_TLB, "tagged TLB entries (VPIDs/ASIDs)" },
		{ MINIVM_CAP_HUGE_PAGES, "2 MiB guest mappings" },
		{ MINIVM_CAP_MAX_VMS, "VMs at once" },
	};
	uint64_t value, vm_id;
	uint32_t version;
	int fd, vm, ret;
	size_t i;

	fd = minivm_open();
	if (fd < 0) {
		fprintf(stderr, "minivm: cannot open %s: %s%s\n", MINIVM_DEVICE, strerror(-fd),
			fd == -ENOENT ? " (is minivm.ko loaded?)" : "");
		return EXIT_NO_MODULE;
	}
	ret = minivm_api_version(fd, &version);
	if (ret) {
		fprintf(stderr, "minivm: MINIVM_GET_API_VERSION: %s\n", strerror(-ret));
		return EXIT_NO_MODULE;
	}
	printf("API version:      %u (launcher built for %d)\n", version, MINIVM_API_VERSION);
	ret = minivm_check_cap(fd, MINIVM_CAP_VENDOR, &value);
	if (ret) {
		fprintf(stderr, "minivm: MINIVM_CHECK_CAP: %s\n", strerror(-ret));
		return EXIT_NO_MODULE;
	}
	printf("backend:          %s\n", minivm_vendor_name(value));
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		if (minivm_check_cap(fd, caps[i].cap, &value) == 0)
			printf("%-17s %llu %s\n", "capability:", (unsigned long long)value,
			       caps[i].name);
	}
	vm = minivm_create_vm(fd, &vm_id);
	if (vm < 0) {
		fprintf(stderr, "minivm: cannot create a VM: %s%s\n", strerror(-vm),
			vm == -EBUSY ? " (another hypervisor holds VMX/SVM)" : "");
		return vm == -EBUSY ? EXIT_HW_BUSY : EXIT_NO_MODULE;
	}
	printf("VM %llu created and destroyed: hardware virtualization works\n",
	       (unsigned long long)vm_id);
	close(vm);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "info") && argc == 2)
		return cmd_info();
	fprintf(stderr, "minivm: unknown command '%s' (try 'minivm help')\n", argv[1]);
	return EXIT_USAGE;
}
