/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * minivm: what its tracepoints carry, for tools that read them.
 *
 * The events are in the "minivm" trace system (perf's minivm:*, tracefs's
 * events/minivm/). Their record fields are described by each event's format
 * file. BPF programs attached as raw tracepoints (SEC("raw_tp/minivm_exit"))
 * receive the arguments below instead, in this order, each widened to 64
 * bits: that order is part of minivm's ABI and only ever grows at the end.
 *
 * minivm_exit(vm, vcpu, vendor, reason, rip, info1, info2)
 *	A VM exit, seen by the backend right after it. @vendor is a
 *	&enum minivm_vendor, @reason the hardware's exit reason (VMX basic
 *	exit reason or SVM exit code; names in <linux/minivm_exits.h>).
 *	VMX: @info1 is the exit qualification, @info2 the guest-physical
 *	address for EPT exits and the exit interruption information
 *	otherwise. SVM: @info1 and @info2 are EXITINFO1 and EXITINFO2.
 *
 * minivm_entry(vm, vcpu, vendor, reason, latency_ns)
 *	The vCPU is about to enter the guest again after an exit for @reason;
 *	@latency_ns is the host time since that exit: handling it, including
 *	any trip to userspace. A vCPU's last exit has no entry.
 *
 * minivm_fault(vm, vcpu, gpa, access, result, latency_ns)
 *	An EPT/NPT fault resolved in the kernel. @access is MINIVM_ACCESS_*,
 *	@result an &enum minivm_fault_result, @latency_ns the time taken to
 *	resolve it (finding the host page, mapping it, or preparing the MMIO
 *	exit).
 *
 * minivm_userspace(vm, vcpu, exit_reason, held_ns)
 *	The next MINIVM_RUN after an exit to userspace: @exit_reason is the
 *	MINIVM_EXIT_* it returned with, @held_ns how long userspace kept it.
 *
 * minivm_inject(vm, vcpu, type, vector, error_code, latency_ns)
 *	An event handed to the hardware for the next entry: @type is a
 *	MINIVM_EVENT_* of <linux/minivm.h>. @latency_ns is the time since it
 *	became pending (queued by an ioctl, raised by the module, or first
 *	handed over, for an event delivered again after an exit interrupted
 *	it), or 0 when that was before the event was enabled.
 */
#ifndef _UAPI_LINUX_MINIVM_TRACE_H
#define _UAPI_LINUX_MINIVM_TRACE_H

/**
 * enum minivm_fault_result - how the kernel resolved an EPT/NPT fault
 * @MINIVM_FAULT_MAPPED_4K: a 4 KiB host page was mapped
 * @MINIVM_FAULT_MAPPED_2M: a 2 MiB host huge page was mapped
 * @MINIVM_FAULT_MMIO: the address is in no region (or the write hit a
 *	read-only one): an MMIO exit to userspace
 * @MINIVM_FAULT_ERROR: the backing could not be had (unmapped, no memory):
 *	a memory-error exit or an errno from MINIVM_RUN
 * @MINIVM_FAULT_RACED: another vCPU mapped the page first; nothing to do
 * @MINIVM_FAULT_NR_RESULTS: the number of results, for tools' tables
 */
enum minivm_fault_result {
	MINIVM_FAULT_MAPPED_4K = 0,
	MINIVM_FAULT_MAPPED_2M = 1,
	MINIVM_FAULT_MMIO = 2,
	MINIVM_FAULT_ERROR = 3,
	MINIVM_FAULT_RACED = 4,
	MINIVM_FAULT_NR_RESULTS = 5,
};

#endif /* _UAPI_LINUX_MINIVM_TRACE_H */
