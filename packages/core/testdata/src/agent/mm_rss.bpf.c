// SPDX-License-Identifier: GPL-2.0
// Resident set size per process: the rss_stat tracepoint and, on a timer-like sample, the mm's
// counters, read from struct mm_rss_stat (up to 6.1) or percpu_counter rss_stat[] (6.2+).
#include "agent.h"

struct mm_struct___v61 {
	struct mm_rss_stat___v61 {
		atomic_long_t count[4];
	} rss_stat;
} __attribute__((preserve_access_index));

struct rss {
	__s64 file;
	__s64 anon;
	__s64 swap;
	__s64 shmem;
	__u64 total_vm;
	__u64 hiwater_rss;
	__u64 pgtables;
	__u32 map_count;
	__u32 users;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct rss);
} rss_by_pid SEC(".maps");

static __always_inline __s64 rss_counter(struct mm_struct *mm, int member)
{
	struct mm_struct___v61 *v61 = (void *)mm;
	struct mm_struct___v62 *v62 = (void *)mm;

	if (bpf_core_type_exists(struct mm_rss_stat___v61) && bpf_core_field_exists(v61->rss_stat.count))
		return BPF_CORE_READ(v61, rss_stat.count[member & 3].counter);
	return BPF_CORE_READ(v62, rss_stat[member & 3].count);
}

SEC("tp/kmem/rss_stat")
int rss_stat(struct trace_event_raw_rss_stat *ctx)
{
	struct mm_struct *mm = BPF_CORE_READ(current_task(), mm);
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct rss r = {};

	if (!ctx->curr || !mm)
		return 0;
	r.file = rss_counter(mm, 0 /* MM_FILEPAGES */);
	r.anon = rss_counter(mm, 1 /* MM_ANONPAGES */);
	r.swap = rss_counter(mm, 2 /* MM_SWAPENTS */);
	r.shmem = rss_counter(mm, 3 /* MM_SHMEMPAGES */);
	r.total_vm = BPF_CORE_READ(mm, total_vm);
	r.hiwater_rss = BPF_CORE_READ(mm, hiwater_rss);
	r.pgtables = BPF_CORE_READ(mm, pgtables_bytes.counter);
	r.map_count = BPF_CORE_READ(mm, map_count);
	r.users = BPF_CORE_READ(mm, mm_users.counter);
	bpf_map_update_elem(&rss_by_pid, &pid, &r, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
