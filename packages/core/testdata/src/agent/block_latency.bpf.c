// SPDX-License-Identifier: GPL-2.0
// Block I/O latency histograms (biolatency-like) per disk and operation: request issue to
// completion via tp_btf, the disk from rq->q->disk or, before 5.17, rq->rq_disk.
#include "agent.h"

#define MAX_SLOTS 27

struct request___v516 {
	struct gendisk *rq_disk;
} __attribute__((preserve_access_index));

struct hist_key {
	__u32 dev;
	__u32 op;
};

struct hist {
	__u32 slots[MAX_SLOTS];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct request *);
	__type(value, __u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct hist_key);
	__type(value, struct hist);
} hists SEC(".maps");

static __always_inline struct gendisk *request_disk(struct request *rq)
{
	struct request___v516 *old = (void *)rq;

	if (bpf_core_field_exists(old->rq_disk))
		return BPF_CORE_READ(old, rq_disk);
	return BPF_CORE_READ(rq, q, disk);
}

static __always_inline __u32 log2l(__u64 v)
{
	__u32 r = 0;

	for (int i = 0; i < 63 && v > 1; i++) {
		v >>= 1;
		r++;
	}
	return r;
}

SEC("tp_btf/block_rq_issue")
int BPF_PROG(block_rq_issue, struct request *rq)
{
	__u64 ts = bpf_ktime_get_ns();

	bpf_map_update_elem(&start, &rq, &ts, 0);
	return 0;
}

SEC("tp_btf/block_rq_complete")
int BPF_PROG(block_rq_complete, struct request *rq, int error, unsigned int nr_bytes)
{
	static struct hist zero;
	struct gendisk *disk = request_disk(rq);
	struct hist_key key = {};
	struct hist *h;
	__u64 *tsp, slot;

	tsp = bpf_map_lookup_elem(&start, &rq);
	if (!tsp)
		return 0;
	key.dev = BPF_CORE_READ(disk, major) << 20 | BPF_CORE_READ(disk, first_minor);
	key.op = BPF_CORE_READ(rq, cmd_flags) & 0xff;
	if (key.op == bpf_core_enum_value(enum req_op, REQ_OP_DISCARD) ||
	    key.op == bpf_core_enum_value(enum req_op, REQ_OP_FLUSH))
		key.op = 3;
	h = bpf_map_lookup_elem(&hists, &key);
	if (!h) {
		bpf_map_update_elem(&hists, &key, &zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(&hists, &key);
		if (!h)
			goto out;
	}
	slot = log2l((bpf_ktime_get_ns() - *tsp) / 1000);
	if (slot >= MAX_SLOTS)
		slot = MAX_SLOTS - 1;
	__sync_fetch_and_add(&h->slots[slot], 1);
out:
	bpf_map_delete_elem(&start, &rq);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
