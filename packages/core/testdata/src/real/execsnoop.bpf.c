// SPDX-License-Identifier: GPL-2.0
// execsnoop-like (libbpf-tools style): task_struct / mm / files / cred reads through
// pointer chains, task_struct bitfields, TYPE_ID_TARGET, TYPE_SIZE, TYPE_EXISTS.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define TASK_COMM_LEN 16
#define ARGSIZE 128

struct event {
	__u32 pid;
	__u32 ppid;
	__u32 uid;
	__u32 max_fds;
	__u64 args_size;
	__u64 task_type_id;
	__u64 task_size;
	__u32 in_execve;
	__u32 has_pidfd_ops;
	char comm[TASK_COMM_LEN];
	char exe[64];
	char args[ARGSIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_execve")
int tracepoint__syscalls__sys_enter_execve(struct trace_event_raw_sys_enter *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct event *e;
	unsigned long arg_start, arg_end;
	const char *filename;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->pid = BPF_CORE_READ(task, tgid);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->uid = BPF_CORE_READ(task, cred, uid.val);
	e->max_fds = BPF_CORE_READ(task, files, fdt, max_fds);
	arg_start = BPF_CORE_READ(task, mm, arg_start);
	arg_end = BPF_CORE_READ(task, mm, arg_end);
	e->args_size = arg_end - arg_start;
	/* TYPE_ID_TARGET: fine for the full kernel, meaningless ids in a reduced BTF (docs/btfgen.md#caveats-of-reduced-btfs). */
	e->task_type_id = bpf_core_type_id_kernel(struct task_struct);
	e->task_size = bpf_core_type_size(struct task_struct);
	e->has_pidfd_ops = bpf_core_type_exists(struct pid_namespace);
	/* in_execve is a 1-bit bitfield in task_struct (removed in 6.8). */
	if (bpf_core_field_exists(task->in_execve))
		e->in_execve = BPF_CORE_READ_BITFIELD_PROBED(task, in_execve);
	filename = (const char *)ctx->args[0];
	bpf_probe_read_user_str(e->args, sizeof(e->args), filename);
	bpf_probe_read_kernel_str(e->exe, sizeof(e->exe),
				  BPF_CORE_READ(task, mm, exe_file, f_path.dentry, d_name.name));
	bpf_get_current_comm(&e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_execve")
int tracepoint__syscalls__sys_exit_execve(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	long ret = ctx->ret;
	__u32 sessionid = BPF_CORE_READ(task, sessionid);

	if (ret < 0 && sessionid == 0)
		bpf_printk("exec failed %ld", ret);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
