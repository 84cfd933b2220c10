// SPDX-License-Identifier: GPL-2.0
// Outgoing TCP connections (tcpconnect-like): tcp_v4_connect/tcp_v6_connect entry and return,
// the flow of the connected socket and the connect latency from SYN to ESTABLISHED.
#include "net.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct sock *);
} sockets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct sock *);
	__type(value, __u64);
} syn_sent SEC(".maps");

struct conn_event {
	struct event_header h;
	struct flow flow;
	__u64 latency_ns;
	__s32 ret;
	__u32 uid;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

static __always_inline int enter(struct sock *sk)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_update_elem(&sockets, &tid, &sk, 0);
	return 0;
}

static __always_inline int leave(int ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct sock **skpp = bpf_map_lookup_elem(&sockets, &tid);
	struct conn_event *e;
	__u64 ts;

	if (!skpp)
		return 0;
	ts = bpf_ktime_get_ns();
	if (ret == 0)
		bpf_map_update_elem(&syn_sent, skpp, &ts, 0);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		fill_header(&e->h, current_task());
		read_flow(*skpp, &e->flow);
		e->uid = BPF_CORE_READ(*skpp, sk_uid.val);
		e->ret = ret;
		bpf_ringbuf_submit(e, 0);
	}
	bpf_map_delete_elem(&sockets, &tid);
	return 0;
}

SEC("kprobe/tcp_v4_connect")
int BPF_KPROBE(tcp_v4_connect, struct sock *sk)
{
	return enter(sk);
}

SEC("kretprobe/tcp_v4_connect")
int BPF_KRETPROBE(tcp_v4_connect_ret, int ret)
{
	return leave(ret);
}

SEC("kprobe/tcp_v6_connect")
int BPF_KPROBE(tcp_v6_connect, struct sock *sk)
{
	return enter(sk);
}

SEC("kretprobe/tcp_v6_connect")
int BPF_KRETPROBE(tcp_v6_connect_ret, int ret)
{
	return leave(ret);
}

SEC("fentry/tcp_rcv_state_process")
int BPF_PROG(tcp_rcv_state_process, struct sock *sk)
{
	__u64 *tsp = bpf_map_lookup_elem(&syn_sent, &sk);
	struct conn_event *e;

	if (!tsp || BPF_CORE_READ(sk, __sk_common.skc_state) != 2 /* TCP_SYN_SENT */)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		__builtin_memset(&e->h, 0, sizeof(e->h));
		read_flow(sk, &e->flow);
		e->latency_ns = bpf_ktime_get_ns() - *tsp;
		bpf_ringbuf_submit(e, 0);
	}
	bpf_map_delete_elem(&syn_sent, &sk);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
