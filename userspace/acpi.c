// SPDX-License-Identifier: GPL-2.0
/*
 * minivm launcher: a minimal ACPI (acpi.h), the tables a kernel with ACPI
 * reads instead of the MP tables: RSDP, XSDT, FADT with its FACS and a
 * DSDT, and the MADT (CPUs, the I/O APIC, interrupt overrides), all in the
 * read-only BIOS area next to the MP tables, where Linux scans for the RSDP.
 *
 * Why both: ACPI is the only way a PC tells a kernel how to power itself
 * off (the DSDT's \_S5 names the sleep type to write to PM1a_CNT, which
 * acpi_pm.c decodes), so `poweroff` can end the run. The MP tables stay
 * for kernels built without ACPI, so both paths are exercised. The DSDT
 * holds only \_S5: the devices a kernel needs are the PC's fixed ones, which
 * Linux probes at their usual ports, as it does under the MP tables.
 *
 * Layout (the ACPI specification 6.x, the fields 2.0 already had; FADT
 * revision 3): fixed offsets from ACPI_BASE, each table checksummed.
 */
#include <stddef.h>
#include <string.h>
#include "acpi.h"
#include "acpi_pm.h"
#include "pc_memory.h"
#include "table_checksum.h"

#define RSDP_ADDR	ACPI_BASE
#define FACS_ADDR	(ACPI_BASE + 0x40)	/* 64-byte aligned */
#define XSDT_ADDR	(ACPI_BASE + 0x80)
#define FADT_ADDR	(ACPI_BASE + 0x100)
#define DSDT_ADDR	(ACPI_BASE + 0x200)
#define MADT_ADDR	(ACPI_BASE + 0x300)

#define IOAPIC_ADDR	0xfec00000U
#define LAPIC_ADDR	0xfee00000U
#define SCI_IRQ		9
#define CMOS_CENTURY	0x32	/* rtc.c's century register */

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision, checksum;
	char oem_id[6], oem_table_id[8];
	uint32_t oem_revision;
	char creator_id[4];
	uint32_t creator_revision;
} __attribute__((packed));

struct acpi_rsdp {
	char signature[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt;
	uint32_t length;
	uint64_t xsdt;
	uint8_t ext_checksum, reserved[3];
} __attribute__((packed));

/* A Generic Address Structure: a register in port space (id 1). */
struct acpi_gas {
	uint8_t space, bit_width, bit_offset, access_size;
	uint64_t address;
} __attribute__((packed));

struct acpi_fadt {
	struct acpi_header h;
	uint32_t facs, dsdt;
	uint8_t reserved0, pm_profile;
	uint16_t sci_int;
	uint32_t smi_cmd;
	uint8_t acpi_enable, acpi_disable, s4bios_req, pstate_cnt;
	uint32_t pm1a_evt, pm1b_evt, pm1a_cnt, pm1b_cnt, pm2_cnt, pm_tmr, gpe0, gpe1;
	uint8_t pm1_evt_len, pm1_cnt_len, pm2_cnt_len, pm_tmr_len, gpe0_len, gpe1_len, gpe1_base;
	uint8_t cst_cnt;
	uint16_t c2_latency, c3_latency, flush_size, flush_stride;
	uint8_t duty_offset, duty_width, day_alarm, month_alarm, century;
	uint16_t boot_arch;
	uint8_t reserved1;
	uint32_t flags;
	struct acpi_gas reset_reg;
	uint8_t reset_value, reserved2[3];
	uint64_t x_facs, x_dsdt;
	struct acpi_gas x_pm1a_evt, x_pm1b_evt, x_pm1a_cnt, x_pm1b_cnt, x_pm2_cnt, x_pm_tmr;
	struct acpi_gas x_gpe0, x_gpe1;
} __attribute__((packed));

struct acpi_facs {
	char signature[4];
	uint32_t length, hardware_signature, waking_vector, global_lock, flags;
	uint64_t x_waking_vector;
	uint8_t version, reserved[31];
} __attribute__((packed));

struct madt_lapic {
	uint8_t type, length, uid, apic_id;
	uint32_t flags;
} __attribute__((packed));

struct madt_ioapic {
	uint8_t type, length, id, reserved;
	uint32_t address, gsi_base;
} __attribute__((packed));

struct madt_override {
	uint8_t type, length, bus, source;
	uint32_t gsi;
	uint16_t flags;
} __attribute__((packed));

struct madt_lapic_nmi {
	uint8_t type, length, uid;
	uint16_t flags;
	uint8_t lint;
} __attribute__((packed));

_Static_assert(sizeof(struct acpi_header) == 36 && sizeof(struct acpi_rsdp) == 36 &&
	       sizeof(struct acpi_gas) == 12 && sizeof(struct acpi_fadt) == 244 &&
	       sizeof(struct acpi_facs) == 64 && sizeof(struct madt_lapic) == 8 &&
	       sizeof(struct madt_ioapic) == 12 && sizeof(struct madt_override) == 10 &&
	       sizeof(struct madt_lapic_nmi) == 6, "the specification's sizes");
_Static_assert(offsetof(struct acpi_fadt, flags) == 112 &&
	       offsetof(struct acpi_fadt, x_dsdt) == 140 &&
	       offsetof(struct acpi_fadt, x_pm1a_cnt) == 172, "the FADT's offsets");

enum { MADT_LAPIC, MADT_IOAPIC, MADT_OVERRIDE, MADT_LAPIC_NMI = 4 };
#define MADT_PCAT_COMPAT	0x1	/* the 8259 pair is there too */
#define MADT_ENABLED		0x1
#define MADT_LEVEL_HIGH		0x000d	/* active high, level-triggered */

#define FADT_WBINVD		(1U << 0)
#define FADT_C1_SUPPORTED	(1U << 2)
#define FADT_POWER_BUTTON_CM	(1U << 4)	/* no fixed-feature buttons */
#define FADT_SLEEP_BUTTON_CM	(1U << 5)
#define BOOT_ARCH_LEGACY	(1U << 0)	/* ISA devices: the PIT, the RTC, COM1 */
#define BOOT_ARCH_8042		(1U << 1)
#define GAS_PORTS		1

/*
 * The DSDT's AML: Name (_S5, Package (4) { S5, S5, 0, 0 }), as iasl
 * compiles it: NameOp "_S5_" PackageOp PkgLength NumElements, then two
 * BytePrefix constants and two ZeroOps.
 */
static const uint8_t dsdt_aml[] = {
	0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,
	0x0a, ACPI_PM_SLP_TYP_S5, 0x0a, ACPI_PM_SLP_TYP_S5, 0x00, 0x00,
};

static struct acpi_header header(const char *signature, uint32_t length, uint8_t revision)
{
	struct acpi_header h = {
		.length = length, .revision = revision, .oem_id = "MINIVM",
		.oem_table_id = "PC      ", .oem_revision = 1, .creator_id = "MNVM",
		.creator_revision = 1,
	};

