// SPDX-License-Identifier: GPL-2.0
// Off-CPU time (offcputime-like): blocked time per (pid, kernel stack, user stack), from the
// sched_switch tracepoint record and the task's state, with stack ids from a stack map.
#include "agent.h"

struct key_t {
	__u32 pid;
	__u32 tgid;
	__s32 kern_stack;
	__s32 user_stack;
	char name[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, 127 * sizeof(__u64));
	__uint(max_entries, 10240);
} stackmap SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct key_t);
	__type(value, __u64);
} info SEC(".maps");

SEC("tp/sched/sched_switch")
int sched_switch(struct trace_event_raw_sched_switch *ctx)
{
	struct task_struct *task = current_task();
	__u32 prev = ctx->prev_pid, next = ctx->next_pid;
	struct key_t key = {};
	__u64 ts = bpf_ktime_get_ns(), *tsp, *val, zero = 0;

	if (ctx->prev_state != 0 && (BPF_CORE_READ(task, flags) & 0x00200000 /* PF_KTHREAD */) == 0)
		bpf_map_update_elem(&start, &prev, &ts, 0);
	tsp = bpf_map_lookup_elem(&start, &next);
	if (!tsp)
		return 0;
	key.pid = next;
	key.tgid = BPF_CORE_READ(task, tgid);
	key.kern_stack = bpf_get_stackid(ctx, &stackmap, 0);
	key.user_stack = -1;
	bpf_probe_read_kernel_str(key.name, sizeof(key.name), ctx->next_comm);
	val = bpf_map_lookup_elem(&info, &key);
	if (!val) {
		bpf_map_update_elem(&info, &key, &zero, BPF_NOEXIST);
		val = bpf_map_lookup_elem(&info, &key);
	}
	if (val)
		__sync_fetch_and_add(val, (ts - *tsp) / 1000);
	bpf_map_delete_elem(&start, &next);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
