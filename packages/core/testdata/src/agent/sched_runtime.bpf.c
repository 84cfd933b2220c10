// SPDX-License-Identifier: GPL-2.0
// CPU time per cgroup and task group (container CPU accounting): sched_stat_runtime plus the
// CFS runqueue of the task's sched_entity: queue length, load, and the task group's shares.
#include "agent.h"

/* cfs_rq::min_vruntime became zero_vruntime with the EEVDF rework (backported to Debian's 6.12). */
struct cfs_rq___eevdf {
	u64 zero_vruntime;
} __attribute__((preserve_access_index));

struct cpu_usage {
	__u64 runtime_ns;
	__u64 vruntime;
	__u64 min_vruntime;
	__u64 load;
	__u64 shares;
	__u32 nr_running;
	__u32 depth;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct cpu_usage);
} usage SEC(".maps");

SEC("tp/sched/sched_stat_runtime")
int stat_runtime(struct trace_event_raw_sched_stat_runtime *ctx)
{
	struct task_struct *task = current_task();
	struct cfs_rq *cfs = BPF_CORE_READ(task, se.cfs_rq);
	__u64 cg = bpf_get_current_cgroup_id();
	struct cpu_usage zero = {}, *u;

	u = bpf_map_lookup_elem(&usage, &cg);
	if (!u) {
		bpf_map_update_elem(&usage, &cg, &zero, BPF_NOEXIST);
		u = bpf_map_lookup_elem(&usage, &cg);
		if (!u)
			return 0;
	}
	u->runtime_ns += ctx->runtime;
	if (bpf_core_field_exists(ctx->vruntime))
		u->vruntime = ctx->vruntime;
	if (bpf_core_field_exists(cfs->min_vruntime))
		u->min_vruntime = BPF_CORE_READ(cfs, min_vruntime);
	else
		u->min_vruntime = BPF_CORE_READ((struct cfs_rq___eevdf *)cfs, zero_vruntime);
	u->nr_running = BPF_CORE_READ(cfs, nr_running);
	u->load = BPF_CORE_READ(cfs, load.weight);
	u->shares = BPF_CORE_READ(cfs, tg, shares);
	u->depth = BPF_CORE_READ(task, se.depth);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
