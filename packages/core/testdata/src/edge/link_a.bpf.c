// SPDX-License-Identifier: GPL-2.0
/* Object sharing types with link_b.bpf.o (multi-object runs) and input of linked.bpf.o
 * (`bpftool gen object`). Target: targets/objects.o. */
#include "common.h"

struct shared { int a; int b; } PAI;
struct only_a { int x; } PAI;

SEC("raw_tp/sys_enter")
int link_a(void *ctx)
{
	out[0] = BPF_CORE_READ((struct shared *)ctx, a);
	out[1] = BPF_CORE_READ((struct only_a *)ctx, x);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
