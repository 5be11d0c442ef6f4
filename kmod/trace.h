/* SPDX-License-Identifier: GPL-2.0 */
/*
 * minivm: the tracepoints, defined once for the core and both backends.
 *
 * Their arguments are plain numbers (uapi/linux/minivm_trace.h gives their
 * order), so BPF tools can attach to them as raw tracepoints without knowing
 * any structure of the module. Disabled, each costs one patched-out jump:
 * arguments are evaluated only when the event is on, and the timestamps
 * behind the latencies are taken only then (trace_*_enabled()).
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM minivm

#if !defined(MINIVM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define MINIVM_TRACE_H

#include <linux/tracepoint.h>
#include <uapi/linux/minivm.h>
#include <uapi/linux/minivm_trace.h>

const char *minivm_exit_name(enum minivm_vendor vendor, u64 reason);
const char *minivm_run_exit_name(u32 exit_reason);

/* Enum constants as numbers in the format files, for perf and trace-cmd. */
TRACE_DEFINE_ENUM(MINIVM_VENDOR_INTEL_VMX);
TRACE_DEFINE_ENUM(MINIVM_VENDOR_AMD_SVM);
TRACE_DEFINE_ENUM(MINIVM_FAULT_MAPPED_4K);
TRACE_DEFINE_ENUM(MINIVM_FAULT_MAPPED_2M);
TRACE_DEFINE_ENUM(MINIVM_FAULT_MMIO);
TRACE_DEFINE_ENUM(MINIVM_FAULT_ERROR);
TRACE_DEFINE_ENUM(MINIVM_FAULT_RACED);

#define MINIVM_TRACE_VENDOR(v)						\
	__print_symbolic(v, { MINIVM_VENDOR_INTEL_VMX, "vmx" },		\
			    { MINIVM_VENDOR_AMD_SVM, "svm" })

#define MINIVM_TRACE_ACCESS(a)						\
	__print_flags(a, "|", { MINIVM_ACCESS_READ, "read" },		\
		      { MINIVM_ACCESS_WRITE, "write" },			\
		      { MINIVM_ACCESS_FETCH, "fetch" })

#define MINIVM_TRACE_FAULT_RESULT(r)					\
	__print_symbolic(r, { MINIVM_FAULT_MAPPED_4K, "mapped_4k" },	\
			 { MINIVM_FAULT_MAPPED_2M, "mapped_2m" },	\
			 { MINIVM_FAULT_MMIO, "mmio" },			\
			 { MINIVM_FAULT_ERROR, "error" },		\
			 { MINIVM_FAULT_RACED, "raced" })

TRACE_EVENT(minivm_exit,
	    TP_PROTO(u64 vm, u32 vcpu, u32 vendor, u64 reason, u64 rip, u64 info1, u64 info2),
	    TP_ARGS(vm, vcpu, vendor, reason, rip, info1, info2),
	    TP_STRUCT__entry(__field(u64, vm)
			     __field(u32, vcpu)
			     __field(u32, vendor)
			     __field(u64, reason)
			     __field(u64, rip)
			     __field(u64, info1)
			     __field(u64, info2)
			     __string(name, minivm_exit_name(vendor, reason))),
	    TP_fast_assign(__entry->vm = vm;
			   __entry->vcpu = vcpu;
			   __entry->vendor = vendor;
			   __entry->reason = reason;
			   __entry->rip = rip;
			   __entry->info1 = info1;
			   __entry->info2 = info2;
			   __assign_str(name, minivm_exit_name(vendor, reason));),
	    TP_printk("vm %llu vcpu %u %s reason %s (%#llx) rip %#llx info %#llx %#llx",
		      __entry->vm, __entry->vcpu, MINIVM_TRACE_VENDOR(__entry->vendor),
		      __get_str(name), __entry->reason, __entry->rip, __entry->info1,
		      __entry->info2)
);

