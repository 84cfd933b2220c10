// SPDX-License-Identifier: GPL-2.0
// Packet drops by reason (dropwatch-like): kfree_skb tracepoint, reasons compared through their
// enum values (the numbering changes between kernels), the device and length of the packet.
#include "agent.h"

struct drop_key {
	__u32 reason;
	__u32 ifindex;
	__u16 protocol;
	__u16 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct drop_key);
	__type(value, __u64);
} drops SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} classes SEC(".maps");

SEC("tp/skb/kfree_skb")
int kfree_skb(struct trace_event_raw_kfree_skb *ctx)
{
	struct sk_buff *skb = ctx->skbaddr;
	struct drop_key key = {};
	__u32 class = 0;
	__u64 one = 1, *v;

	key.reason = ctx->reason;
	key.protocol = ctx->protocol;
	key.ifindex = BPF_CORE_READ(skb, dev, ifindex);
	if (key.reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_NOT_SPECIFIED))
		class = 1;
	else if (key.reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_NETFILTER_DROP))
		class = 2;
	else if (key.reason == bpf_core_enum_value(enum skb_drop_reason, SKB_DROP_REASON_TCP_CSUM))
		class = 3;
	v = bpf_map_lookup_elem(&classes, &class);
	if (v)
		*v += BPF_CORE_READ(skb, len);
	v = bpf_map_lookup_elem(&drops, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&drops, &key, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
