// SPDX-License-Identifier: GPL-2.0
/* minivm: where the tracepoints of kmod/trace.h are instantiated. */
#define CREATE_TRACE_POINTS
#include "trace.h"
