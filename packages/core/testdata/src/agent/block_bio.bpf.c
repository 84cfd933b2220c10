// SPDX-License-Identifier: GPL-2.0
// Bio-level accounting per cgroup and device (blkio throttling view): submit_bio with the bio's
// size, flags, blkcg and segment vector; bi_bdev (5.12+) or bi_disk before it.
#include "agent.h"

struct bio___v511 {
	struct gendisk *bi_disk;
	u8 bi_partno;
} __attribute__((preserve_access_index));

struct bio_key {
	__u64 cgroup;
	__u32 dev;
	__u32 write;
};

struct bio_val {
	__u64 bytes;
	__u64 ios;
	__u64 vecs;
	__u64 sync;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct bio_key);
	__type(value, struct bio_val);
} usage SEC(".maps");

static __always_inline __u32 bio_dev(struct bio *bio)
{
	struct bio___v511 *old = (void *)bio;

	if (bpf_core_field_exists(bio->bi_bdev))
		return BPF_CORE_READ(bio, bi_bdev, bd_dev);
	return BPF_CORE_READ(old, bi_disk, major) << 20 | BPF_CORE_READ(old, bi_partno);
}

SEC("kprobe/submit_bio")
int BPF_KPROBE(submit_bio, struct bio *bio)
{
	struct bio_key key = {};
	struct bio_val zero = {}, *v;
	__u32 opf = BPF_CORE_READ(bio, bi_opf);

	key.cgroup = bpf_get_current_cgroup_id();
	key.dev = bio_dev(bio);
	key.write = (opf & 0xff) == bpf_core_enum_value(enum req_op, REQ_OP_WRITE);
	v = bpf_map_lookup_elem(&usage, &key);
	if (!v) {
		bpf_map_update_elem(&usage, &key, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&usage, &key);
		if (!v)
			return 0;
	}
	__sync_fetch_and_add(&v->bytes, BPF_CORE_READ(bio, bi_iter.bi_size));
	__sync_fetch_and_add(&v->ios, 1);
	__sync_fetch_and_add(&v->vecs, BPF_CORE_READ(bio, bi_vcnt));
	if (opf & (1u << bpf_core_enum_value(enum req_flag_bits, __REQ_SYNC)))
		__sync_fetch_and_add(&v->sync, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
