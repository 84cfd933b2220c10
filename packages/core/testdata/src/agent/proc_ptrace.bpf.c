// SPDX-License-Identifier: GPL-2.0
// ptrace and process_vm access audit: who attaches to whom, with the target's ptrace state.
#include "agent.h"

struct ptrace_event {
	struct event_header h;
	__u32 target_pid;
	__u32 target_uid;
	__u32 mode;
	__u32 target_ptrace;
	__u32 same_thread_group;
	char target_comm[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("fentry/__ptrace_may_access")
int BPF_PROG(ptrace_may_access, struct task_struct *target, unsigned int mode)
{
	struct task_struct *task = current_task();
	struct ptrace_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	fill_header(&e->h, task);
	e->target_pid = BPF_CORE_READ(target, tgid);
	e->target_uid = BPF_CORE_READ(target, real_cred, uid.val);
	e->target_ptrace = BPF_CORE_READ(target, ptrace);
	e->same_thread_group = BPF_CORE_READ(target, group_leader) == BPF_CORE_READ(task, group_leader);
	e->mode = mode;
	BPF_CORE_READ_STR_INTO(&e->target_comm, target, comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
