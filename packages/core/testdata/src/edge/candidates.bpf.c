// SPDX-License-Identifier: GPL-2.0
/* Candidates (docs/verification.md#edge-case-corpus "candidates"): zero candidates, identical duplicates (no ambiguity,
 * first one kept), TYPE_EXISTS with two compatible candidates, typedef root vs target typedef,
 * ENUM local vs ENUM64 target and vice versa. Target: targets/candidates.o. */
#include "common.h"

struct nosuch { int x; } PAI;
struct dup { int x; int y; } PAI;
typedef struct { int v; } PAI tdroot_t;
enum e32 { E32_A = 1 };
enum e64 { E64_A = 0x1ffffffffULL };

SEC("raw_tp/sys_enter")
int candidates(void *ctx)
{
	struct nosuch *n = ctx;
	struct dup *d = ctx;
	tdroot_t *t = ctx;

	out[0] = bpf_core_field_exists(n->x);
	out[1] = BPF_CORE_READ(n, x);                 /* poisoned: no candidate */
	out[2] = bpf_core_type_exists(struct nosuch);
	out[3] = bpf_core_type_size(struct nosuch);
	out[4] = BPF_CORE_READ(d, y);                 /* both duplicates agree */
	out[5] = bpf_core_type_exists(struct dup);
	out[6] = bpf_core_type_size(struct dup);
	out[7] = BPF_CORE_READ(t, v);
	out[8] = bpf_core_enum_value(enum e32, E32_A);
	out[9] = bpf_core_enum_value(enum e64, E64_A);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
