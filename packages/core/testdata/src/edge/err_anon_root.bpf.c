// SPDX-License-Identifier: GPL-2.0
/* Error: the relocation's local root is an anonymous struct (libbpf: "relocation doesn't
 * support anonymous types", EOPNOTSUPP). Target: targets/anon.o. */
#include "common.h"

struct { int pad; int x; } PAI *anon_ptr;

SEC("raw_tp/sys_enter")
int anon_root(void *ctx)
{
	out[0] = BPF_CORE_READ(anon_ptr, x);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
