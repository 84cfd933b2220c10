// SPDX-License-Identifier: GPL-2.0
// TCP round-trip times (tcprtt-like): smoothed RTT and variance on every received ACK, as a
// log2 histogram per remote port, plus the socket's pacing and delivery counters.
#include "net.h"

#define MAX_SLOTS 27

struct hist {
	__u64 slots[MAX_SLOTS];
	__u64 latency;
	__u64 cnt;
	__u64 delivered;
	__u32 mdev;
	__u32 pacing_rate;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u16);
	__type(value, struct hist);
} hists SEC(".maps");

SEC("fentry/tcp_rcv_established")
int BPF_PROG(tcp_rcv, struct sock *sk)
{
	static struct hist zero;
	struct tcp_sock *ts = (struct tcp_sock *)sk;
	__u16 dport = BPF_CORE_READ(sk, __sk_common.skc_dport);
	__u32 srtt = BPF_CORE_READ(ts, srtt_us) >> 3;
	struct hist *h;
	__u64 slot = 0;

	h = bpf_map_lookup_elem(&hists, &dport);
	if (!h) {
		bpf_map_update_elem(&hists, &dport, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &dport);
		if (!h)
			return 0;
	}
	for (__u32 v = srtt; v > 1 && slot < MAX_SLOTS - 1; v >>= 1)
		slot++;
	__sync_fetch_and_add(&h->slots[slot], 1);
	__sync_fetch_and_add(&h->latency, srtt);
	__sync_fetch_and_add(&h->cnt, 1);
	h->mdev = BPF_CORE_READ(ts, mdev_us);
	h->delivered = BPF_CORE_READ(ts, delivered);
	h->pacing_rate = BPF_CORE_READ(sk, sk_pacing_rate);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
