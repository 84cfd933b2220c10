// SPDX-License-Identifier: GPL-2.0
/* docs/btfgen.md#fix-7-flexible-arrays: in the target, zl.marker[0] is not the last member, so marker[2] does not match
 * (poison). bpftool keeps zl with members {a, marker} only (marker is kept by the EXISTS
 * relocation), which makes marker the last member of the reduced struct: against the reduced
 * BTF marker[2] matches (offset 12) instead of being poisoned. Target: targets/arrays.o. */
#include "common.h"

struct zl { int a; int marker[0]; } PAI;

SEC("raw_tp/sys_enter")
int flex(void *ctx)
{
	struct zl *z = ctx;

	out[0] = BPF_CORE_READ(z, a);
	out[1] = bpf_core_field_exists(z->marker);
	out[2] = BPF_CORE_READ(z, marker[2]);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
