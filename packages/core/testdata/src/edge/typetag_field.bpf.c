// SPDX-License-Identifier: GPL-2.0
/* TYPE_TAG in field relocations: tt.p is PTR -> TYPE_TAG -> STRUCT; field relocations only
 * mark the pointer (no pointee), and the read through it is rooted at tt_inner: bpftool
 * succeeds. Target: targets/typetag.o. */
#include "common.h"

struct tt_inner { long w; } PAI;
struct tt { struct tt_inner __rcu *p; int a; } PAI;

SEC("raw_tp/sys_enter")
int typetag_field(void *ctx)
{
	struct tt *t = ctx;

	out[0] = BPF_CORE_READ(t, a);
	out[1] = BPF_CORE_READ(t, p, w);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
