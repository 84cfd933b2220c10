// SPDX-License-Identifier: GPL-2.0
// Hard and soft interrupt time (hardirqs/softirqs-like): irq_handler_entry/exit and
// softirq_entry/exit, with the irq's action name; unhandled shared interrupts (IRQ_NONE) skipped.
#include "agent.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} start SEC(".maps");

struct irq_key {
	char name[32];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct irq_key);
	__type(value, __u64);
} irq_ns SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} softirq_ns SEC(".maps");

static __always_inline int stamp(void)
{
	__u32 zero = 0;
	__u64 ts = bpf_ktime_get_ns();

	bpf_map_update_elem(&start, &zero, &ts, 0);
	return 0;
}

static __always_inline __u64 elapsed(void)
{
	__u32 zero = 0;
	__u64 *tsp = bpf_map_lookup_elem(&start, &zero);

	return tsp && *tsp ? bpf_ktime_get_ns() - *tsp : 0;
}

SEC("tp/irq/irq_handler_entry")
int irq_entry(struct trace_event_raw_irq_handler_entry *ctx)
{
	return stamp();
}

SEC("tp_btf/irq_handler_exit")
int BPF_PROG(irq_exit, int irq, struct irqaction *action, int ret)
{
	struct irq_key key = {};
	__u64 delta = elapsed(), *v;

	if (ret == bpf_core_enum_value(enum irqreturn, IRQ_NONE))
		return 0; /* not ours: a shared line */
	bpf_probe_read_kernel_str(key.name, sizeof(key.name), BPF_CORE_READ(action, name));
	v = bpf_map_lookup_elem(&irq_ns, &key);
	if (v)
		__sync_fetch_and_add(v, delta);
	else
		bpf_map_update_elem(&irq_ns, &key, &delta, BPF_NOEXIST);
	return 0;
}

SEC("tp/irq/softirq_entry")
int softirq_entry(struct trace_event_raw_softirq *ctx)
{
	return stamp();
}

SEC("tp/irq/softirq_exit")
int softirq_exit(struct trace_event_raw_softirq *ctx)
{
	__u32 vec = ctx->vec;
	__u64 *v;

	if (vec < 16) {
		v = bpf_map_lookup_elem(&softirq_ns, &vec);
		if (v)
			*v += elapsed();
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
