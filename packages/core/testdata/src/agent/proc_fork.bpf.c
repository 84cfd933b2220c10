// SPDX-License-Identifier: GPL-2.0
// Process creation: sched_process_fork and task_newtask, with clone flags, the child's
// namespaces and whether it shares the parent's mm.
#include "agent.h"

struct fork_event {
	struct event_header h;
	__u64 clone_flags;
	__u32 child_pid;
	__u32 child_tgid;
	__u32 same_mm;
	__u32 child_uts_ns;
	__u32 child_net_ns;
	__u32 child_cgroup_ns;
	char child_comm[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tp/sched/sched_process_fork")
int handle_fork(struct trace_event_raw_sched_process_fork *ctx)
{
	struct fork_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	e->child_pid = ctx->child_pid;
	bpf_probe_read_kernel_str(e->child_comm, sizeof(e->child_comm), ctx->child_comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/task_newtask")
int BPF_PROG(task_newtask, struct task_struct *child, u64 clone_flags)
{
	struct task_struct *parent = current_task();
	struct fork_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	fill_header(&e->h, parent);
	e->clone_flags = clone_flags;
	e->child_pid = BPF_CORE_READ(child, pid);
	e->child_tgid = BPF_CORE_READ(child, tgid);
	e->same_mm = BPF_CORE_READ(child, mm) == BPF_CORE_READ(parent, mm);
	e->child_uts_ns = BPF_CORE_READ(child, nsproxy, uts_ns, ns.inum);
	e->child_net_ns = BPF_CORE_READ(child, nsproxy, net_ns, ns.inum);
	e->child_cgroup_ns = BPF_CORE_READ(child, nsproxy, cgroup_ns, ns.inum);
	BPF_CORE_READ_STR_INTO(&e->child_comm, child, comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
