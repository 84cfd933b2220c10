// SPDX-License-Identifier: GPL-2.0
// Credential changes: commit_creds compared with the task's current creds (uid/gid/caps),
// flagging privilege escalation; the user namespace level, and securebits as a bitfield probe.
#include "agent.h"

struct cred_event {
	struct event_header h;
	__u32 old_uid;
	__u32 new_uid;
	__u32 old_euid;
	__u32 new_euid;
	__u32 new_gid;
	__u32 userns_level;
	__u64 old_caps;
	__u64 new_caps;
	__u32 securebits;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("kprobe/commit_creds")
int BPF_KPROBE(commit_creds, struct cred *new)
{
	struct task_struct *task = current_task();
	const struct cred *old = BPF_CORE_READ(task, real_cred);
	struct cred_event *e;

	if (BPF_CORE_READ(old, uid.val) == BPF_CORE_READ(new, uid.val) &&
	    BPF_CORE_READ(old, euid.val) == BPF_CORE_READ(new, euid.val))
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	fill_header(&e->h, task);
	e->old_uid = BPF_CORE_READ(old, uid.val);
	e->new_uid = BPF_CORE_READ(new, uid.val);
	e->old_euid = BPF_CORE_READ(old, euid.val);
	e->new_euid = BPF_CORE_READ(new, euid.val);
	e->new_gid = BPF_CORE_READ(new, gid.val);
	bpf_core_read(&e->old_caps, sizeof(e->old_caps), &old->cap_effective);
	bpf_core_read(&e->new_caps, sizeof(e->new_caps), &new->cap_effective);
	e->securebits = BPF_CORE_READ(new, securebits);
	e->userns_level = BPF_CORE_READ(new, user_ns, level);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
