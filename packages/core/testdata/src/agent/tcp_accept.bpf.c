// SPDX-License-Identifier: GPL-2.0
// Accepted TCP connections: inet_csk_accept return with the new socket, the listener's accept
// queue fill level and backlog limit.
#include "net.h"

struct accept_event {
	struct event_header h;
	struct flow flow;
	__u32 backlog;
	__u32 max_backlog;
	__u32 qlen;
	__u32 rcvbuf;
	__u32 sndbuf;
	__u32 kern_sock;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("fexit/inet_csk_accept")
int BPF_PROG(inet_csk_accept_exit, struct sock *listener, int flags, int *err, bool kern, struct sock *sk)
{
	struct inet_connection_sock *icsk = (void *)listener;
	struct accept_event *e;

	if (!sk)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	read_flow(sk, &e->flow);
	e->backlog = BPF_CORE_READ(listener, sk_ack_backlog);
	e->max_backlog = BPF_CORE_READ(listener, sk_max_ack_backlog);
	e->qlen = BPF_CORE_READ(icsk, icsk_accept_queue.qlen.counter);
	e->rcvbuf = BPF_CORE_READ(sk, sk_rcvbuf);
	e->sndbuf = BPF_CORE_READ(sk, sk_sndbuf);
	e->kern_sock = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_kern_sock);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
