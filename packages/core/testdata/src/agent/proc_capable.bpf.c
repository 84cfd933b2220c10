// SPDX-License-Identifier: GPL-2.0
// Capability checks (capsnoop-like): cap_capable with the audit option, the cred's user namespace
// and the effective set, counted per (cap, verdict) and streamed.
#include "agent.h"

struct cap_key {
	__u32 cap;
	__u32 audit;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct cap_key);
	__type(value, __u64);
} counts SEC(".maps");

struct cap_event {
	struct event_header h;
	__u32 cap;
	__u32 opts;
	__u32 userns_level;
	__u32 userns_owner;
	__u64 effective;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("kprobe/cap_capable")
int BPF_KPROBE(cap_capable, const struct cred *cred, struct user_namespace *ns, int cap, unsigned int opts)
{
	struct cap_key key = { .cap = cap, .audit = !(opts & 2) };
	struct cap_event *e;
	__u64 one = 1, *v;

	v = bpf_map_lookup_elem(&counts, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&counts, &key, &one, BPF_NOEXIST);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	e->cap = cap;
	e->opts = opts;
	e->userns_level = BPF_CORE_READ(ns, level);
	e->userns_owner = BPF_CORE_READ(ns, owner.val);
	bpf_core_read(&e->effective, sizeof(e->effective), &cred->cap_effective);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
