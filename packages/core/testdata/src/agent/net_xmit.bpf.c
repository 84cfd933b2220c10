// SPDX-License-Identifier: GPL-2.0
// Per-device transmit statistics: net_dev_xmit tracepoint and the sk_buff at dev_queue_xmit
// (length, GSO segments, checksum mode, packet type bitfields, mark, owning cgroup).
#include "agent.h"

struct dev_key {
	__u32 ifindex;
	__u32 netns;
};

struct dev_val {
	__u64 packets;
	__u64 bytes;
	__u64 errors;
	__u64 gso;
	__u64 cloned;
	__u32 mtu;
	__u32 flags;
	__u32 tx_queue_len;
	__u32 last_mark;
	__u32 last_pkt_type;
	__u32 last_csum;
	char name[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct dev_key);
	__type(value, struct dev_val);
} devs SEC(".maps");

static __always_inline struct dev_val *lookup(struct net_device *dev)
{
	struct dev_key key = {
		.ifindex = BPF_CORE_READ(dev, ifindex),
		.netns = BPF_CORE_READ(dev, nd_net.net, ns.inum),
	};
	struct dev_val zero = {}, *v;

	v = bpf_map_lookup_elem(&devs, &key);
	if (v)
		return v;
	zero.mtu = BPF_CORE_READ(dev, mtu);
	zero.flags = BPF_CORE_READ(dev, flags);
	zero.tx_queue_len = BPF_CORE_READ(dev, tx_queue_len);
	BPF_CORE_READ_STR_INTO(&zero.name, dev, name);
	bpf_map_update_elem(&devs, &key, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&devs, &key);
}

SEC("tp/net/net_dev_xmit")
int net_dev_xmit(struct trace_event_raw_net_dev_xmit *ctx)
{
	struct sk_buff *skb = ctx->skbaddr;
	struct dev_val *v = lookup(BPF_CORE_READ(skb, dev));

	if (!v)
		return 0;
	__sync_fetch_and_add(&v->packets, 1);
	__sync_fetch_and_add(&v->bytes, ctx->len);
	if (ctx->rc != 0)
		__sync_fetch_and_add(&v->errors, 1);
	return 0;
}

SEC("kprobe/__dev_queue_xmit")
int BPF_KPROBE(dev_queue_xmit, struct sk_buff *skb)
{
	struct dev_val *v = lookup(BPF_CORE_READ(skb, dev));
	struct skb_shared_info *shinfo;

	if (!v)
		return 0;
	shinfo = (void *)(BPF_CORE_READ(skb, head) + BPF_CORE_READ(skb, end));
	if (BPF_CORE_READ(shinfo, gso_segs) > 1)
		__sync_fetch_and_add(&v->gso, 1);
	if (BPF_CORE_READ_BITFIELD_PROBED(skb, cloned))
		__sync_fetch_and_add(&v->cloned, 1);
	v->last_mark = BPF_CORE_READ(skb, mark);
	v->last_pkt_type = BPF_CORE_READ_BITFIELD_PROBED(skb, pkt_type);
	v->last_csum = BPF_CORE_READ_BITFIELD_PROBED(skb, ip_summed);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
