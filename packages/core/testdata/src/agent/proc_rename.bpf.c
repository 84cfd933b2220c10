// SPDX-License-Identifier: GPL-2.0
// comm changes (prctl PR_SET_NAME, exec): task_rename tracepoint, with the task's session and tty.
#include "agent.h"

struct rename_event {
	struct event_header h;
	__u32 sessionid;
	__u32 tty_index;
	char oldcomm[TASK_COMM_LEN];
	char newcomm[TASK_COMM_LEN];
	char tty[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

SEC("tp/task/task_rename")
int handle_rename(struct trace_event_raw_task_rename *ctx)
{
	struct task_struct *task = current_task();
	struct tty_struct *tty = BPF_CORE_READ(task, signal, tty);
	struct rename_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	fill_header(&e->h, task);
	e->sessionid = BPF_CORE_READ(task, sessionid);
	e->tty_index = BPF_CORE_READ(tty, index);
	BPF_CORE_READ_STR_INTO(&e->tty, tty, name);
	bpf_probe_read_kernel_str(e->oldcomm, sizeof(e->oldcomm), ctx->oldcomm);
	bpf_probe_read_kernel_str(e->newcomm, sizeof(e->newcomm), ctx->newcomm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
