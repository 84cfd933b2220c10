// SPDX-License-Identifier: GPL-2.0
// Signals (killsnoop / sigsnoop-like): signal_generate and signal_deliver tracepoints, and
// group kills through kill_pid_info's siginfo and target pid.
#include "agent.h"

struct sig_event {
	struct event_header h;
	__u64 sa_handler;
	__u32 sig;
	__u32 code;
	__u32 target_pid;
	__u32 group;
	__s32 result;
	__u32 sender_uid;
	__u32 pending;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tp/signal/signal_generate")
int generate(struct trace_event_raw_signal_generate *ctx)
{
	struct sig_event *e;

	if (ctx->sig == 0)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	e->sig = ctx->sig;
	e->code = ctx->code;
	e->target_pid = ctx->pid;
	e->group = ctx->group;
	e->result = ctx->result;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp/signal/signal_deliver")
int deliver(struct trace_event_raw_signal_deliver *ctx)
{
	struct task_struct *task = current_task();
	struct sig_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	fill_header(&e->h, task);
	e->sig = ctx->sig;
	e->code = ctx->code;
	e->sa_handler = ctx->sa_handler;
	e->pending = BPF_CORE_READ(task, signal, shared_pending.signal.sig[0]);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("kprobe/kill_pid_info")
int BPF_KPROBE(kill_pid_info, int sig, struct kernel_siginfo *info, struct pid *pid)
{
	struct sig_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	e->sig = sig;
	e->target_pid = BPF_CORE_READ(pid, numbers[0].nr);
	if ((unsigned long)info > 2) {
		e->code = BPF_CORE_READ(info, si_code);
		e->sender_uid = BPF_CORE_READ(info, _sifields._kill._uid);
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