TRACE_EVENT(minivm_entry,
	    TP_PROTO(u64 vm, u32 vcpu, u32 vendor, u64 reason, u64 latency_ns),
	    TP_ARGS(vm, vcpu, vendor, reason, latency_ns),
	    TP_STRUCT__entry(__field(u64, vm)
			     __field(u32, vcpu)
			     __field(u32, vendor)
			     __field(u64, reason)
			     __field(u64, latency_ns)
			     __string(name, minivm_exit_name(vendor, reason))),
	    TP_fast_assign(__entry->vm = vm;
			   __entry->vcpu = vcpu;
			   __entry->vendor = vendor;
			   __entry->reason = reason;
			   __entry->latency_ns = latency_ns;
			   __assign_str(name, minivm_exit_name(vendor, reason));),
	    TP_printk("vm %llu vcpu %u %s after %s (%#llx) latency_ns %llu",
		      __entry->vm, __entry->vcpu, MINIVM_TRACE_VENDOR(__entry->vendor),
		      __get_str(name), __entry->reason, __entry->latency_ns)
);

TRACE_EVENT(minivm_fault,
	    TP_PROTO(u64 vm, u32 vcpu, u64 gpa, u32 access, u32 result, u64 latency_ns),
	    TP_ARGS(vm, vcpu, gpa, access, result, latency_ns),
	    TP_STRUCT__entry(__field(u64, vm)
			     __field(u32, vcpu)
			     __field(u32, access)
			     __field(u64, gpa)
			     __field(u32, result)
			     __field(u64, latency_ns)),
	    TP_fast_assign(__entry->vm = vm;
			   __entry->vcpu = vcpu;
			   __entry->access = access;
			   __entry->gpa = gpa;
			   __entry->result = result;
			   __entry->latency_ns = latency_ns;),
	    TP_printk("vm %llu vcpu %u gpa %#llx %s %s latency_ns %llu",
		      __entry->vm, __entry->vcpu, __entry->gpa,
		      MINIVM_TRACE_ACCESS(__entry->access),
		      MINIVM_TRACE_FAULT_RESULT(__entry->result), __entry->latency_ns)
);

TRACE_EVENT(minivm_userspace,
	    TP_PROTO(u64 vm, u32 vcpu, u32 exit_reason, u64 held_ns),
	    TP_ARGS(vm, vcpu, exit_reason, held_ns),
	    TP_STRUCT__entry(__field(u64, vm)
			     __field(u32, vcpu)
			     __field(u32, exit_reason)
			     __field(u64, held_ns)
			     __string(name, minivm_run_exit_name(exit_reason))),
	    TP_fast_assign(__entry->vm = vm;
			   __entry->vcpu = vcpu;
			   __entry->exit_reason = exit_reason;
			   __entry->held_ns = held_ns;
			   __assign_str(name, minivm_run_exit_name(exit_reason));),
	    TP_printk("vm %llu vcpu %u exit %s held_ns %llu",
		      __entry->vm, __entry->vcpu, __get_str(name), __entry->held_ns)
);

TRACE_EVENT(minivm_inject,
	    TP_PROTO(u64 vm, u32 vcpu, u32 type, u32 vector, u32 error_code, u64 latency_ns),
	    TP_ARGS(vm, vcpu, type, vector, error_code, latency_ns),
	    TP_STRUCT__entry(__field(u64, vm)
			     __field(u32, vcpu)
			     __field(u32, type)
			     __field(u32, vector)
			     __field(u32, error_code)
			     __field(u64, latency_ns)),
	    TP_fast_assign(__entry->vm = vm;
			   __entry->vcpu = vcpu;
			   __entry->type = type;
			   __entry->vector = vector;
			   __entry->error_code = error_code;
			   __entry->latency_ns = latency_ns;),
	    TP_printk("vm %llu vcpu %u %s vector %u error_code %#x latency_ns %llu",
		      __entry->vm, __entry->vcpu,
		      __print_symbolic(__entry->type, { MINIVM_EVENT_INTERRUPT, "interrupt" },
				       { MINIVM_EVENT_NMI, "nmi" },
				       { MINIVM_EVENT_EXCEPTION, "exception" }),
		      __entry->vector, __entry->error_code, __entry->latency_ns)
);

#endif /* MINIVM_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH kmod
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
