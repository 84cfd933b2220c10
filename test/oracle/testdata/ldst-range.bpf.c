// SPDX-License-Identifier: Apache-2.0
/*
 * A load of a field that ldst-target.bpf.o moves to offset 40,000: more than
 * a load's 16-bit signed offset holds, so libbpf fails the load with ERANGE.
 */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct ldst_range {
	unsigned int v;
} __attribute__((preserve_access_index));

SEC("tracepoint/ldst_range")
int ldst_range(struct ldst_range *s)
{
	return s->v;
}

char LICENSE[] SEC("license") = "GPL";
