// SPDX-License-Identifier: GPL-2.0
// Attribute changes (chmod/chown/truncate/utimes): notify_change's iattr against the inode's
// current values, with setuid/setgid additions flagged.
#include "agent.h"

struct attr_event {
	struct event_header h;
	__u64 ino;
	__s64 new_size;
	__u32 valid;
	__u32 old_mode;
	__u32 new_mode;
	__u32 old_uid;
	__u32 new_uid;
	__u32 new_gid;
	__u32 suid_added;
	char name[NAME_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("kprobe/notify_change")
int BPF_KPROBE(notify_change, void *idmap, struct dentry *dentry, struct iattr *attr)
{
	struct inode *inode = BPF_CORE_READ(dentry, d_inode);
	struct attr_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	e->ino = BPF_CORE_READ(inode, i_ino);
	e->valid = BPF_CORE_READ(attr, ia_valid);
	e->old_mode = BPF_CORE_READ(inode, i_mode);
	e->new_mode = BPF_CORE_READ(attr, ia_mode);
	e->old_uid = BPF_CORE_READ(inode, i_uid.val);
	e->new_uid = BPF_CORE_READ(attr, ia_uid.val);
	e->new_gid = BPF_CORE_READ(attr, ia_gid.val);
	e->new_size = BPF_CORE_READ(attr, ia_size);
	e->suid_added = (e->new_mode & 06000) && !(e->old_mode & 06000);
	bpf_probe_read_kernel_str(e->name, sizeof(e->name), dentry_name(dentry));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
