// SPDX-License-Identifier: GPL-2.0
// perf_event_open audit (profilers, and attackers reading other processes): the attr's type
// (enum perf_type_id), exclusion bitfields, and the target task and its credentials.
#include "agent.h"

struct perf_event_rec {
	struct event_header h;
	__u64 config;
	__u64 sample_period;
	__u32 type;
	__u32 is_hw;
	__u32 exclude_kernel;
	__u32 exclude_user;
	__u32 inherit;
	__u32 precise_ip;
	__u32 target_pid;
	__u32 target_uid;
	__s32 cpu;
	__u32 attr_size;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("fentry/perf_event_alloc")
int BPF_PROG(perf_event_alloc, struct perf_event_attr *attr, int cpu, struct task_struct *task)
{
	struct perf_event_rec *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	e->type = BPF_CORE_READ(attr, type);
	e->is_hw = e->type == bpf_core_enum_value(enum perf_type_id, PERF_TYPE_HARDWARE);
	e->config = BPF_CORE_READ(attr, config);
	e->sample_period = BPF_CORE_READ(attr, sample_period);
	e->exclude_kernel = BPF_CORE_READ_BITFIELD_PROBED(attr, exclude_kernel);
	e->exclude_user = BPF_CORE_READ_BITFIELD_PROBED(attr, exclude_user);
	e->inherit = BPF_CORE_READ_BITFIELD_PROBED(attr, inherit);
	e->precise_ip = BPF_CORE_READ_BITFIELD_PROBED(attr, precise_ip);
	e->attr_size = bpf_core_type_size(struct perf_event_attr);
	e->cpu = cpu;
	if (task) {
		e->target_pid = BPF_CORE_READ(task, tgid);
		e->target_uid = BPF_CORE_READ(task, cred, euid.val);
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
