// SPDX-License-Identifier: GPL-2.0
/* Error: TYPE_ID_TARGET with two compatible candidates (dup___a, dup___b) always disagrees
 * ("relocation decision ambiguity"). Target: targets/candidates.o. */
#include "common.h"

struct dup { int x; int y; };

SEC("raw_tp/sys_enter")
int type_id_ambiguity(void *ctx)
{
	out[0] = bpf_core_type_id_kernel(struct dup);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
