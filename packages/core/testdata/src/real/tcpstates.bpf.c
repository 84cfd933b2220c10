// SPDX-License-Identifier: GPL-2.0
// tcpstates/tcpconnect-like: sock_common fields inside anonymous unions/structs, sock_common
// bitfields (skc_reuse:4, skc_ipv6only:1), sk_protocol (a plain u16 since 5.6, read through
// BPF_CORE_READ_BITFIELD_PROBED: LSHIFT/RSHIFT on a non-bitfield), enum values, tcp_sock casts.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct event {
	__u64 skaddr;
	__u32 saddr;
	__u32 daddr;
	__u16 sport;
	__u16 dport;
	__u16 family;
	__u16 protocol;
	__u32 reuse;
	__u32 ipv6only;
	__u32 srtt_us;
	int oldstate;
	int newstate;
	__u64 stream;
	__u64 has_reason;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} events SEC(".maps");

SEC("tracepoint/sock/inet_sock_set_state")
int handle_set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	struct sock *sk = (struct sock *)ctx->skaddr;
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	struct event e = {};

	if (ctx->protocol != IPPROTO_TCP)
		return 0;
	e.skaddr = (__u64)sk;
	e.oldstate = ctx->oldstate;
	e.newstate = ctx->newstate;
	e.family = BPF_CORE_READ(sk, __sk_common.skc_family);
	e.sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	e.dport = BPF_CORE_READ(sk, __sk_common.skc_dport);
	e.saddr = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
	e.daddr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
	e.reuse = BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_reuse);
	e.ipv6only = BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_ipv6only);
	e.protocol = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol);
	e.srtt_us = BPF_CORE_READ(tp, srtt_us) >> 3;
	e.stream = bpf_core_enum_value(enum sock_type, SOCK_STREAM);
	e.has_reason = bpf_core_enum_value_exists(enum skb_drop_reason, SKB_DROP_REASON_TCP_OLD_ACK);
	bpf_perf_event_output(ctx, &events, BPF_F_CURRENT_CPU, &e, sizeof(e));
	return 0;
}

SEC("raw_tp/tcp_retransmit_skb")
int handle_retransmit(struct bpf_raw_tracepoint_args *ctx)
{
	struct sock *sk = (struct sock *)ctx->args[0];
	struct inet_connection_sock *icsk = (struct inet_connection_sock *)sk;
	__u8 retransmits = BPF_CORE_READ(icsk, icsk_retransmits);
	__u32 mss = BPF_CORE_READ((struct tcp_sock *)sk, mss_cache);

	bpf_printk("retransmit %u mss %u", retransmits, mss);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
