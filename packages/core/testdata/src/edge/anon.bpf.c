// SPDX-License-Identifier: GPL-2.0
/* Anonymous members (docs/verification.md#edge-case-corpus): field inside an anonymous struct inside an anonymous union,
 * fields moved into and out of anonymous members, unnamed bitfield padding in the target.
 * Target: targets/anon.o. */
#include "common.h"

struct an { int x; int y; int z; } PAI;
struct an2 { union { struct { int deep; }; int other; }; } PAI;
struct an3 { union { struct { int v; }; long l; }; } PAI;

SEC("raw_tp/sys_enter")
int anon(void *ctx)
{
	struct an *a = ctx;
	struct an2 *b = ctx;
	struct an3 *c = ctx;

	out[0] = BPF_CORE_READ(a, x);
	out[1] = BPF_CORE_READ(a, y);
	out[2] = BPF_CORE_READ(a, z);
	out[3] = BPF_CORE_READ(b, deep);
	out[4] = BPF_CORE_READ(b, other);
	out[5] = BPF_CORE_READ(c, v);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
