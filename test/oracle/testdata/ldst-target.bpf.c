// SPDX-License-Identifier: Apache-2.0
/*
 * Not a program: a handcrafted *target* BTF (read from this object's .BTF
 * section) for the ldst-*.bpf.o objects, whose fields it resizes or moves so
 * that libbpf's load/store checks in bpf_core_patch_insn fire:
 * - ldst_adjust: sval grows from int to long (signed: the width cannot be
 *   adjusted, the load is poisoned), uval from unsigned int to unsigned long
 *   (the load is widened), arr from 4 to 8 bytes (an array: poisoned when the
 *   whole field is loaded, as libbpf 1.1 and 1.4.6 size it);
 * - ldst_range: v moves past offset 32,767 (ERANGE for a load);
 * - ldst_width: w grows from unsigned int to unsigned long (EINVAL for a load
 *   narrower than the object's field);
 * - ldst_newsize: n grows from 8 to 16 bytes (EINVAL: no load is 16 bytes).
 */
struct ldst_adjust {
	long sval;
	unsigned long uval;
	unsigned char arr[8];
};

struct ldst_range {
	char pad[40000];
	unsigned int v;
};

struct ldst_width {
	unsigned long w;
};

struct ldst_newsize {
	unsigned __int128 n;
};

struct ldst_adjust t1;
struct ldst_range t2;
struct ldst_width t3;
struct ldst_newsize t4;
