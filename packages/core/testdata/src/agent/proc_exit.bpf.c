// SPDX-License-Identifier: GPL-2.0
// Process exit: exit code, signal, run time and resource usage of the whole thread group.
#include "agent.h"

struct exit_event {
	struct event_header h;
	__u64 start_time;
	__u64 utime;
	__u64 stime;
	__u64 maxrss;
	__u32 exit_code;
	__u32 exit_signal;
	__u32 nr_threads;
	__u32 group_dead;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tp/sched/sched_process_exit")
int handle_exit(struct trace_event_raw_sched_process_template *ctx)
{
	struct task_struct *task = current_task();
	struct signal_struct *sig = BPF_CORE_READ(task, signal);
	struct exit_event *e;
	__u64 id = bpf_get_current_pid_tgid();

	if ((id >> 32) != (__u32)id)
		return 0; /* a thread, not the leader */
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	fill_header(&e->h, task);
	e->start_time = BPF_CORE_READ(task, start_time);
	e->utime = BPF_CORE_READ(task, utime);
	e->stime = BPF_CORE_READ(task, stime);
	e->exit_code = BPF_CORE_READ(task, exit_code) >> 8;
	e->exit_signal = BPF_CORE_READ(task, exit_signal);
	e->nr_threads = BPF_CORE_READ(sig, nr_threads);
	e->maxrss = BPF_CORE_READ(sig, maxrss);
	e->group_dead = ctx->prio;
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
