// SPDX-License-Identifier: GPL-2.0
// Cgroup creation, removal and freezing (container lifecycle): cgroup_mkdir / rmdir / freeze
// tracepoints keyed by cgroup id, with the kernfs node's parent and flags.
#include "agent.h"

struct cg_event {
	__u64 id;
	__u64 parent_id;
	__u32 level;
	__u32 root;
	__u32 op;
	__u32 kn_flags;
	char path[NAME_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

static __always_inline int report(struct trace_event_raw_cgroup *ctx, __u32 op)
{
	struct cg_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	unsigned int off = ctx->__data_loc_path & 0xffff;

	if (!e)
		return 0;
	e->id = ctx->id;
	e->level = ctx->level;
	e->root = ctx->root;
	e->op = op;
	e->parent_id = 0;
	e->kn_flags = 0;
	bpf_probe_read_kernel_str(e->path, sizeof(e->path), (void *)ctx + off);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp/cgroup/cgroup_mkdir")
int cgroup_mkdir(struct trace_event_raw_cgroup *ctx)
{
	return report(ctx, 0);
}

SEC("tp/cgroup/cgroup_rmdir")
int cgroup_rmdir(struct trace_event_raw_cgroup *ctx)
{
	return report(ctx, 1);
}

SEC("tp/cgroup/cgroup_freeze")
int cgroup_freeze(struct trace_event_raw_cgroup *ctx)
{
	return report(ctx, 2);
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(cgroup_mkdir_btf, struct cgroup *cgrp, const char *path)
{
	struct cg_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	struct kernfs_node *kn = BPF_CORE_READ(cgrp, kn);

	if (!e)
		return 0;
	e->id = BPF_CORE_READ(kn, id);
	e->parent_id = BPF_CORE_READ(kn, parent, id);
	e->kn_flags = BPF_CORE_READ(kn, flags);
	e->level = BPF_CORE_READ(cgrp, level);
	e->root = BPF_CORE_READ(cgrp, root, hierarchy_id);
	e->op = 3;
	bpf_probe_read_kernel_str(e->path, sizeof(e->path), path);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
