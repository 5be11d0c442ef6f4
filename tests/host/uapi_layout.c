// SPDX-License-Identifier: GPL-2.0
/*
 * Every ioctl struct of uapi/linux/minivm.h is naturally aligned with no
 * implicit padding, so i386 and x86-64 callers see one layout and the
 * module needs no compat translation.
 */
#include <stddef.h>
#include <stdio.h>
#include <linux/minivm.h>

static int failures;

#define FIELD(type, f) { #type "." #f, offsetof(struct type, f),	\
			 sizeof(((struct type *)0)->f), __alignof__(((struct type *)0)->f) }

struct field {
	const char *name;
	size_t off, size, align;
};

static void check(const char *type, size_t size, const struct field *f, size_t n)
{
	size_t end = 0;

	for (size_t i = 0; i < n; i++) {
		if (f[i].off != end) {
			printf("%s: padding before %s (offset %zu, previous end %zu)\n",
			       type, f[i].name, f[i].off, end);
			failures++;
		}
		if (f[i].off % f[i].align) {
			printf("%s: %s misaligned at %zu\n", type, f[i].name, f[i].off);
			failures++;
		}
		end = f[i].off + f[i].size;
	}
	if (end != size || size % 8) {
		printf("%s: size %zu, fields end at %zu (want a multiple of 8 with no tail)\n",
		       type, size, end);
		failures++;
	}
}

int main(void)
{
	static const struct field api_version[] = {
		FIELD(minivm_api_version, version), FIELD(minivm_api_version, reserved),
	};
	static const struct field check_cap[] = {
		FIELD(minivm_check_cap, cap), FIELD(minivm_check_cap, reserved),
		FIELD(minivm_check_cap, value),
	};
	static const struct field create_vm[] = {
		FIELD(minivm_create_vm, flags), FIELD(minivm_create_vm, reserved),
		FIELD(minivm_create_vm, vm_id),
	};

	static const struct field memory_region[] = {
		FIELD(minivm_memory_region, slot), FIELD(minivm_memory_region, flags),
		FIELD(minivm_memory_region, guest_phys_addr),
		FIELD(minivm_memory_region, memory_size),
		FIELD(minivm_memory_region, userspace_addr),
	};
	static const struct field create_vcpu[] = {
		FIELD(minivm_create_vcpu, vcpu_id), FIELD(minivm_create_vcpu, flags),
		FIELD(minivm_create_vcpu, reserved),
	};
	static const struct field segment[] = {
		FIELD(minivm_segment, base), FIELD(minivm_segment, limit),
		FIELD(minivm_segment, selector), FIELD(minivm_segment, attrib),
	};
	static const struct field dtable[] = {
		FIELD(minivm_dtable, base), FIELD(minivm_dtable, limit),
		FIELD(minivm_dtable, reserved),
	};
	static const struct field sregs[] = {
		FIELD(minivm_sregs, cs), FIELD(minivm_sregs, ds), FIELD(minivm_sregs, es),
		FIELD(minivm_sregs, fs), FIELD(minivm_sregs, gs), FIELD(minivm_sregs, ss),
		FIELD(minivm_sregs, tr), FIELD(minivm_sregs, ldt), FIELD(minivm_sregs, gdt),
		FIELD(minivm_sregs, idt), FIELD(minivm_sregs, cr0), FIELD(minivm_sregs, cr2),
		FIELD(minivm_sregs, cr3), FIELD(minivm_sregs, cr4), FIELD(minivm_sregs, efer),
		FIELD(minivm_sregs, reserved),
	};
	static const struct field run[] = {
		FIELD(minivm_run, request_interrupt_window), FIELD(minivm_run, immediate_exit),
		FIELD(minivm_run, reserved_in),
		FIELD(minivm_run, exit_reason), FIELD(minivm_run, ready_for_interrupt_injection),
		FIELD(minivm_run, if_flag), FIELD(minivm_run, flags), FIELD(minivm_run, cr8),
		FIELD(minivm_run, vendor), FIELD(minivm_run, reserved_out),
		FIELD(minivm_run, hw_reason), FIELD(minivm_run, padding),
	};

	static const struct field msr_entry[] = {
		FIELD(minivm_msr_entry, index), FIELD(minivm_msr_entry, reserved),
		FIELD(minivm_msr_entry, data),
	};
	static const struct field msrs[] = {
		FIELD(minivm_msrs, nmsrs), FIELD(minivm_msrs, reserved), FIELD(minivm_msrs, entries),
	};

	static const struct field interrupt[] = {
		FIELD(minivm_interrupt, vector), FIELD(minivm_interrupt, reserved),
	};
	static const struct field event[] = {
		FIELD(minivm_event, type), FIELD(minivm_event, vector),
		FIELD(minivm_event, has_error_code), FIELD(minivm_event, reserved),
		FIELD(minivm_event, error_code),
	};
	static const struct field events[] = {
		FIELD(minivm_events, injected), FIELD(minivm_events, exception),
		FIELD(minivm_events, exception_cr2), FIELD(minivm_events, interrupt_pending),
		FIELD(minivm_events, interrupt_vector), FIELD(minivm_events, nmi_pending),
		FIELD(minivm_events, nmi_masked), FIELD(minivm_events, flags),
		FIELD(minivm_events, reserved),
	};
	static const struct field mp_state[] = {
		FIELD(minivm_mp_state, state), FIELD(minivm_mp_state, reserved),
	};
	static const struct field msi[] = {
		FIELD(minivm_msi, address), FIELD(minivm_msi, data), FIELD(minivm_msi, flags),
		FIELD(minivm_msi, reserved),
	};
	static const struct field unclaimed_ports[] = {
		FIELD(minivm_unclaimed_ports, flags), FIELD(minivm_unclaimed_ports, reserved),
		FIELD(minivm_unclaimed_ports, bitmap),
	};

	check("minivm_interrupt", sizeof(struct minivm_interrupt), interrupt, 2);
	check("minivm_event", sizeof(struct minivm_event), event, 5);
	check("minivm_events", sizeof(struct minivm_events), events, 9);
	check("minivm_mp_state", sizeof(struct minivm_mp_state), mp_state, 2);
	check("minivm_msi", sizeof(struct minivm_msi), msi, 4);
	check("minivm_unclaimed_ports", sizeof(struct minivm_unclaimed_ports), unclaimed_ports, 3);
	check("minivm_msr_entry", sizeof(struct minivm_msr_entry), msr_entry, 3);
	check("minivm_msrs", sizeof(struct minivm_msrs), msrs, 3);
	check("minivm_api_version", sizeof(struct minivm_api_version), api_version, 2);
	check("minivm_check_cap", sizeof(struct minivm_check_cap), check_cap, 3);
	check("minivm_create_vm", sizeof(struct minivm_create_vm), create_vm, 3);
	check("minivm_memory_region", sizeof(struct minivm_memory_region), memory_region, 5);
	check("minivm_create_vcpu", sizeof(struct minivm_create_vcpu), create_vcpu, 3);
	check("minivm_segment", sizeof(struct minivm_segment), segment, 4);
	check("minivm_dtable", sizeof(struct minivm_dtable), dtable, 3);
	check("minivm_sregs", sizeof(struct minivm_sregs), sregs, 16);
	check("minivm_run", sizeof(struct minivm_run), run, 12);
	/* struct minivm_regs is 18 u64s: no padding is possible. */
	if (sizeof(struct minivm_regs) != 18 * 8) {
		printf("minivm_regs: size %zu\n", sizeof(struct minivm_regs));
		failures++;
	}
	return failures != 0;
}
