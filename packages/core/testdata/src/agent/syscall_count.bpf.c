// SPDX-License-Identifier: GPL-2.0
// Syscall counts and errors per process (syscount-like): raw_syscalls sys_enter/sys_exit through
// raw tracepoints, the syscall number from pt_regs, latency per syscall id, the tracepoint
// records checked against a trimmed local layout (TYPE_MATCHES).
#include "agent.h"

struct trace_event_raw_sys_exit___min {
	struct trace_entry ent;
	long id;
	long ret;
} __attribute__((preserve_access_index));

struct sys_key {
	__u32 pid;
	__u32 nr;
};

struct sys_val {
	__u64 count;
	__u64 errors;
	__u64 total_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct sys_key);
	__type(value, struct sys_val);
} counts SEC(".maps");

SEC("raw_tp/sys_enter")
int sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 ts = bpf_ktime_get_ns();

	bpf_map_update_elem(&start, &tid, &ts, 0);
	return 0;
}

SEC("raw_tp/sys_exit")
int sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	struct sys_key key = { .pid = id >> 32, .nr = BPF_CORE_READ(regs, orig_ax) };
	struct sys_val zero = {}, *v;
	__u64 *tsp = bpf_map_lookup_elem(&start, &tid);
	long ret = ctx->args[1];

	if (!tsp)
		return 0;
	v = bpf_map_lookup_elem(&counts, &key);
	if (!v) {
		bpf_map_update_elem(&counts, &key, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&counts, &key);
	}
	if (v) {
		v->count++;
		v->total_ns += bpf_ktime_get_ns() - *tsp;
		if (ret < 0)
			v->errors++;
	}
	bpf_map_delete_elem(&start, &tid);
	return 0;
}

SEC("tp/raw_syscalls/sys_exit")
int sys_exit_tp(struct trace_event_raw_sys_exit___min *ctx)
{
	struct sys_key key = { .pid = bpf_get_current_pid_tgid() >> 32 };
	struct sys_val *v;

	if (!bpf_core_type_matches(struct trace_event_raw_sys_exit___min))
		return 0;
	key.nr = ctx->id;
	v = bpf_map_lookup_elem(&counts, &key);
	if (v && ctx->ret < 0)
		__sync_fetch_and_add(&v->errors, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
