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

	check("minivm_api_version", sizeof(struct minivm_api_version), api_version, 2);
	check("minivm_check_cap", sizeof(struct minivm_check_cap), check_cap, 3);
	check("minivm_create_vm", sizeof(struct minivm_create_vm), create_vm, 3);
	return failures != 0;
}
