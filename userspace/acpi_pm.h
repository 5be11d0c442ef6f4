/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm launcher: ACPI's PM1 registers, the fixed hardware through which
 * a guest powers itself off (acpi_pm.c); the FADT (acpi.c) says where.
 */
#ifndef MINIVM_ACPI_PM_H
#define MINIVM_ACPI_PM_H

#include <stdint.h>

struct bus;

#define ACPI_PM_BASE	0x600	/* QEMU's PIIX4 uses the same ports */
#define ACPI_PM1_STS	0	/* PM1a_EVT_BLK: status, then enable */
#define ACPI_PM1_EN	2
#define ACPI_PM1_CNT	4	/* PM1a_CNT_BLK */
#define ACPI_PM_LEN	6
#define ACPI_PM_SLP_TYP_S5 5	/* the DSDT's \_S5 */

/**
 * struct acpi_pm - the PM1 registers
 * @sts: PM1_STS; bits are cleared by writing 1s
 * @en: PM1_EN
 * @cnt: PM1_CNT, SCI_EN always set (there is no legacy mode to leave)
 */
struct acpi_pm {
	uint16_t sts, en, cnt;
};

int acpi_pm_init(struct acpi_pm *pm, struct bus *ports);

#endif /* MINIVM_ACPI_PM_H */
