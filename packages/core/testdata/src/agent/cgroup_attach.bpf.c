// SPDX-License-Identifier: GPL-2.0
// Tasks moving between cgroups (container entry): cgroup_attach_task tracepoint and the
// cgroup_attach_task kprobe with the destination's hierarchy, level and controllers.
#include "agent.h"

struct attach_event {
	struct event_header h;
	__u64 dst_id;
	__u64 src_cgroup;
	__u32 dst_level;
	__u32 dst_root;
	__u32 moved_pid;
	__u32 threadgroup;
	__u32 subtree_control;
	__u32 hierarchy_id;
	__u32 has_memory;
	__u32 has_cpu;
	char dst_name[32];
	char root_name[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tp/cgroup/cgroup_attach_task")
int attach_task(struct trace_event_raw_cgroup_migrate *ctx)
{
	struct attach_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	unsigned int off = ctx->__data_loc_dst_path & 0xffff;

	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	e->dst_id = ctx->dst_id;
	e->dst_level = ctx->dst_level;
	e->dst_root = ctx->dst_root;
	e->moved_pid = ctx->pid;
	bpf_probe_read_kernel_str(e->dst_name, sizeof(e->dst_name), (void *)ctx + off);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("kprobe/cgroup_attach_task")
int BPF_KPROBE(cgroup_attach_task, struct cgroup *dst, struct task_struct *leader, bool threadgroup)
{
	struct attach_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	e->dst_id = BPF_CORE_READ(dst, kn, id);
	e->dst_level = BPF_CORE_READ(dst, level);
	e->subtree_control = BPF_CORE_READ(dst, subtree_control);
	e->hierarchy_id = BPF_CORE_READ(dst, root, hierarchy_id);
	e->src_cgroup = BPF_CORE_READ(leader, cgroups, dfl_cgrp, kn, id);
	e->moved_pid = BPF_CORE_READ(leader, tgid);
	e->threadgroup = threadgroup;
	e->has_memory = bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id);
	e->has_cpu = bpf_core_enum_value_exists(enum cgroup_subsys_id, cpu_cgrp_id);
	bpf_probe_read_kernel_str(e->dst_name, sizeof(e->dst_name), BPF_CORE_READ(dst, kn, name));
	BPF_CORE_READ_STR_INTO(&e->root_name, dst, root, name);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
