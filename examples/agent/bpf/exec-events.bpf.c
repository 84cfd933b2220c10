// SPDX-License-Identifier: Apache-2.0
/*
 * One event per successful execve: a raw tracepoint on sched_process_exec reads the new process's pid,
 * parent, uid, name and the executed path with CO-RE reads of task_struct, cred and linux_binprm, and
 * sends them to user space through a ring buffer. A raw tracepoint attaches with the bpf() syscall alone
 * (no tracefs mount needed, unlike a perf-event tracepoint).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "exec-events.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("raw_tp/sched_process_exec")
int BPF_PROG(handle_exec, struct task_struct *task, pid_t old_pid, struct linux_binprm *bprm)
{
	struct exec_event *event = bpf_ringbuf_reserve(&events, sizeof(*event), 0);
	if (!event)
		return 0;
	event->pid = BPF_CORE_READ(task, tgid);
	event->ppid = BPF_CORE_READ(task, real_parent, tgid);
	event->uid = BPF_CORE_READ(task, cred, uid.val);
	BPF_CORE_READ_STR_INTO(&event->comm, task, comm);
	long len = bpf_probe_read_kernel_str(event->filename, sizeof(event->filename), BPF_CORE_READ(bprm, filename));
	event->filename_len = len > 0 ? len : 0;
	bpf_ringbuf_submit(event, 0);
	return 0;
}
