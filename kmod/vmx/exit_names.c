// SPDX-License-Identifier: GPL-2.0
/*
 * minivm VMX backend: basic exit reasons by name, generated from the list in
 * uapi/linux/minivm_exits.h. Indexed by number: the tracepoints look a name
 * up on every exit they record, and a search of a list cost more than the
 * rest of the event.
 */
#include <linux/kernel.h>
#include "vmx.h"

static const char * const vmx_name_by_nr[128] = {
#define MINIVM_VMX_EXIT(nr, name) \
	[nr] = #name,
#include <uapi/linux/minivm_exits.h>
};

/* The name of basic exit reason @reason, or NULL. */
const char *vmx_exit_name(u64 reason)
{
	return reason < ARRAY_SIZE(vmx_name_by_nr) ? vmx_name_by_nr[reason] : NULL;
}
