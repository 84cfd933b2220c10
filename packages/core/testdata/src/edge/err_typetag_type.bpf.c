// SPDX-License-Identifier: GPL-2.0
/* docs/btfgen.md#fix-5-type_tag-and-fwd (TYPE_TAG, type-based): TYPE_SIZE of a typedef of a type-tagged pointer.
 * markType follows the pointer into TYPE_TAG and fails ("unsupported kind").
 * Target: targets/typetag.o. */
#include "common.h"

struct tt_inner { long w; };
typedef struct tt_inner __rcu *tt_ptr_t;

SEC("raw_tp/sys_enter")
int typetag_type(void *ctx)
{
	out[0] = bpf_core_type_exists(tt_ptr_t);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
