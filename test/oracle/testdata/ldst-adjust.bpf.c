// SPDX-License-Identifier: Apache-2.0
/*
 * Loads whose field changes size in ldst-target.bpf.o. libbpf poisons a load
 * (or store) whose width it cannot adjust ("accesses field incorrectly"): the
 * signed sval, and the whole array arr (libbpf 1.1 and 1.4.6 record an array
 * field's whole size, and an array is neither a pointer nor an unsigned int).
 * It widens the load of the unsigned uval, leaves the load of one element of
 * arr alone, and patches the ALU instructions on sval's offset as usual. The
 * relocations on sval repeat one access (a load, then an address), and a
 * TYPE_MATCHES check that answers 0 on this kernel covers the sval load: a
 * poisoned load of a field that exists is never guarded by it.
 */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct ldst_adjust {
	int sval;
	unsigned int uval;
	unsigned char arr[4];
} __attribute__((preserve_access_index));

SEC("tracepoint/ldst_adjust")
int ldst_adjust(struct ldst_adjust *s)
{
	long r = 0;

	if (!bpf_core_type_matches(struct ldst_adjust))
		r = s->sval;
	r += s->uval;
	r += *(unsigned int *)s->arr;
	r += s->arr[2];
	r += (long)&s->sval;
	return r;
}

SEC("tracepoint/ldst_adjust_addr")
long ldst_adjust_addr(struct ldst_adjust *s)
{
	return (long)&s->sval;
}

char LICENSE[] SEC("license") = "GPL";
