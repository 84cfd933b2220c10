// SPDX-License-Identifier: GPL-2.0
// Socket binds and listens (bindsnoop-like): inet_bind / inet6_bind entry and return, the
// socket type (enum sock_type), reuse options and the IP_FREEBIND / transparent bits, which
// moved from inet_sock bitfields into inet_flags in 6.6.
#include "net.h"

struct bind_event {
	struct event_header h;
	struct flow flow;
	__u32 sock_type;
	__u32 is_stream;
	__u32 reuse;
	__u32 reuseport;
	__u32 freebind;
	__u32 transparent;
	__u32 backlog;
	__s32 ret;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct socket *);
} sockets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

static __always_inline void inet_bits(struct sock *sk, struct bind_event *e)
{
	struct inet_sock *inet = (void *)sk;
	struct inet_sock___v66 *v66 = (void *)sk;

	if (bpf_core_field_exists(v66->inet_flags)) {
		unsigned long flags = BPF_CORE_READ(v66, inet_flags);

		e->freebind = (flags >> 4) & 1;
		e->transparent = (flags >> 7) & 1;
	} else {
		e->freebind = BPF_CORE_READ_BITFIELD_PROBED(inet, freebind);
		e->transparent = BPF_CORE_READ_BITFIELD_PROBED(inet, transparent);
	}
}

static __always_inline int bind_return(int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct socket **sockp = bpf_map_lookup_elem(&sockets, &tid);
	struct bind_event *e;
	struct sock *sk;

	if (!sockp)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		sk = BPF_CORE_READ(*sockp, sk);
		fill_header(&e->h, current_task());
		read_flow(sk, &e->flow);
		e->sock_type = BPF_CORE_READ(*sockp, type);
		e->is_stream = e->sock_type == bpf_core_enum_value(enum sock_type, SOCK_STREAM);
		e->reuse = BPF_CORE_READ_BITFIELD_PROBED(sk, __sk_common.skc_reuse);
		e->reuseport = BPF_CORE_READ_BITFIELD_PROBED(sk, __sk_common.skc_reuseport);
		inet_bits(sk, e);
		e->ret = ret;
		bpf_ringbuf_submit(e, 0);
	}
	bpf_map_delete_elem(&sockets, &tid);
	return 0;
}

SEC("kprobe/inet_bind")
int BPF_KPROBE(inet_bind, struct socket *sock)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_update_elem(&sockets, &tid, &sock, 0);
	return 0;
}

SEC("kretprobe/inet_bind")
int BPF_KRETPROBE(inet_bind_ret, int ret)
{
	return bind_return(ret);
}

SEC("kprobe/inet6_bind")
int BPF_KPROBE(inet6_bind, struct socket *sock)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_update_elem(&sockets, &tid, &sock, 0);
	return 0;
}

SEC("kretprobe/inet6_bind")
int BPF_KRETPROBE(inet6_bind_ret, int ret)
{
	return bind_return(ret);
}

SEC("fentry/inet_listen")
int BPF_PROG(inet_listen, struct socket *sock, int backlog)
{
	struct bind_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	read_flow(BPF_CORE_READ(sock, sk), &e->flow);
	e->backlog = backlog;
	e->sock_type = BPF_CORE_READ(sock, type);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
