// SPDX-License-Identifier: GPL-2.0
/* docs/btfgen.md#fix-9-pointer-size: pointer-sized answers. Against a 32-bit target (targets/ptrsize32.btf) the
 * full BTF has `long` of size 4, so TYPE_SIZE(tsp_t) = 4 and BYTE_SIZE(ptrs.p) = 4; bpftool's
 * output keeps no `long` INT, so libbpf falls back to the loader's pointer size (8 on a
 * 64-bit host). Against 64-bit targets the answers agree. Targets: targets/ptrsize32.btf,
 * targets/typebased.o. */
#include "common.h"

struct tp_pointee { int v; };
typedef struct tp_pointee *tsp_t;
struct ts { int a; };
struct ptrs { struct ts *p; } PAI;

SEC("raw_tp/sys_enter")
int pointer_size(void *ctx)
{
	out[0] = bpf_core_type_size(tsp_t);
	out[1] = bpf_core_field_size(((struct ptrs *)ctx)->p);
	out[2] = (__u64)BPF_CORE_READ((struct ptrs *)ctx, p);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
