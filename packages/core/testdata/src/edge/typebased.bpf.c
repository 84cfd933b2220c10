// SPDX-License-Identifier: GPL-2.0
/* Type-based relocations (docs/verification.md#edge-case-corpus "type-based"): TYPE_EXISTS / TYPE_SIZE on struct, union,
 * enum, typedef of struct, typedef of anonymous struct, typedef of pointer to struct (pointee
 * kept), typedef of void *, typedef of function pointer, typedef of array, const volatile
 * typedef, int; TYPE_ID_TARGET (unique candidate) and TYPE_ID_LOCAL; a missing type.
 * Target: targets/typebased.o. */
#include "common.h"

struct ts { int a; };
union tu { int a; };
enum te { TE_A };
typedef struct ts ts_t;
typedef struct { int x; } tanon_t;
struct tp_pointee { int v; };
typedef struct tp_pointee *tsp_t;
typedef void *tvoidp_t;
typedef int (*tfn_t)(struct ts *, int);
typedef int tarr_t[3];
typedef const volatile struct ts cvts_t;
typedef int s32_t;               /* clang rejects a bare `int` in __builtin_preserve_type_info */
struct ts_missing { int a; };

SEC("raw_tp/sys_enter")
int typebased(void *ctx)
{
	out[0] = bpf_core_type_exists(struct ts);
	out[1] = bpf_core_type_size(struct ts);
	out[2] = bpf_core_type_size(union tu);
	out[3] = bpf_core_type_exists(enum te);
	out[4] = bpf_core_type_size(ts_t);
	out[5] = bpf_core_type_size(tanon_t);
	out[6] = bpf_core_type_exists(tsp_t);
	out[7] = bpf_core_type_size(tsp_t);
	out[8] = bpf_core_type_exists(tvoidp_t);
	out[9] = bpf_core_type_exists(tfn_t);
	out[10] = bpf_core_type_size(tarr_t);
	out[11] = bpf_core_type_size(cvts_t);
	out[12] = bpf_core_type_size(s32_t);
	out[13] = bpf_core_type_id_kernel(struct ts);
	out[14] = bpf_core_type_id_local(struct ts);
	out[15] = bpf_core_type_exists(struct ts_missing);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
