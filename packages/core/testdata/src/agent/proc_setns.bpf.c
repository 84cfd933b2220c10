// SPDX-License-Identifier: GPL-2.0
// Namespace changes (container escapes and entries): setns/unshare through switch_task_namespaces,
// comparing every namespace of the old and the new nsproxy.
#include "agent.h"

struct ns_event {
	struct event_header h;
	__u32 old_mnt, new_mnt;
	__u32 old_net, new_net;
	__u32 old_uts, new_uts;
	__u32 old_ipc, new_ipc;
	__u32 old_time, new_time;
	__u32 new_cgroup;
	__u32 ns_count;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("kprobe/switch_task_namespaces")
int BPF_KPROBE(switch_task_namespaces, struct task_struct *task, struct nsproxy *new)
{
	struct nsproxy *old = BPF_CORE_READ(task, nsproxy);
	struct ns_event *e;

	if (!new)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	fill_header(&e->h, task);
	e->old_mnt = BPF_CORE_READ(old, mnt_ns, ns.inum);
	e->new_mnt = BPF_CORE_READ(new, mnt_ns, ns.inum);
	e->old_net = BPF_CORE_READ(old, net_ns, ns.inum);
	e->new_net = BPF_CORE_READ(new, net_ns, ns.inum);
	e->old_uts = BPF_CORE_READ(old, uts_ns, ns.inum);
	e->new_uts = BPF_CORE_READ(new, uts_ns, ns.inum);
	e->old_ipc = BPF_CORE_READ(old, ipc_ns, ns.inum);
	e->new_ipc = BPF_CORE_READ(new, ipc_ns, ns.inum);
	e->new_cgroup = BPF_CORE_READ(new, cgroup_ns, ns.inum);
	if (bpf_core_field_exists(new->time_ns)) {
		e->old_time = BPF_CORE_READ(old, time_ns, ns.inum);
		e->new_time = BPF_CORE_READ(new, time_ns, ns.inum);
	}
	/* count: atomic_t until 6.6, refcount_t since; both hold one 32-bit counter first. */
	bpf_core_read(&e->ns_count, sizeof(e->ns_count), &new->count);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
