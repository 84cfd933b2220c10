// SPDX-License-Identifier: GPL-2.0
// UDP traffic per process and flow (DNS visibility): udp_sendmsg / udpv6_sendmsg with the
// destination from msghdr when the socket is unconnected, and the socket's corking state.
#include "net.h"

/* udp_sock::corkflag, removed in 5.14 (UDP_CORK became a bit of udp_flags). */
struct udp_sock___v513 {
	int corkflag;
} __attribute__((preserve_access_index));

struct udp_event {
	struct event_header h;
	struct flow flow;
	__u64 len;
	__u32 corked;
	__u32 pending;
	__u32 msg_flags;
	__u32 msg_namelen;
	__u16 msg_port;
	__u16 pad;
	__u32 msg_addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

static __always_inline int report(struct sock *sk, struct msghdr *msg, size_t len)
{
	struct udp_sock *up = (struct udp_sock *)sk;
	struct udp_sock___v513 *old = (void *)sk;
	struct sockaddr_in *sin = BPF_CORE_READ(msg, msg_name);
	struct udp_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	read_flow(sk, &e->flow);
	e->len = len;
	e->pending = BPF_CORE_READ(up, pending);
	if (bpf_core_field_exists(old->corkflag))
		e->corked = BPF_CORE_READ(old, corkflag);
	e->msg_flags = BPF_CORE_READ(msg, msg_flags);
	e->msg_namelen = BPF_CORE_READ(msg, msg_namelen);
	if (sin && e->msg_namelen >= sizeof(*sin)) {
		e->msg_port = __builtin_bswap16(BPF_CORE_READ(sin, sin_port));
		e->msg_addr = BPF_CORE_READ(sin, sin_addr.s_addr);
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("kprobe/udp_sendmsg")
int BPF_KPROBE(udp_sendmsg, struct sock *sk, struct msghdr *msg, size_t len)
{
	return report(sk, msg, len);
}

SEC("kprobe/udpv6_sendmsg")
int BPF_KPROBE(udpv6_sendmsg, struct sock *sk, struct msghdr *msg, size_t len)
{
	return report(sk, msg, len);
}

char LICENSE[] SEC("license") = "GPL";
