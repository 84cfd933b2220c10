// SPDX-License-Identifier: GPL-2.0
/* Second half of the shared-types pair (see link_a.bpf.c). Target: targets/objects.o. */
#define NO_OUT_ARRAY /* link_a.bpf.o defines `out`; the linker rejects two definitions */
#include "common.h"

struct shared { int a; int b; } PAI;

__u64 out_b[4];

SEC("raw_tp/sys_exit")
int link_b(void *ctx)
{
	out_b[0] = BPF_CORE_READ((struct shared *)ctx, b);
	return 0;
}
