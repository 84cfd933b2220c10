// SPDX-License-Identifier: Apache-2.0
/*
 * Not a program: a handcrafted *target* BTF (read from this object's .BTF
 * section) in which `struct task_struct` has two flavors with different
 * layouts. Relocating oracle-probe.bpf.o against it makes libbpf fail with
 * "field offset ambiguity", which aborts the whole CO-RE step; the oracle
 * tests use it to check how whole-object failures are reported.
 */
struct task_struct {
	int pid;
	int tgid;
	struct task_struct *real_parent;
};

struct task_struct___other_layout {
	long pad;
	int pid;
	int tgid;
	struct task_struct *real_parent;
};

struct task_struct t1;
struct task_struct___other_layout t2;
