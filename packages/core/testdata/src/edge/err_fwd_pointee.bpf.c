// SPDX-License-Identifier: GPL-2.0
/* docs/btfgen.md#fix-5-type_tag-and-fwd (FWD): TYPE_EXISTS on a typedef of a pointer to an opaque struct. libbpf
 * matches (pointee kinds FWD/FWD), bpftool's markType follows the pointer into the FWD and
 * fails with "unsupported kind". Target: targets/typebased.o. */
#include "common.h"

struct opaque_fwd;
typedef struct opaque_fwd *opaque_ptr_t;

SEC("raw_tp/sys_enter")
int fwd_pointee(void *ctx)
{
	out[0] = bpf_core_type_exists(opaque_ptr_t);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
