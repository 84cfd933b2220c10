// SPDX-License-Identifier: GPL-2.0
// Run queue latency (runqlat-like): wakeup to on-CPU time per cgroup, from tp_btf sched_wakeup,
// sched_wakeup_new and sched_switch; the previous task's state decides whether it is re-queued.
#include "agent.h"

#define MAX_SLOTS 26

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} start SEC(".maps");

struct hist {
	__u32 slots[MAX_SLOTS];
	__u64 total_us;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct hist);
} hists SEC(".maps");

static __always_inline __u64 task_cgroup_id(struct task_struct *task)
{
	return BPF_CORE_READ(task, cgroups, dfl_cgrp, kn, id);
}

static __always_inline int enqueue(struct task_struct *p)
{
	__u32 pid = BPF_CORE_READ(p, pid);
	__u64 ts = bpf_ktime_get_ns();

	if (!pid)
		return 0;
	bpf_map_update_elem(&start, &pid, &ts, 0);
	return 0;
}

SEC("tp_btf/sched_wakeup")
int BPF_PROG(sched_wakeup, struct task_struct *p)
{
	return enqueue(p);
}

SEC("tp_btf/sched_wakeup_new")
int BPF_PROG(sched_wakeup_new, struct task_struct *p)
{
	return enqueue(p);
}

SEC("tp_btf/sched_switch")
int BPF_PROG(sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	static struct hist zero;
	__u32 pid = BPF_CORE_READ(next, pid);
	__u64 *tsp, delta, cg;
	struct hist *h;
	__u32 slot = 0;

	if (task_state(prev) == 0 /* TASK_RUNNING */)
		enqueue(prev);
	tsp = bpf_map_lookup_elem(&start, &pid);
	if (!tsp)
		return 0;
	delta = (bpf_ktime_get_ns() - *tsp) / 1000;
	cg = task_cgroup_id(next);
	h = bpf_map_lookup_elem(&hists, &cg);
	if (!h) {
		bpf_map_update_elem(&hists, &cg, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &cg);
		if (!h)
			goto out;
	}
	for (__u64 v = delta; v > 1 && slot < MAX_SLOTS - 1; v >>= 1)
		slot++;
	__sync_fetch_and_add(&h->slots[slot], 1);
	__sync_fetch_and_add(&h->total_us, delta);
out:
	bpf_map_delete_elem(&start, &pid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
