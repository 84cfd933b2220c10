// SPDX-License-Identifier: GPL-2.0
/* docs/btfgen.md#fix-5-type_tag-and-fwd (TYPE_TAG, TYPE_MATCHES): TYPE_MATCHES on a struct with a type-tagged pointer
 * member. markTypeMatch reaches PTR -> TYPE_TAG and fails. Target: targets/typetag.o. */
#include "common.h"

struct tt_inner { int v; long w; };
struct tt { int a; struct tt_inner __rcu *p; };

SEC("raw_tp/sys_enter")
int typetag_match(void *ctx)
{
	out[0] = bpf_core_type_matches(struct tt);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
