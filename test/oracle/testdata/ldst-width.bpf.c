// SPDX-License-Identifier: Apache-2.0
/*
 * A one-byte load of a four-byte field that ldst-target.bpf.o widens to eight
 * bytes: libbpf adjusts a load's width only when it reads the whole field, so
 * it fails the load with EINVAL ("unexpected mem size").
 */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct ldst_width {
	unsigned int w;
} __attribute__((preserve_access_index));

SEC("tracepoint/ldst_width")
int ldst_width(struct ldst_width *s)
{
	return *(unsigned char *)&s->w;
}

char LICENSE[] SEC("license") = "GPL";
