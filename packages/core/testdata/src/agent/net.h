/* SPDX-License-Identifier: GPL-2.0 */
/* Socket helpers shared by the network tracers: the 4-tuple of a sock, IPv4 and IPv6. */
#ifndef AGENT_NET_H
#define AGENT_NET_H

#include "agent.h"

#define AF_INET 2
#define AF_INET6 10

struct flow {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;
	__u16 dport;
	__u16 family;
	__u16 protocol;
	__u32 netns;
	__u32 bound_dev;
};

/* sk_protocol was an 8-bit bitfield before 5.6; BITFIELD_PROBED reads either layout. */
static __always_inline void read_flow(struct sock *sk, struct flow *f)
{
	f->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	f->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	f->dport = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	f->protocol = BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol);
	f->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	f->bound_dev = BPF_CORE_READ(sk, __sk_common.skc_bound_dev_if);
	if (f->family == AF_INET) {
		BPF_CORE_READ_INTO((__u32 *)f->saddr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO((__u32 *)f->daddr, sk, __sk_common.skc_daddr);
	} else {
		BPF_CORE_READ_INTO((struct in6_addr *)f->saddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
		BPF_CORE_READ_INTO((struct in6_addr *)f->daddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	}
}

#endif /* AGENT_NET_H */
