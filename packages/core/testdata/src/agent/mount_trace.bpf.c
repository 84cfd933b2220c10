// SPDX-License-Identifier: GPL-2.0
// Mounts and unmounts (mountsnoop-like): the new mount API (vfs_get_tree with its fs_context)
// and the mount being detached by umount, with its namespace, device name and superblock.
#include "agent.h"

struct mount_event {
	struct event_header h;
	__u64 sb_flags;
	__u32 mnt_id;
	__u32 mnt_ns;
	__u32 purpose;
	__u32 is_submount;
	__u32 mnt_flags;
	__u32 op;
	char fstype[16];
	char source[NAME_LEN];
	char mountpoint[32];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("fentry/vfs_get_tree")
int BPF_PROG(vfs_get_tree, struct fs_context *fc)
{
	struct mount_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	e->op = 0;
	e->purpose = BPF_CORE_READ_BITFIELD_PROBED(fc, purpose);
	e->is_submount = e->purpose == bpf_core_enum_value(enum fs_context_purpose, FS_CONTEXT_FOR_SUBMOUNT);
	e->sb_flags = BPF_CORE_READ(fc, sb_flags);
	bpf_probe_read_kernel_str(e->fstype, sizeof(e->fstype), BPF_CORE_READ(fc, fs_type, name));
	bpf_probe_read_kernel_str(e->source, sizeof(e->source), BPF_CORE_READ(fc, source));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("kprobe/umount_tree")
int BPF_KPROBE(umount_tree, struct mount *mnt, int how)
{
	struct mount_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	e->op = 1;
	e->mnt_id = BPF_CORE_READ(mnt, mnt_id);
	e->mnt_ns = BPF_CORE_READ(mnt, mnt_ns, ns.inum);
	e->mnt_flags = BPF_CORE_READ(mnt, mnt.mnt_flags);
	e->sb_flags = BPF_CORE_READ(mnt, mnt.mnt_sb, s_flags);
	bpf_probe_read_kernel_str(e->fstype, sizeof(e->fstype), BPF_CORE_READ(mnt, mnt.mnt_sb, s_type, name));
	bpf_probe_read_kernel_str(e->source, sizeof(e->source), BPF_CORE_READ(mnt, mnt_devname));
	bpf_probe_read_kernel_str(e->mountpoint, sizeof(e->mountpoint), BPF_CORE_READ(mnt, mnt_mountpoint, d_name.name));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
