// SPDX-License-Identifier: GPL-2.0
/* Input of weak_linked.bpf.o (`bpftool gen object weak_a.bpf.o weak_b.bpf.o`): both objects define the weak
 * subprogram weak_get with a CO-RE read of a different member; the linker keeps this one and drops weak_b's code,
 * but keeps weak_b's .BTF.ext records, which libbpf then skips. Target: targets/objects.o. */
#include "common.h"

struct weak_shared { int a; int b; } PAI;

__weak __noinline int weak_get(struct weak_shared *s)
{
	return BPF_CORE_READ(s, a);
}

SEC("raw_tp/sys_enter")
int weak_a(void *ctx)
{
	out[0] = weak_get(ctx);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
