// SPDX-License-Identifier: GPL-2.0
/* TYPE_MATCHES (docs/verification.md#edge-case-corpus): a struct with all member kinds (int, long, pointers, nested struct,
 * array, enum with extra target enumerators, anonymous union, function pointer), a pointer
 * member whose target pointee is a FWD, FLOAT member (libbpf: no match), INT size and
 * signedness mismatches. Target: targets/typematches.o. */
#include "common.h"

struct opq { int x; };
enum tme { TME_A, TME_B };
struct tm_inner { int i; };
struct tm_all {
	int i;
	unsigned long u;
	char *p;
	struct tm_inner in;
	struct tm_inner *pin;
	struct opq *po;
	int arr[4];
	enum tme e;
	union { int ua; long ub; };
	int (*fn)(struct tm_inner *, int);
};
struct tm_float { float f; };
struct tm_intmis { int i; };
struct tm_sign { int i; };

SEC("raw_tp/sys_enter")
int typematches(void *ctx)
{
	out[0] = bpf_core_type_matches(struct tm_all);
	out[1] = bpf_core_type_matches(struct tm_float);
	out[2] = bpf_core_type_matches(struct tm_intmis);
	out[3] = bpf_core_type_matches(struct tm_sign);
	out[4] = bpf_core_type_matches(enum tme);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
