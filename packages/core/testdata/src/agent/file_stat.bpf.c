// SPDX-License-Identifier: GPL-2.0
// stat family (statsnoop-like): vfs_statx / vfs_getattr with the inode's attributes and times.
#include "agent.h"

struct stat_event {
	struct event_header h;
	__u64 ino;
	__s64 size;
	__s64 ctime;
	__u64 blocks;
	__u32 nlink;
	__u32 mode;
	__u32 uid;
	__u32 blkbits;
	__u32 request_mask;
	__u32 query_flags;
	char name[NAME_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("kprobe/vfs_getattr")
int BPF_KPROBE(vfs_getattr, const struct path *path, struct kstat *stat, u32 request_mask,
	       unsigned int query_flags)
{
	struct dentry *dentry = BPF_CORE_READ(path, dentry);
	struct inode *inode = BPF_CORE_READ(dentry, d_inode);
	struct stat_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	e->ino = BPF_CORE_READ(inode, i_ino);
	e->size = BPF_CORE_READ(inode, i_size);
	e->nlink = BPF_CORE_READ(inode, __i_nlink);
	e->mode = BPF_CORE_READ(inode, i_mode);
	e->uid = BPF_CORE_READ(inode, i_uid.val);
	e->blkbits = BPF_CORE_READ(inode, i_blkbits);
	e->blocks = BPF_CORE_READ(inode, i_blocks);
	e->ctime = inode_ctime_sec(inode);
	e->request_mask = request_mask;
	e->query_flags = query_flags;
	bpf_probe_read_kernel_str(e->name, sizeof(e->name), dentry_name(dentry));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
