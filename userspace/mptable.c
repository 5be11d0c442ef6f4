// SPDX-License-Identifier: GPL-2.0
/*
 * minivm launcher: the MP tables (Intel's MultiProcessor Specification
 * 1.4), which tell a kernel without ACPI about the PC: its CPUs and their
 * APIC ids (the vCPU ids), the I/O APIC (id = the number of CPUs, at
 * 0xfec00000), the ISA bus and how its IRQs reach the I/O APIC (IRQ 0 on
 * pin 2, IRQ N on pin N, as on QEMU's PC), and the local APICs' LINT0
 * (ExtINT, the 8259s) and LINT1 (NMI). The floating pointer and the table
 * go in the read-only BIOS area at 0xf0000, which Linux scans.
 *
 * Why MP tables rather than ACPI: they are a few fixed-size records that a
 * reader can check by eye, they need no AML, and every x86 Linux still
 * reads them; poweroff, which needs ACPI's sleep states, is not offered yet.
 */
#include <stddef.h>
#include <string.h>
#include "mptable.h"
#include "pc_memory.h"
#include "table_checksum.h"

#define IOAPIC_ADDR	0xfec00000U
#define LAPIC_ADDR	0xfee00000U
#define LAPIC_VERSION	0x14
#define IOAPIC_VERSION	0x20	/* ioapic.c's */
#define ISA_IRQS	16
#define MP_SPEC_REV	4	/* 1.4 */

enum { MP_PROCESSOR, MP_BUS, MP_IOAPIC, MP_IOINTR, MP_LINTR };
enum { MP_INT, MP_NMI, MP_SMI, MP_EXTINT };
#define CPU_ENABLED	0x1
#define CPU_BSP		0x2

struct mp_floating {
	char signature[4];
	uint32_t table;
	uint8_t length, spec_rev, checksum, feature[5];
} __attribute__((packed));

struct mp_header {
	char signature[4];
	uint16_t length;
	uint8_t spec_rev, checksum;
	char oem[8], product[12];
	uint32_t oem_table;
	uint16_t oem_table_size, entries;
	uint32_t lapic;
	uint16_t ext_length;
	uint8_t ext_checksum, reserved;
} __attribute__((packed));

struct mp_cpu {
	uint8_t type, apic_id, apic_version, flags;
	uint32_t signature, features, reserved[2];
} __attribute__((packed));

struct mp_bus {
	uint8_t type, id;
	char name[6];
} __attribute__((packed));

struct mp_ioapic {
	uint8_t type, id, version, flags;
	uint32_t address;
} __attribute__((packed));

/* An I/O interrupt (to an I/O APIC pin) or a local one (to a LINT pin). */
struct mp_intr {
	uint8_t type, irq_type;
	uint16_t flags;		/* 0: polarity and trigger as the bus has them */
	uint8_t bus, bus_irq, dst_id, dst_pin;
} __attribute__((packed));

_Static_assert(sizeof(struct mp_floating) == 16 && sizeof(struct mp_header) == 44 &&
	       sizeof(struct mp_cpu) == 20 && sizeof(struct mp_bus) == 8 &&
	       sizeof(struct mp_ioapic) == 8 && sizeof(struct mp_intr) == 8,
	       "the specification's sizes");

/**
 * mptable_write() - put the MP tables in the guest's BIOS area
 * @m: guest memory, with its ROM area mapped
 * @cpus: 1 to MPTABLE_MAX_CPUS; vCPU N has APIC id N, vCPU 0 boots
 * @cpu_signature: CPUID 1's EAX, as the guest sees it
 * @cpu_features: CPUID 1's EDX
 *
 * Return: 0, or -1 for a bad CPU count or no ROM area.
 */
int mptable_write(const struct pc_memory *m, unsigned int cpus, uint32_t cpu_signature,
		  uint32_t cpu_features)
{
	uint8_t table[sizeof(struct mp_header) + MPTABLE_MAX_CPUS * sizeof(struct mp_cpu) +
		      sizeof(struct mp_bus) + sizeof(struct mp_ioapic) +
		      (ISA_IRQS + 2) * sizeof(struct mp_intr)];
	struct mp_floating fp = { .signature = "_MP_", .length = 1, .spec_rev = MP_SPEC_REV };
	struct mp_header h = {
		.signature = "PCMP", .spec_rev = MP_SPEC_REV, .oem = "MINIVM  ",
		.product = "PC          ", .lapic = LAPIC_ADDR,
	};
	const uint8_t ioapic_id = (uint8_t)cpus;
	size_t len = sizeof(h);
	unsigned int i;

	if (!cpus || cpus > MPTABLE_MAX_CPUS || !m->rom)
		return -1;
	for (i = 0; i < cpus; i++) {
		struct mp_cpu c = {
			.type = MP_PROCESSOR, .apic_id = (uint8_t)i, .apic_version = LAPIC_VERSION,
			.flags = CPU_ENABLED | (i ? 0 : CPU_BSP), .signature = cpu_signature,
			.features = cpu_features,
		};

		memcpy(table + len, &c, sizeof(c));
		len += sizeof(c);
		h.entries++;
	}
	memcpy(table + len, &(struct mp_bus){ .type = MP_BUS, .name = "ISA   " },
	       sizeof(struct mp_bus));
	len += sizeof(struct mp_bus);
	memcpy(table + len, &(struct mp_ioapic){ .type = MP_IOAPIC, .id = ioapic_id,
						  .version = IOAPIC_VERSION, .flags = 1,
						  .address = IOAPIC_ADDR },
	       sizeof(struct mp_ioapic));
	len += sizeof(struct mp_ioapic);
	h.entries += 2;
	/* ISA IRQs to I/O APIC pins: 0 to 2 (the PIT, as on the PC), N to N; none on 2. */
	for (i = 0; i < ISA_IRQS; i++) {
		struct mp_intr e = {
			.type = MP_IOINTR, .irq_type = MP_INT, .bus_irq = (uint8_t)i,
			.dst_id = ioapic_id, .dst_pin = (uint8_t)(i ? i : 2),
		};

		if (i == 2)
			continue;
		memcpy(table + len, &e, sizeof(e));
		len += sizeof(e);
		h.entries++;
	}
	/* Every CPU's LINT0 takes the 8259s (ExtINT), its LINT1 NMIs. */
	for (i = 0; i < 2; i++) {
		struct mp_intr e = {
			.type = MP_LINTR, .irq_type = i ? MP_NMI : MP_EXTINT, .dst_id = 0xff,
			.dst_pin = (uint8_t)i,
		};

		memcpy(table + len, &e, sizeof(e));
		len += sizeof(e);
		h.entries++;
	}
	h.length = (uint16_t)len;
	memcpy(table, &h, sizeof(h));
	table[offsetof(struct mp_header, checksum)] = table_checksum(table, len);
	fp.table = (uint32_t)(MPTABLE_ADDR + sizeof(fp));
	fp.checksum = table_checksum(&fp, sizeof(fp));
	return pc_memory_put(m, MPTABLE_ADDR, &fp, sizeof(fp)) ||
	       pc_memory_put(m, MPTABLE_ADDR + sizeof(fp), table, len) ? -1 : 0;
}
