/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Which emulator the lab runs in: its kernels carry labemu=qemu or
 * labemu=bochs on the command line. For the few places where a test must
 * allow for an emulator limit (Documentation/lab.rst lists them).
 */
#ifndef MINIVM_LABEMU_H
#define MINIVM_LABEMU_H

#include <stdio.h>
#include <string.h>

static inline int lab_emulator_is_qemu(void)
{
	char line[1024] = "";
	FILE *f = fopen("/proc/cmdline", "r");

	if (f) {
		if (!fgets(line, sizeof(line), f))
			line[0] = 0;
		fclose(f);
	}
	return strstr(line, "labemu=qemu") != NULL;
}
#endif /* MINIVM_LABEMU_H */
