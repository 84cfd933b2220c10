// SPDX-License-Identifier: Apache-2.0
/*
 * CO-RE relocations past a 16-bit vlen: a field of `struct wide_struct` at member index 65,536 and 69,999 and a
 * value of `enum wide_enum` at index 69,999, as packages/core/test/layout-fixtures.ts builds them (member mN is an
 * int at byte 4 * N, WIDE_N has value 3 * N), plus one ordinary task_struct read.
 */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct wide_struct {
	int m65536;
	int m69999;
} __attribute__((preserve_access_index));

enum wide_enum {
	WIDE_69999 = 1,
};

struct task_struct {
	int pid;
} __attribute__((preserve_access_index));

__u64 out[4];

SEC("kprobe/do_nanosleep")
int layout_probe(void *ctx)
{
	struct wide_struct *w = (void *)bpf_get_current_task();
	struct task_struct *task = (void *)bpf_get_current_task();

	out[0] = BPF_CORE_READ(w, m65536);
	out[1] = bpf_core_field_offset(w->m69999);
	out[2] = bpf_core_enum_value(enum wide_enum, WIDE_69999);
	out[3] = BPF_CORE_READ(task, pid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