	memcpy(h.signature, signature, sizeof(h.signature));
	return h;
}

/* A table whose header leads @len bytes at @buf: checksum it, put it at @gpa. */
static int put_table(const struct pc_memory *m, uint64_t gpa, void *buf, size_t len)
{
	struct acpi_header *h = buf;

	h->checksum = 0;
	h->checksum = table_checksum(buf, len);
	return pc_memory_put(m, gpa, buf, len);
}

static struct acpi_gas port_register(uint16_t port, uint8_t bytes)
{
	return (struct acpi_gas){ .space = GAS_PORTS, .bit_width = (uint8_t)(bytes * 8),
				  .access_size = bytes == 4 ? 3 : 2, .address = port };
}

static int write_fadt(const struct pc_memory *m)
{
	struct acpi_fadt f = {
		.h = header("FACP", sizeof(f), 3),
		.facs = (uint32_t)FACS_ADDR, .dsdt = (uint32_t)DSDT_ADDR,
		.sci_int = SCI_IRQ,
		/* smi_cmd 0: always in ACPI mode, nothing to switch on. */
		.pm1a_evt = ACPI_PM_BASE + ACPI_PM1_STS, .pm1_evt_len = 4,
		.pm1a_cnt = ACPI_PM_BASE + ACPI_PM1_CNT, .pm1_cnt_len = 2,
		/* No C2/C3: latencies above the limits mean "not supported". */
		.c2_latency = 101, .c3_latency = 1001,
		.century = CMOS_CENTURY,
		.boot_arch = BOOT_ARCH_LEGACY | BOOT_ARCH_8042,
		.flags = FADT_WBINVD | FADT_C1_SUPPORTED | FADT_POWER_BUTTON_CM |
			 FADT_SLEEP_BUTTON_CM,
		.x_facs = FACS_ADDR, .x_dsdt = DSDT_ADDR,
		.x_pm1a_evt = port_register(ACPI_PM_BASE + ACPI_PM1_STS, 4),
		.x_pm1a_cnt = port_register(ACPI_PM_BASE + ACPI_PM1_CNT, 2),
	};

	return put_table(m, FADT_ADDR, &f, sizeof(f));
}

static int write_dsdt(const struct pc_memory *m)
{
	uint8_t t[sizeof(struct acpi_header) + sizeof(dsdt_aml)];
	struct acpi_header h = header("DSDT", sizeof(t), 2);	/* 2: 64-bit integers */

	memcpy(t, &h, sizeof(h));
	memcpy(t + sizeof(h), dsdt_aml, sizeof(dsdt_aml));
	return put_table(m, DSDT_ADDR, t, sizeof(t));
}

/*
 * CPUs (vCPU N: UID and APIC id N), the I/O APIC (id = the number of CPUs,
 * GSI N on pin N), ISA IRQ 0 on GSI 2 as on the PC and the SCI level-
 * triggered, and every CPU's LINT1 taking NMIs.
 */
static int write_madt(const struct pc_memory *m, unsigned int cpus)
{
	uint8_t t[sizeof(struct acpi_header) + 8 + ACPI_MAX_CPUS * sizeof(struct madt_lapic) +
		  sizeof(struct madt_ioapic) + 2 * sizeof(struct madt_override) +
		  sizeof(struct madt_lapic_nmi)];
	struct acpi_header h;
	const struct madt_ioapic io = {
		.type = MADT_IOAPIC, .length = sizeof(io), .id = (uint8_t)cpus,
		.address = IOAPIC_ADDR,
	};
	const struct madt_override overrides[] = {
		{ .type = MADT_OVERRIDE, .length = sizeof(overrides[0]), .source = 0, .gsi = 2 },
		{ .type = MADT_OVERRIDE, .length = sizeof(overrides[0]), .source = SCI_IRQ,
		  .gsi = SCI_IRQ, .flags = MADT_LEVEL_HIGH },
	};
	const struct madt_lapic_nmi nmi = {
		.type = MADT_LAPIC_NMI, .length = sizeof(nmi), .uid = 0xff, .lint = 1,
	};
	const uint32_t lapic[2] = { LAPIC_ADDR, MADT_PCAT_COMPAT };
	size_t len = sizeof(h);
	unsigned int i;

	memcpy(t + len, lapic, sizeof(lapic));
	len += sizeof(lapic);
	for (i = 0; i < cpus; i++) {
		const struct madt_lapic c = {
			.type = MADT_LAPIC, .length = sizeof(c), .uid = (uint8_t)i,
			.apic_id = (uint8_t)i, .flags = MADT_ENABLED,
		};

		memcpy(t + len, &c, sizeof(c));
		len += sizeof(c);
	}
	memcpy(t + len, &io, sizeof(io));
	len += sizeof(io);
	memcpy(t + len, overrides, sizeof(overrides));
	len += sizeof(overrides);
	memcpy(t + len, &nmi, sizeof(nmi));
	len += sizeof(nmi);
	h = header("APIC", (uint32_t)len, 3);
	memcpy(t, &h, sizeof(h));
	return put_table(m, MADT_ADDR, t, len);
}

/**
 * acpi_write() - put the ACPI tables in the guest's BIOS area
 * @m: guest memory, with its ROM area mapped
 * @cpus: 1 to ACPI_MAX_CPUS; vCPU N has APIC id N, vCPU 0 boots
 * @lapic: whether the VM has local APICs (and so the I/O APIC): without
 *	them there is no MADT, and the kernel finds the 8259s alone
 *
 * Return: 0, or -1 for a bad CPU count or no ROM area.
 */
int acpi_write(const struct pc_memory *m, unsigned int cpus, int lapic)
{
	uint8_t xsdt[sizeof(struct acpi_header) + 2 * sizeof(uint64_t)];
	const uint64_t entries[2] = { FADT_ADDR, MADT_ADDR };
	struct acpi_rsdp rsdp = {
		.signature = "RSD PTR ", .oem_id = "MINIVM", .revision = 2,
		.length = sizeof(rsdp), .xsdt = XSDT_ADDR,
	};
	struct acpi_facs facs = {
		.signature = "FACS", .length = sizeof(facs), .version = 2,
	};
	struct acpi_header h;
	size_t n = lapic ? 2 : 1;

	if (!cpus || cpus > ACPI_MAX_CPUS || !m->rom)
		return -1;
	h = header("XSDT", (uint32_t)(sizeof(h) + n * sizeof(uint64_t)), 1);
	memcpy(xsdt, &h, sizeof(h));
	memcpy(xsdt + sizeof(h), entries, n * sizeof(uint64_t));
	/* The first 20 bytes are ACPI 1.0's, checksummed apart. */
	rsdp.checksum = table_checksum(&rsdp, 20);
	rsdp.ext_checksum = table_checksum(&rsdp, sizeof(rsdp));
	if (pc_memory_put(m, RSDP_ADDR, &rsdp, sizeof(rsdp)) ||
	    pc_memory_put(m, FACS_ADDR, &facs, sizeof(facs)) ||
	    put_table(m, XSDT_ADDR, xsdt, h.length) || write_fadt(m) || write_dsdt(m))
		return -1;
	return lapic ? write_madt(m, cpus) : 0;
}
