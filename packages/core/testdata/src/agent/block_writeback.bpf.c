// SPDX-License-Identifier: GPL-2.0
// Writeback activity: writeback_dirty_inode and writeback_single_inode tracepoints, and the
// writeback_control of each inode written, per backing device.
#include "agent.h"

struct wb_event {
	__u64 ino;
	__u64 nr_to_write;
	__u64 range_start;
	__u64 range_end;
	__u32 sync_mode;
	__u32 for_kupdate;
	__u32 for_background;
	__u32 flags;
	char name[32];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} dirtied SEC(".maps");

SEC("tp/writeback/writeback_dirty_inode")
int dirty_inode(struct trace_event_raw_writeback_dirty_inode_template *ctx)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&dirtied, &zero);

	if (n && (ctx->flags & 7))
		(*n)++;
	return 0;
}

SEC("kprobe/writeback_single_inode")
int BPF_KPROBE(writeback_single_inode, struct inode *inode, struct writeback_control *wbc)
{
	struct wb_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->ino = BPF_CORE_READ(inode, i_ino);
	e->nr_to_write = BPF_CORE_READ(wbc, nr_to_write);
	e->range_start = BPF_CORE_READ(wbc, range_start);
	e->range_end = BPF_CORE_READ(wbc, range_end);
	e->sync_mode = BPF_CORE_READ(wbc, sync_mode);
	e->for_kupdate = BPF_CORE_READ_BITFIELD_PROBED(wbc, for_kupdate);
	e->for_background = BPF_CORE_READ_BITFIELD_PROBED(wbc, for_background);
	e->flags = BPF_CORE_READ(inode, i_state);
	BPF_CORE_READ_STR_INTO(&e->name, inode, i_sb, s_id);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
