/* The body of weak_a.bpf.c and weak_b.bpf.c, the inputs of weak_linked.bpf.o (`bpftool gen object weak_a.bpf.o
 * weak_b.bpf.o`): both define the weak subprogram weak_get, with a CO-RE read of member WEAK_MEMBER, and a program
 * WEAK_PROG in section WEAK_SEC that stores its result in WEAK_OUT. The linker keeps the first weak_get (weak_a's)
 * and drops the other's code, but keeps its .BTF.ext records, which libbpf then skips. Target: targets/objects.o. */
#include "common.h"

struct weak_shared { int a; int b; } PAI;

__weak __noinline int weak_get(struct weak_shared *s)
{
	return BPF_CORE_READ(s, WEAK_MEMBER);
}

SEC(WEAK_SEC)
int WEAK_PROG(void *ctx)
{
	WEAK_OUT = weak_get(ctx);
	return 0;
}
