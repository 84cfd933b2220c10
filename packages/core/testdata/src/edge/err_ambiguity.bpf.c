// SPDX-License-Identifier: GPL-2.0
/* Error: dupoff___a.x is at offset 0, dupoff___b.x at offset 4: "field offset ambiguity",
 * bpftool fails the whole run. Target: targets/candidates.o. */
#include "common.h"

struct dupoff { int x; } PAI;

SEC("raw_tp/sys_enter")
int ambiguity(void *ctx)
{
	out[0] = BPF_CORE_READ((struct dupoff *)ctx, x);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
