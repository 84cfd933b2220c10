// SPDX-License-Identifier: Apache-2.0
/*
 * Bitfield shifts of a plain eight-byte field that ldst-target.bpf.o makes a
 * 16-byte integer: libbpf computes 64 minus 128 bits in 32-bit unsigned
 * arithmetic, so both shifts become 4,294,967,232, not -64.
 */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct ldst_newsize {
	unsigned long n;
} __attribute__((preserve_access_index));

SEC("tracepoint/shift_wrap")
int shift_wrap(struct ldst_newsize *s)
{
	return __builtin_preserve_field_info(s->n, BPF_FIELD_RSHIFT_U64) +
	       __builtin_preserve_field_info(s->n, BPF_FIELD_LSHIFT_U64);
}

char LICENSE[] SEC("license") = "GPL";
