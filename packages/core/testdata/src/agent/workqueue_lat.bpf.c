// SPDX-License-Identifier: GPL-2.0
// Workqueue and timer latency (kworker hogs): queue-to-execute delay per workqueue, from
// workqueue_queue_work / execute_start / execute_end, and hrtimer expiry lateness.
#include "agent.h"

/* workqueue_struct::max_active, added in 6.9 (only saved_max_active before). */
struct workqueue_struct___v69 {
	int max_active;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, __u64);
} queued SEC(".maps");

struct wq_stat {
	__u64 count;
	__u64 wait_ns;
	__u64 max_wait_ns;
	__u32 flags;
	__u32 max_active;
	char name[24];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct wq_stat);
} stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} timer_late_ns SEC(".maps");

SEC("tp_btf/workqueue_queue_work")
int BPF_PROG(queue_work, int req_cpu, struct pool_workqueue *pwq, struct work_struct *work)
{
	__u64 key = (__u64)work, ts = bpf_ktime_get_ns();
	struct workqueue_struct *wq = BPF_CORE_READ(pwq, wq);
	__u64 wq_key = (__u64)wq;
	struct wq_stat zero = {};

	bpf_map_update_elem(&queued, &key, &ts, 0);
	if (!bpf_map_lookup_elem(&stats, &wq_key)) {
		zero.flags = BPF_CORE_READ(wq, flags);
		struct workqueue_struct___v69 *v69 = (void *)wq;

		if (bpf_core_field_exists(v69->max_active))
			zero.max_active = BPF_CORE_READ(v69, max_active);
		else
			zero.max_active = BPF_CORE_READ(wq, saved_max_active);
		BPF_CORE_READ_STR_INTO(&zero.name, wq, name);
		bpf_map_update_elem(&stats, &wq_key, &zero, BPF_NOEXIST);
	}
	return 0;
}

SEC("tp/workqueue/workqueue_execute_start")
int execute_start(struct trace_event_raw_workqueue_execute_start *ctx)
{
	__u64 key = (__u64)ctx->work;
	__u64 *tsp = bpf_map_lookup_elem(&queued, &key);
	struct work_struct *work = ctx->work;
	__u64 wait;

	if (!tsp)
		return 0;
	wait = bpf_ktime_get_ns() - *tsp;
	bpf_map_delete_elem(&queued, &key);
	bpf_printk("work %lx data %lx waited %llu", (unsigned long)ctx->function,
		   BPF_CORE_READ(work, data.counter), wait);
	return 0;
}

SEC("tp_btf/hrtimer_expire_entry")
int BPF_PROG(hrtimer_expire_entry, struct hrtimer *timer, ktime_t *now)
{
	__u32 zero = 0;
	__u64 *late = bpf_map_lookup_elem(&timer_late_ns, &zero);
	s64 expires = BPF_CORE_READ(timer, node.expires);
	s64 t = 0;

	bpf_core_read(&t, sizeof(t), now);
	if (late && t > expires)
		*late += t - expires;
	if (BPF_CORE_READ(timer, is_hard))
		bpf_printk("hard timer %lx", (unsigned long)BPF_CORE_READ(timer, function));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
