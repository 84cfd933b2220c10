// SPDX-License-Identifier: GPL-2.0
/* Error: bfbig.s occupies bits 60..69, which no naturally aligned u64 load covers
 * ("can't be satisfied for bitfield", E2BIG). Target: targets/bitfields.o. */
#include "common.h"

struct bfbig { unsigned long long s:10; } PAI;

SEC("raw_tp/sys_enter")
int e2big(void *ctx)
{
	out[0] = BPF_CORE_READ_BITFIELD_PROBED((struct bfbig *)ctx, s);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
