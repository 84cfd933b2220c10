// SPDX-License-Identifier: GPL-2.0
// Renames: vfs_rename through struct renamedata (5.12+), old and new names and directories.
#include "agent.h"

struct rename_event {
	struct event_header h;
	__u64 old_dir_ino;
	__u64 new_dir_ino;
	__u32 flags;
	__u32 overwrite;
	char old_name[NAME_LEN];
	char new_name[NAME_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("kprobe/vfs_rename")
int BPF_KPROBE(vfs_rename, struct renamedata *rd)
{
	struct rename_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	struct dentry *new_dentry;

	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	e->old_dir_ino = BPF_CORE_READ(rd, old_dir, i_ino);
	e->new_dir_ino = BPF_CORE_READ(rd, new_dir, i_ino);
	e->flags = BPF_CORE_READ(rd, flags);
	new_dentry = BPF_CORE_READ(rd, new_dentry);
	e->overwrite = BPF_CORE_READ(new_dentry, d_inode) != 0;
	bpf_probe_read_kernel_str(e->old_name, sizeof(e->old_name), BPF_CORE_READ(rd, old_dentry, d_name.name));
	bpf_probe_read_kernel_str(e->new_name, sizeof(e->new_name), dentry_name(new_dentry));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
