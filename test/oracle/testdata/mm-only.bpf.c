// SPDX-License-Identifier: Apache-2.0
/*
 * A second, unrelated CO-RE object: it only reads mm_struct. A BTF minimized for it lacks
 * what oracle-probe.bpf.o needs (task_struct, sock, pid_type), which the oracle must detect.
 */
#include <linux/types.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct mm_struct {
	unsigned long task_size;
} __attribute__((preserve_access_index));

SEC("kprobe/do_nanosleep")
int mm_only(void *ctx)
{
	struct mm_struct *mm = (void *)bpf_get_current_task();

	return BPF_CORE_READ(mm, task_size) != 0;
}

char LICENSE[] SEC("license") = "GPL";
