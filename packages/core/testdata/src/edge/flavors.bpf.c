// SPDX-License-Identifier: GPL-2.0
/* Flavors (docs/verification.md#edge-case-corpus "flavors"): two local flavors of one target struct, a target-side flavor,
 * four underscores (no flavor), enumerator flavors, member-name flavors (field relocations:
 * not stripped; TYPE_MATCHES: stripped). Target: targets/flavors.o. */
#include "common.h"

struct flv___v1 { int a; int b; } PAI;
struct flv___v2 { int a; long c; } PAI;
struct tflv { int q; } PAI;
struct four____u { int z; } PAI;
struct four____u___v1 { int z; } PAI;
struct four { int z; } PAI;
enum flv_e { FE_A___x = 0, FE_B___y = 1 };
struct flv_m { int m___x; } PAI;
struct flv_tm { int pad; int m___x; };

SEC("raw_tp/sys_enter")
int flavors(void *ctx)
{
	struct flv___v1 *v1 = ctx;
	struct flv___v2 *v2 = ctx;

	out[0] = BPF_CORE_READ(v1, b);
	out[1] = BPF_CORE_READ(v2, c);
	out[2] = BPF_CORE_READ((struct tflv *)ctx, q);
	out[3] = BPF_CORE_READ((struct four____u *)ctx, z);
	out[4] = BPF_CORE_READ((struct four____u___v1 *)ctx, z);
	out[5] = BPF_CORE_READ((struct four *)ctx, z);
	out[6] = bpf_core_enum_value(enum flv_e, FE_A___x);
	out[7] = bpf_core_enum_value_exists(enum flv_e, FE_B___y);
	out[8] = bpf_core_field_exists(((struct flv_m *)ctx)->m___x);
	out[9] = bpf_core_type_matches(struct flv_tm);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
