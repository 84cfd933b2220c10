// SPDX-License-Identifier: GPL-2.0
/* docs/btfgen.md#fix-6-every-matching-candidate: relocation A (part.a) matches both part___a and part___b, relocation B
 * (part.b) only part___b. bpftool marks A in part___a only; against its output A then
 * matches only part___a, the candidate list is pruned to it and B is poisoned (with the full
 * BTF B resolves to offset 4). A and B are in separate programs so per-program subsets can
 * be tested. Target: targets/candidates.o. */
#include "common.h"

struct part { int a; int b; } PAI;

SEC("raw_tp/sys_enter")
int reloc_a(void *ctx)
{
	out[0] = BPF_CORE_READ((struct part *)ctx, a);
	return 0;
}

SEC("raw_tp/sys_exit")
int reloc_b(void *ctx)
{
	out[1] = BPF_CORE_READ((struct part *)ctx, b);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
