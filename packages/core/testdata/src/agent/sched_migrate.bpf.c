// SPDX-License-Identifier: GPL-2.0
// CPU migrations and NUMA placement: sched_migrate_task records with the task's affinity
// width, its scheduling policy and the sched_entity's migration count.
#include "agent.h"

struct mig_event {
	__u64 nr_migrations;
	__u32 pid;
	__u32 prio;
	__u32 orig_cpu;
	__u32 dest_cpu;
	__u32 nr_cpus_allowed;
	__u32 policy;
	__u32 numa_preferred;
	__u32 on_rq;
	char comm[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tp/sched/sched_migrate_task")
int migrate(struct trace_event_raw_sched_migrate_task *ctx)
{
	struct mig_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->pid = ctx->pid;
	e->prio = ctx->prio;
	e->orig_cpu = ctx->orig_cpu;
	e->dest_cpu = ctx->dest_cpu;
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), ctx->comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/sched_migrate_task")
int BPF_PROG(migrate_btf, struct task_struct *p, int dest_cpu)
{
	struct mig_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->pid = BPF_CORE_READ(p, pid);
	e->prio = BPF_CORE_READ(p, prio);
	e->dest_cpu = dest_cpu;
	e->nr_cpus_allowed = BPF_CORE_READ(p, nr_cpus_allowed);
	e->policy = BPF_CORE_READ(p, policy);
	e->nr_migrations = BPF_CORE_READ(p, se.nr_migrations);
	e->on_rq = BPF_CORE_READ(p, se.on_rq);
	if (bpf_core_field_exists(p->numa_preferred_nid))
		e->numa_preferred = BPF_CORE_READ(p, numa_preferred_nid);
	BPF_CORE_READ_STR_INTO(&e->comm, p, comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
