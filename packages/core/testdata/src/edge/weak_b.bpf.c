// SPDX-License-Identifier: GPL-2.0
/* Second input of weak_linked.bpf.o (see weak_get.h): its weak_get reads weak_shared.b and is dropped by the
 * linker in favour of weak_a's. */
#define NO_OUT_ARRAY /* weak_a.bpf.o defines `out`; the linker rejects two definitions */
#include "common.h"

__u64 out_b[4];

#define WEAK_MEMBER b
#define WEAK_PROG weak_b
#define WEAK_SEC "raw_tp/sys_exit"
#define WEAK_OUT out_b[0]
#include "weak_get.h"
