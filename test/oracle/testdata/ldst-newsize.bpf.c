// SPDX-License-Identifier: Apache-2.0
/*
 * A load of an eight-byte field that ldst-target.bpf.o makes a 16-byte
 * unsigned integer: no BPF load is 16 bytes wide, so libbpf fails the load
 * with EINVAL ("invalid new mem size").
 */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct ldst_newsize {
	unsigned long n;
} __attribute__((preserve_access_index));

SEC("tracepoint/ldst_newsize")
int ldst_newsize(struct ldst_newsize *s)
{
	return s->n != 0;
}

char LICENSE[] SEC("license") = "GPL";
