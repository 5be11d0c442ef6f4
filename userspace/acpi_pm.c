// SPDX-License-Identifier: GPL-2.0
/*
 * minivm launcher: ACPI's PM1 event and control registers (acpi_pm.h), at
 * the ports the FADT names. A guest powers off by writing the sleep type
 * its DSDT's \_S5 gave with SLP_EN set: that write ends the run with status
 * 0. Nothing raises events (no buttons, no timer), so the status bits stay
 * clear and the SCI is never asserted; the guest may still read, enable
 * and clear them as ACPI's drivers do at boot and before sleeping.
 */
#include "acpi_pm.h"
#include "bus.h"

#define SCI_EN		0x0001
#define SLP_TYP_SHIFT	10
#define SLP_TYP_MASK	(7 << SLP_TYP_SHIFT)
#define SLP_EN		0x2000	/* write-only: starts the transition */

static uint16_t *reg(struct acpi_pm *pm, unsigned int off)
{
	return off < ACPI_PM1_EN ? &pm->sts : off < ACPI_PM1_CNT ? &pm->en : &pm->cnt;
}

static uint8_t read_byte(void *ctx, unsigned int off)
{
	struct acpi_pm *pm = ctx;
	uint16_t v = *reg(pm, off);

	if (off >= ACPI_PM1_CNT)
		v |= SCI_EN;
	return (uint8_t)(v >> (8 * (off & 1)));
}

static void write_byte(void *ctx, unsigned int off, uint8_t value)
{
	struct acpi_pm *pm = ctx;
	uint16_t *r = reg(pm, off), v = (uint16_t)(value << (8 * (off & 1)));
	uint16_t mask = (uint16_t)(0xff << (8 * (off & 1)));

	if (off < ACPI_PM1_EN)
		*r &= (uint16_t)~v;		/* status: write 1 to clear */
	else
		*r = (uint16_t)((*r & ~mask) | v);
}

static uint64_t pm_read(void *ctx, uint64_t off, unsigned int size)
{
	return bus_read_bytes(read_byte, ctx, off, size, ACPI_PM_LEN);
}

static int pm_write(void *ctx, uint64_t off, unsigned int size, uint64_t value)
{
	struct acpi_pm *pm = ctx;

	bus_write_bytes(write_byte, ctx, off, size, ACPI_PM_LEN, value);
	if (!(pm->cnt & SLP_EN))
		return 0;
	pm->cnt &= (uint16_t)~SLP_EN;
	/* Only S5 is offered: another sleep type changes nothing. */
	if ((pm->cnt & SLP_TYP_MASK) >> SLP_TYP_SHIFT == ACPI_PM_SLP_TYP_S5)
		return BUS_POWER_OFF;
	return 0;
}

/**
 * acpi_pm_init() - put the PM1 registers on the port bus
 * @pm: their state
 * @ports: the port bus
 *
 * Return: 0, or -1 when the ports are taken.
 */
int acpi_pm_init(struct acpi_pm *pm, struct bus *ports)
{
	const struct bus_device d = {
		.name = "ACPI PM1", .base = ACPI_PM_BASE, .len = ACPI_PM_LEN,
		.read = pm_read, .write = pm_write, .ctx = pm,
	};

	*pm = (struct acpi_pm){ 0 };
	return bus_add(ports, &d);
}
