// SPDX-License-Identifier: GPL-2.0
// fsync and writeback pressure: vfs_fsync_range callers and the dirty state of the mapping,
// with the backing device's name when the superblock has one.
#include "agent.h"

struct sync_event {
	struct event_header h;
	__u64 nrpages;
	__u64 start;
	__u64 end;
	__u32 datasync;
	__u32 wb_err;
	__u32 i_state;
	char name[32];
	char sb_id[32];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("fentry/vfs_fsync_range")
int BPF_PROG(vfs_fsync_range, struct file *file, loff_t start, loff_t end, int datasync)
{
	struct address_space *mapping = BPF_CORE_READ(file, f_mapping);
	struct inode *inode = BPF_CORE_READ(mapping, host);
	struct sync_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	e->nrpages = BPF_CORE_READ(mapping, nrpages);
	e->wb_err = BPF_CORE_READ(mapping, wb_err);
	e->i_state = BPF_CORE_READ(inode, i_state);
	e->start = start;
	e->end = end;
	e->datasync = datasync;
	bpf_probe_read_kernel_str(e->name, sizeof(e->name), file_name(file));
	BPF_CORE_READ_STR_INTO(&e->sb_id, inode, i_sb, s_id);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
