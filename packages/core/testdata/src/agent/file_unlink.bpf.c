// SPDX-License-Identifier: GPL-2.0
// File deletions: vfs_unlink and vfs_rmdir with the parent directory, the victim's link count
// and the filesystem type; mnt_idmap (6.3+) vs user_namespace (before) as the first argument.
#include "agent.h"

struct unlink_event {
	struct event_header h;
	__u64 ino;
	__u64 parent_ino;
	__u32 nlink;
	__u32 is_dir;
	__u32 fs_magic;
	char name[NAME_LEN];
	char parent[32];
	char fstype[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

static __always_inline int report(struct inode *dir, struct dentry *dentry, __u32 is_dir)
{
	struct inode *inode = BPF_CORE_READ(dentry, d_inode);
	struct super_block *sb = BPF_CORE_READ(dir, i_sb);
	struct unlink_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	e->ino = BPF_CORE_READ(inode, i_ino);
	e->parent_ino = BPF_CORE_READ(dir, i_ino);
	e->nlink = BPF_CORE_READ(inode, __i_nlink);
	e->is_dir = is_dir;
	e->fs_magic = BPF_CORE_READ(sb, s_magic);
	bpf_probe_read_kernel_str(e->name, sizeof(e->name), dentry_name(dentry));
	bpf_probe_read_kernel_str(e->parent, sizeof(e->parent), BPF_CORE_READ(dentry, d_parent, d_name.name));
	bpf_probe_read_kernel_str(e->fstype, sizeof(e->fstype), BPF_CORE_READ(sb, s_type, name));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("kprobe/vfs_unlink")
int BPF_KPROBE(vfs_unlink, void *idmap, struct inode *dir, struct dentry *dentry)
{
	return report(dir, dentry, 0);
}

SEC("kprobe/vfs_rmdir")
int BPF_KPROBE(vfs_rmdir, void *idmap, struct inode *dir, struct dentry *dentry)
{
	return report(dir, dentry, 1);
}

char LICENSE[] SEC("license") = "GPL";
