// SPDX-License-Identifier: GPL-2.0
// TCP retransmissions (tcpretrans-like): tcp_retransmit_skb tracepoint with the congestion
// state, retransmit counters and RTO of the socket; tail-loss probes counted apart.
#include "net.h"

struct retrans_event {
	struct flow flow;
	__u32 state;
	__u32 ca_state;
	__u32 retransmits;
	__u32 total_retrans;
	__u32 retrans_out;
	__u32 rto;
	__u32 backoff;
	__u32 tlp_retrans;
	__u32 snd_cwnd;
	__u32 is_loss;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tp/tcp/tcp_retransmit_skb")
int retransmit_skb(struct trace_event_raw_tcp_event_sk_skb *ctx)
{
	struct sock *sk = (struct sock *)ctx->skaddr;
	struct tcp_sock *tp = (struct tcp_sock *)sk;
	struct inet_connection_sock *icsk = (struct inet_connection_sock *)sk;
	struct retrans_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	read_flow(sk, &e->flow);
	e->state = ctx->state;
	e->ca_state = BPF_CORE_READ_BITFIELD_PROBED(icsk, icsk_ca_state);
	e->is_loss = e->ca_state == bpf_core_enum_value(enum tcp_ca_state, TCP_CA_Loss);
	e->retransmits = BPF_CORE_READ(icsk, icsk_retransmits);
	e->rto = BPF_CORE_READ(icsk, icsk_rto);
	e->backoff = BPF_CORE_READ(icsk, icsk_backoff);
	e->total_retrans = BPF_CORE_READ(tp, total_retrans);
	e->retrans_out = BPF_CORE_READ(tp, retrans_out);
	e->tlp_retrans = BPF_CORE_READ_BITFIELD_PROBED(tp, tlp_retrans);
	e->snd_cwnd = BPF_CORE_READ(tp, snd_cwnd);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
