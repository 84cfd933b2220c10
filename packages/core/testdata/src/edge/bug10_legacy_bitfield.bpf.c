// SPDX-License-Identifier: GPL-2.0
/* docs/btfgen.md#fix-10-legacy-bitfields: the target (targets/legacy_bitfield.btf, raw BTF) encodes legacy_bf with
 * kind_flag 0 and a member at bit offset 3 (pre-kind_flag encoding: the bitfield width lives
 * in the INT type). libbpf resolves the relocation, but bpftool cannot re-emit the member
 * (btf__add_field rejects a non-byte-aligned offset with bitfield size 0): the run fails. */
#include "common.h"

struct legacy_bf { unsigned int a:3; unsigned int b:5; int c; } PAI;

SEC("raw_tp/sys_enter")
int legacy(void *ctx)
{
	struct legacy_bf *p = ctx;

	out[0] = BPF_CORE_READ_BITFIELD_PROBED(p, b);
	out[1] = BPF_CORE_READ(p, c);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
