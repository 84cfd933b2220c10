// SPDX-License-Identifier: GPL-2.0
// OOM kills (oomkill-like): oom_kill_process with the victim, its badness inputs, the constraint
// (enum oom_constraint) and the memory cgroup at fault; mark_victim records for the RSS split.
#include "agent.h"

struct oom_event {
	struct event_header h;
	__u64 totalpages;
	__u64 chosen_points;
	__u64 anon_rss;
	__u64 file_rss;
	__u32 victim_pid;
	__u32 order;
	__u32 constraint;
	__u32 memcg;
	__s32 oom_score_adj;
	__u32 gfp_mask;
	char victim_comm[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("kprobe/oom_kill_process")
int BPF_KPROBE(oom_kill_process, struct oom_control *oc, const char *message)
{
	struct task_struct *victim = BPF_CORE_READ(oc, chosen);
	struct oom_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	e->totalpages = BPF_CORE_READ(oc, totalpages);
	e->chosen_points = BPF_CORE_READ(oc, chosen_points);
	e->order = BPF_CORE_READ(oc, order);
	e->gfp_mask = BPF_CORE_READ(oc, gfp_mask);
	e->constraint = BPF_CORE_READ(oc, constraint);
	if (e->constraint == bpf_core_enum_value(enum oom_constraint, CONSTRAINT_MEMCG))
		e->memcg = BPF_CORE_READ(oc, memcg, css.cgroup, kn, id);
	e->victim_pid = BPF_CORE_READ(victim, tgid);
	e->oom_score_adj = BPF_CORE_READ(victim, signal, oom_score_adj);
	BPF_CORE_READ_STR_INTO(&e->victim_comm, victim, comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp/oom/mark_victim")
int mark_victim(struct trace_event_raw_mark_victim *ctx)
{
	struct oom_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	__builtin_memset(e, 0, sizeof(*e));
	e->victim_pid = ctx->pid;
	if (bpf_core_field_exists(ctx->anon_rss)) {
		e->anon_rss = ctx->anon_rss;
		e->file_rss = ctx->file_rss;
		e->oom_score_adj = ctx->oom_score_adj;
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
