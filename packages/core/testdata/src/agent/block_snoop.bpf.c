// SPDX-License-Identifier: GPL-2.0
// Per-request block I/O trace (biosnoop-like): the block_rq_* tracepoint records, the issuing
// process from the insert, the request's sector, length and queue depth, the partition number
// where the block_device still has one.
#include "agent.h"

struct block_device___v69 {
	u8 bd_partno;
} __attribute__((preserve_access_index));

struct stage {
	__u64 insert;
	__u32 pid;
	char comm[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u64);
	__type(value, struct stage);
} stages SEC(".maps");

struct bio_event {
	__u64 delta_us;
	__u64 qdelta_us;
	__u64 sector;
	__u32 len;
	__u32 dev;
	__u32 partno;
	__u32 tag;
	__u32 nr_phys;
	__u32 pid;
	__s32 error;
	char rwbs[8];
	char comm[TASK_COMM_LEN];
	char disk[32];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

static __always_inline __u64 key_of(dev_t dev, sector_t sector)
{
	return (__u64)dev << 40 | sector;
}

SEC("tp/block/block_rq_insert")
int rq_insert(struct trace_event_raw_block_rq *ctx)
{
	struct stage s = { .insert = bpf_ktime_get_ns(), .pid = bpf_get_current_pid_tgid() >> 32 };
	__u64 key = key_of(ctx->dev, ctx->sector);

	bpf_get_current_comm(s.comm, sizeof(s.comm));
	bpf_map_update_elem(&stages, &key, &s, 0);
	return 0;
}

SEC("tp/block/block_rq_complete")
int rq_complete(struct trace_event_raw_block_rq_completion *ctx)
{
	__u64 key = key_of(ctx->dev, ctx->sector);
	struct stage *s = bpf_map_lookup_elem(&stages, &key);
	struct bio_event *e;

	if (!s)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		e->delta_us = (bpf_ktime_get_ns() - s->insert) / 1000;
		e->sector = ctx->sector;
		e->len = ctx->nr_sector << 9;
		e->dev = ctx->dev;
		e->error = ctx->error;
		e->pid = s->pid;
		bpf_probe_read_kernel(e->rwbs, sizeof(e->rwbs), ctx->rwbs);
		__builtin_memcpy(e->comm, s->comm, sizeof(e->comm));
		bpf_ringbuf_submit(e, 0);
	}
	bpf_map_delete_elem(&stages, &key);
	return 0;
}

SEC("raw_tp/block_rq_issue")
int rq_issue(struct bpf_raw_tracepoint_args *ctx)
{
	struct request *rq = (struct request *)ctx->args[0];
	struct block_device *part = BPF_CORE_READ(rq, part);
	struct block_device___v69 *old_part = (void *)part;
	struct bio_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	e->sector = BPF_CORE_READ(rq, __sector);
	e->len = BPF_CORE_READ(rq, __data_len);
	e->tag = BPF_CORE_READ(rq, tag);
	e->nr_phys = BPF_CORE_READ(rq, nr_phys_segments);
	e->qdelta_us = (bpf_ktime_get_ns() - BPF_CORE_READ(rq, start_time_ns)) / 1000;
	e->dev = BPF_CORE_READ(part, bd_dev);
	if (bpf_core_field_exists(old_part->bd_partno))
		e->partno = BPF_CORE_READ(old_part, bd_partno);
	BPF_CORE_READ_STR_INTO(&e->disk, rq, q, disk, disk_name);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
