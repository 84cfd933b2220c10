// SPDX-License-Identifier: GPL-2.0
/* Bitfields (docs/verification.md#edge-case-corpus): kind_flag structs, bitfields that grow/move, signed vs unsigned,
 * enum-typed, u64 bitfield, straddling a u32 (load size doubling), plain int through
 * BPF_CORE_READ_BITFIELD. BPF_CORE_READ_BITFIELD(_PROBED) emit BYTE_OFFSET, BYTE_SIZE,
 * LSHIFT_U64, RSHIFT_U64 and SIGNED. Target: targets/bitfields.o. */
#include "common.h"

enum bfe { BFE_A, BFE_B };
struct bf {
	unsigned int a:3;
	int b:5;
	enum bfe e:2;
	unsigned long long big:40;
	int plain;
} PAI;
struct bfs { unsigned int s:4; } PAI;

SEC("raw_tp/sys_enter")
int bitfields(void *ctx)
{
	struct bf *bfp = ctx;
	struct bfs *q = ctx;

	out[0] = BPF_CORE_READ_BITFIELD_PROBED(bfp, a);
	out[1] = BPF_CORE_READ_BITFIELD_PROBED(bfp, b);
	out[2] = BPF_CORE_READ_BITFIELD_PROBED(bfp, e);
	out[3] = BPF_CORE_READ_BITFIELD_PROBED(bfp, big);
	out[4] = BPF_CORE_READ_BITFIELD(bfp, plain);
	out[5] = BPF_CORE_READ_BITFIELD_PROBED(q, s);
	out[6] = FIELD_SIGNED(bfp->b);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
