// SPDX-License-Identifier: GPL-2.0
/* Compiled WITHOUT -g: the object has no .BTF and no .BTF.ext; bpftool min_core_btf fails. */
typedef unsigned long long __u64;
__u64 out[4];

__attribute__((section("raw_tp/sys_enter"), used))
int no_btf(void *ctx)
{
	out[0] = 1;
	return 0;
}

char LICENSE[] __attribute__((section("license"), used)) = "GPL";
