// SPDX-License-Identifier: Apache-2.0
/*
 * btf-kernel-load: hand raw BTF files to the running kernel's BTF verifier (BPF_BTF_LOAD through libbpf) and say
 * whether it accepts each:
 *
 *   btf-kernel-load FILE...
 *
 * Prints one line per file: "ok" when the kernel accepts it, else the errno (libbpf's parse failing is
 * "parse <errno>"). Needs root (or CAP_BPF). The kernel is the reference for which BTF is valid.
 */
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	libbpf_set_print(NULL);
	for (int i = 1; i < argc; i++) {
		struct btf *btf = btf__parse_raw(argv[i]);
		int err;

		if (!btf) {
			printf("parse %d\n", errno);
			continue;
		}
		err = btf__load_into_kernel(btf);
		if (err)
			printf("%d\n", -err);
		else
			printf("ok\n");
		btf__free(btf);
	}
	return 0;
}
