// SPDX-License-Identifier: GPL-2.0
/* Modifiers, pointers and missing things (docs/verification.md#edge-case-corpus): const/volatile/restrict around members
 * and a const volatile typedef root; a pointer field whose pointee is not marked elsewhere
 * (becomes void *); a pointer chain a->next->val (one relocation per hop); a missing field
 * (EXISTS 0, read poisoned); a missing struct; a field with an incompatible type (int vs
 * struct: no match); union locally vs struct in the target (compatible for fields).
 * Target: targets/modifiers.o. */
#include "common.h"

struct mod_inner { int v; } PAI;
struct mod_s { const int cv; int *rp; struct mod_inner ci; long vl; } PAI;
typedef const volatile struct mod_s cvmod_t;

struct pm_b { int val; } PAI;
struct pm_d { long d; } PAI;
union pm_um { int a; int b; } PAI;
struct pm_a { struct pm_d *dp; struct pm_b *next; int x; int missing_field; struct pm_b emb; } PAI;
struct pm_c { union pm_um m; struct pm_b incompat; } PAI;
struct pm_missing_struct { int x; } PAI;

SEC("raw_tp/sys_enter")
int modifiers(void *ctx)
{
	struct mod_s *m = ctx;
	cvmod_t *cm = ctx;
	struct pm_a *a = ctx;
	struct pm_c *c = ctx;

	out[0] = BPF_CORE_READ(m, cv);
	out[1] = (__u64)BPF_CORE_READ(m, rp);
	out[2] = BPF_CORE_READ(m, ci.v);
	out[3] = BPF_CORE_READ(cm, vl);
	out[4] = bpf_core_type_size(cvmod_t);
	out[5] = (__u64)BPF_CORE_READ(a, dp);
	out[6] = BPF_CORE_READ(a, next, val);
	out[7] = BPF_CORE_READ(a, emb.val);
	out[8] = bpf_core_field_exists(a->missing_field);
	out[9] = BPF_CORE_READ(a, missing_field);            /* poisoned */
	out[10] = bpf_core_type_exists(struct pm_missing_struct);
	out[11] = BPF_CORE_READ((struct pm_missing_struct *)ctx, x); /* poisoned */
	out[12] = bpf_core_field_exists(c->incompat);        /* 0: int vs struct */
	out[13] = BPF_CORE_READ(c, m.b);                      /* union vs struct: compatible */
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
