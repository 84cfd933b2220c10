// SPDX-License-Identifier: GPL-2.0
/* docs/btfgen.md#fix-8-type_matches-recursion: TYPE_MATCHES on a struct holding a function pointer that takes the struct by
 * value. libbpf's matcher terminates (the param is behind the pointer), bpftool's marker resets
 * behindPtr for FUNC_PROTO params and recurses forever (stack overflow).
 * Target: targets/typematches.o. */
#include "common.h"

struct rec { int x; void (*cb)(struct rec); };

SEC("raw_tp/sys_enter")
int recursion(void *ctx)
{
	out[0] = bpf_core_type_matches(struct rec);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
