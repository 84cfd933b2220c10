// SPDX-License-Identifier: GPL-2.0
/* Only TYPE_ID_LOCAL relocations: nothing is marked, the output is an empty BTF (25 bytes). */
#include "common.h"

struct shared { int a; int b; };

SEC("raw_tp/sys_enter")
int type_id_local_only(void *ctx)
{
	out[0] = bpf_core_type_id_local(struct shared);
	out[1] = bpf_core_type_id_local(struct only_local { int z; });
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
