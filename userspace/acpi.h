/* SPDX-License-Identifier: GPL-2.0 */
/* minivm launcher: a minimal ACPI, the tables a kernel reads at boot (acpi.c). */
#ifndef MINIVM_ACPI_H
#define MINIVM_ACPI_H

#include <stdint.h>

struct pc_memory;

#define ACPI_BASE	0xf1000ULL	/* in the BIOS area, after the MP tables */
#define ACPI_MAX_CPUS	64

int acpi_write(const struct pc_memory *m, unsigned int cpus, int lapic);

#endif /* MINIVM_ACPI_H */
