// SPDX-License-Identifier: GPL-2.0
// Process execution: sched_process_exec tracepoint plus the binprm of the exec, the new mm's
// argument area and the executable's inode, sent over a ring buffer.
#include "agent.h"

struct exec_event {
	struct event_header h;
	__u64 args_len;
	__u64 exe_ino;
	__u32 exe_dev;
	__u32 loginuid;
	__u32 secureexec;
	__u32 state;
	char filename[NAME_LEN];
	char interp[NAME_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tp/sched/sched_process_exec")
int handle_exec(struct trace_event_raw_sched_process_exec *ctx)
{
	struct task_struct *task = current_task();
	unsigned int off = ctx->__data_loc_filename & 0xffff;
	struct exec_event *e;
	struct file *exe;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	fill_header(&e->h, task);
	e->args_len = BPF_CORE_READ(task, mm, arg_end) - BPF_CORE_READ(task, mm, arg_start);
	exe = BPF_CORE_READ(task, mm, exe_file);
	e->exe_ino = BPF_CORE_READ(exe, f_inode, i_ino);
	e->exe_dev = BPF_CORE_READ(exe, f_inode, i_sb, s_dev);
	e->loginuid = BPF_CORE_READ(task, loginuid.val);
	e->state = task_state(task);
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), (void *)ctx + off);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("fentry/bprm_execve")
int BPF_PROG(bprm_execve_enter, struct linux_binprm *bprm)
{
	struct exec_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	e->secureexec = BPF_CORE_READ_BITFIELD_PROBED(bprm, secureexec);
	bpf_probe_read_kernel_str(e->filename, sizeof(e->filename), BPF_CORE_READ(bprm, filename));
	bpf_probe_read_kernel_str(e->interp, sizeof(e->interp), BPF_CORE_READ(bprm, interp));
	e->args_len = BPF_CORE_READ(bprm, argc);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
