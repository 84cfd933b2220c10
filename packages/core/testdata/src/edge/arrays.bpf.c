// SPDX-License-Identifier: GPL-2.0
/* Arrays (docs/verification.md#edge-case-corpus): s->arr[2].x, multi-dimensional m[1][2], out-of-bounds index in the
 * target (no match: exists 0 / poison), array element BYTE_OFFSET + BYTE_SIZE (memory size of
 * the element), flexible array index beyond 0, pointer used as array (raw[0] = 3).
 * Target: targets/arrays.o. */
#include "common.h"

struct elem { int x; } PAI;
struct arr_s { struct elem arr[3]; int m[2][4]; int small[5]; unsigned short ids[4]; } PAI;
struct fa { int n; int data[0]; } PAI;
struct pa { int x; } PAI;

SEC("raw_tp/sys_enter")
int arrays(void *ctx)
{
	struct arr_s *s = ctx;
	struct fa *f = ctx;
	struct pa *p = ctx;

	out[0] = BPF_CORE_READ(s, arr[2].x);
	out[1] = BPF_CORE_READ(s, m[1][2]);
	out[2] = bpf_core_field_exists(s->small[4]);
	out[3] = BPF_CORE_READ(s, small[4]);          /* poisoned: index 4 >= 3 in the target */
	out[4] = BPF_CORE_READ(s, ids[1]);
	out[5] = bpf_core_field_size(s->ids[1]);
	out[6] = BPF_CORE_READ(f, data[5]);
	out[7] = BPF_CORE_READ(&p[3], x);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
