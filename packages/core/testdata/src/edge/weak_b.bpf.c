// SPDX-License-Identifier: GPL-2.0
/* The second input of weak_linked.bpf.o (see weak_a.bpf.c): its weak_get reads another member, and is dropped by
 * the linker in favour of weak_a's. */
#define NO_OUT_ARRAY /* weak_a.bpf.o defines `out`; the linker rejects two definitions */
#include "common.h"

__u64 out_b[4];

struct weak_shared { int a; int b; } PAI;

__weak __noinline int weak_get(struct weak_shared *s)
{
	return BPF_CORE_READ(s, b);
}

SEC("raw_tp/sys_exit")
int weak_b(void *ctx)
{
	out_b[0] = weak_get(ctx);
	return 0;
}
