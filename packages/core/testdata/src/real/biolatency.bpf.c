// SPDX-License-Identifier: GPL-2.0
// biolatency/biosnoop-like: struct request / request_queue / gendisk / block_device / bio reads,
// rq->rq_disk (gone since 5.17) behind a request___old flavor, bd_partno (gone in 6.10) behind
// field_exists, enum req_op values, TYPE_MATCHES on a trimmed tracepoint struct flavor.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct request___old {
	struct gendisk *rq_disk;
} __attribute__((preserve_access_index));

struct trace_event_raw_block_rq_completion___m {
	struct trace_entry ent;
	dev_t dev;
	sector_t sector;
	unsigned int nr_sector;
	int error;
} __attribute__((preserve_access_index));

struct hist_key {
	__u32 major;
	__u32 minor;
	__u32 op;
	__u32 partno;
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
	__type(value, __u64);
} hists SEC(".maps");

static __always_inline struct gendisk *get_disk(void *request)
{
	struct request *rq = request;
	struct request___old *rq_old = request;

	if (bpf_core_field_exists(rq_old->rq_disk))
		return BPF_CORE_READ(rq_old, rq_disk);
	return BPF_CORE_READ(rq, q, disk);
}

SEC("raw_tp/block_rq_issue")
int block_rq_issue(struct bpf_raw_tracepoint_args *ctx)
{
	struct request *rq = (struct request *)ctx->args[0];
	__u64 ts = bpf_ktime_get_ns();

	bpf_map_update_elem(&start, &rq, &ts, 0);
	return 0;
}

SEC("raw_tp/block_rq_complete")
int block_rq_complete(struct bpf_raw_tracepoint_args *ctx)
{
	struct request *rq = (struct request *)ctx->args[0];
	struct gendisk *disk = get_disk(rq);
	struct block_device *part = BPF_CORE_READ(rq, part);
	struct hist_key key = {};
	__u64 *tsp, one = 1;
	__u32 flags = BPF_CORE_READ(rq, cmd_flags);

	tsp = bpf_map_lookup_elem(&start, &rq);
	if (!tsp)
		return 0;
	key.major = BPF_CORE_READ(disk, major);
	key.minor = BPF_CORE_READ(disk, first_minor);
	if (bpf_core_field_exists(part->bd_partno))
		key.partno = BPF_CORE_READ(part, bd_partno);
	if ((flags & 0xff) == bpf_core_enum_value(enum req_op, REQ_OP_WRITE))
		key.op = 1;
	else if (bpf_core_enum_value_exists(enum req_op, REQ_OP_ZONE_APPEND) &&
		 (flags & 0xff) == bpf_core_enum_value(enum req_op, REQ_OP_ZONE_APPEND))
		key.op = 2;
	if (bpf_core_type_matches(struct trace_event_raw_block_rq_completion___m))
		key.op |= 0x100;
	key.op |= BPF_CORE_READ(rq, __data_len) > 4096 ? 0x200 : 0;
	bpf_map_update_elem(&hists, &key, &one, BPF_NOEXIST);
	bpf_map_delete_elem(&start, &rq);
	return 0;
}

SEC("raw_tp/block_bio_queue")
int block_bio_queue(struct bpf_raw_tracepoint_args *ctx)
{
	struct bio *bio = (struct bio *)ctx->args[0];
	__u32 size = BPF_CORE_READ(bio, bi_iter.bi_size);
	__u32 dev = BPF_CORE_READ(bio, bi_bdev, bd_dev);
	__u32 opf = BPF_CORE_READ(bio, bi_opf);

	bpf_printk("bio %u bytes dev %u op %u", size, dev, opf);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
