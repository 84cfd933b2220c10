// SPDX-License-Identifier: GPL-2.0
// TCP state transitions (tcpstates-like) with time spent in the previous state, from the
// inet_sock_set_state tracepoint; the socket's byte counters at close.
#include "net.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, const void *);
	__type(value, __u64);
} timestamps SEC(".maps");

struct state_event {
	__u64 skaddr;
	__u64 delta_us;
	__u64 bytes_acked;
	__u64 bytes_received;
	__u32 oldstate;
	__u32 newstate;
	__u16 family;
	__u16 sport;
	__u16 dport;
	__u16 protocol;
	__u8 saddr[16];
	__u8 daddr[16];
	__u32 pid;
	char comm[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tp/sock/inet_sock_set_state")
int set_state(struct trace_event_raw_inet_sock_set_state *ctx)
{
	const void *skaddr = ctx->skaddr;
	struct tcp_sock *tp = (struct tcp_sock *)skaddr;
	struct state_event *e;
	__u64 ts = bpf_ktime_get_ns(), *tsp;

	if (ctx->protocol != 6)
		return 0;
	tsp = bpf_map_lookup_elem(&timestamps, &skaddr);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		e->skaddr = (__u64)skaddr;
		e->delta_us = tsp ? (ts - *tsp) / 1000 : 0;
		e->oldstate = ctx->oldstate;
		e->newstate = ctx->newstate;
		e->family = ctx->family;
		e->sport = ctx->sport;
		e->dport = ctx->dport;
		e->protocol = ctx->protocol;
		if (ctx->family == AF_INET) {
			bpf_probe_read_kernel(e->saddr, 4, ctx->saddr);
			bpf_probe_read_kernel(e->daddr, 4, ctx->daddr);
		} else {
			bpf_probe_read_kernel(e->saddr, 16, ctx->saddr_v6);
			bpf_probe_read_kernel(e->daddr, 16, ctx->daddr_v6);
		}
		e->bytes_acked = BPF_CORE_READ(tp, bytes_acked);
		e->bytes_received = BPF_CORE_READ(tp, bytes_received);
		e->pid = bpf_get_current_pid_tgid() >> 32;
		bpf_get_current_comm(e->comm, sizeof(e->comm));
		bpf_ringbuf_submit(e, 0);
	}
	if (ctx->newstate == 7 /* TCP_CLOSE */)
		bpf_map_delete_elem(&timestamps, &skaddr);
	else
		bpf_map_update_elem(&timestamps, &skaddr, &ts, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
