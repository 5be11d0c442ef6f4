/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm: the byte offsets of the guest's registers in struct
 * minivm_vcpu.gpr, for the entry assembly (guest_gprs.inc). Plain numbers,
 * so that assembly can include them; kmod/abi.c checks each against enum
 * minivm_gpr at build time.
 */
#ifndef MINIVM_GUEST_GPRS_H
#define MINIVM_GUEST_GPRS_H

#define G_RAX	(0 * 8)
#define G_RCX	(1 * 8)
#define G_RDX	(2 * 8)
#define G_RBX	(3 * 8)
#define G_RBP	(5 * 8)
#define G_RSI	(6 * 8)
#define G_RDI	(7 * 8)
#define G_R8	(8 * 8)
#define G_R9	(9 * 8)
#define G_R10	(10 * 8)
#define G_R11	(11 * 8)
#define G_R12	(12 * 8)
#define G_R13	(13 * 8)
#define G_R14	(14 * 8)
#define G_R15	(15 * 8)

#endif /* MINIVM_GUEST_GPRS_H */
