// SPDX-License-Identifier: GPL-2.0
// sethostname/setdomainname inside containers: the UTS namespace's new name and its owner.
#include "agent.h"

struct uts_event {
	struct event_header h;
	__u32 uts_ns;
	__u32 owner_uid;
	char nodename[NAME_LEN];
	char domainname[NAME_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("fexit/__x64_sys_sethostname")
int BPF_PROG(sethostname_exit)
{
	struct task_struct *task = current_task();
	struct uts_namespace *uts = BPF_CORE_READ(task, nsproxy, uts_ns);
	struct uts_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	fill_header(&e->h, task);
	e->uts_ns = BPF_CORE_READ(uts, ns.inum);
	e->owner_uid = BPF_CORE_READ(uts, user_ns, owner.val);
	BPF_CORE_READ_STR_INTO(&e->nodename, uts, name.nodename);
	BPF_CORE_READ_STR_INTO(&e->domainname, uts, name.domainname);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
