// SPDX-License-Identifier: GPL-2.0
// opensnoop-like: tracepoint context reads, task_struct->__state vs ->state (task_struct___o
// flavor, field_exists guard), TYPE_MATCHES on a tracepoint struct, a non-autoload program.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct task_struct___o {
	volatile long int state;
} __attribute__((preserve_access_index));

struct task_struct___x {
	unsigned int __state;
} __attribute__((preserve_access_index));

struct args_t {
	const char *fname;
	int flags;
	long state;
	int matches;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct args_t);
} start SEC(".maps");

static __always_inline long get_task_state(void *task)
{
	struct task_struct___x *t = task;

	if (bpf_core_field_exists(t->__state))
		return BPF_CORE_READ(t, __state);
	return BPF_CORE_READ((struct task_struct___o *)task, state);
}

static __always_inline int record(const char *fname, int flags)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct args_t args = {};

	args.fname = fname;
	args.flags = flags;
	args.state = get_task_state((void *)bpf_get_current_task());
	args.matches = bpf_core_type_matches(struct trace_event_raw_sys_enter);
	bpf_map_update_elem(&start, &tid, &args, 0);
	return 0;
}

/* x86_64 has open(2), arm64 has not: loaders set autoload on this one only when it exists. */
SEC("?tracepoint/syscalls/sys_enter_open")
int tracepoint__syscalls__sys_enter_open(struct trace_event_raw_sys_enter *ctx)
{
	return record((const char *)ctx->args[0], (int)ctx->args[1]);
}

SEC("tracepoint/syscalls/sys_enter_openat")
int tracepoint__syscalls__sys_enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	return record((const char *)ctx->args[1], (int)ctx->args[2]);
}

SEC("tracepoint/syscalls/sys_exit_openat")
int tracepoint__syscalls__sys_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct args_t *ap = bpf_map_lookup_elem(&start, &tid);

	if (ap && ctx->ret >= 0)
		bpf_printk("open %s -> %ld", ap->fname, ctx->ret);
	bpf_map_delete_elem(&start, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
