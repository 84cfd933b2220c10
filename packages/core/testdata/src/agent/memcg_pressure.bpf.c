// SPDX-License-Identifier: GPL-2.0
// Memory cgroup pressure: memory.high throttling and memcg reclaim, with the memcg's usage
// counter, limits and the vmstat items of interest (enum node_stat_item / memcg_stat_item).
#include "agent.h"

struct memcg_sample {
	__u64 usage;
	__u64 max;
	__u64 high;
	__u64 reclaims;
	__u32 id;
	__u32 anon_idx;
	__u32 file_idx;
	__u32 sock_idx;
	__u32 oom_kill_disable;
	__u32 level;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct memcg_sample);
} samples SEC(".maps");

SEC("kprobe/try_to_free_mem_cgroup_pages")
int BPF_KPROBE(try_to_free_mem_cgroup_pages, struct mem_cgroup *memcg, unsigned long nr_pages)
{
	__u64 id = BPF_CORE_READ(memcg, css.cgroup, kn, id);
	struct memcg_sample zero = {}, *s;

	s = bpf_map_lookup_elem(&samples, &id);
	if (!s) {
		bpf_map_update_elem(&samples, &id, &zero, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&samples, &id);
		if (!s)
			return 0;
	}
	s->reclaims++;
	s->usage = BPF_CORE_READ(memcg, memory.usage.counter);
	s->max = BPF_CORE_READ(memcg, memory.max);
	s->high = BPF_CORE_READ(memcg, memory.high);
	s->id = BPF_CORE_READ(memcg, id.id);
	s->level = BPF_CORE_READ(memcg, css.cgroup, level);
	if (bpf_core_field_exists(memcg->oom_kill_disable))
		s->oom_kill_disable = BPF_CORE_READ(memcg, oom_kill_disable);
	s->anon_idx = bpf_core_enum_value(enum node_stat_item, NR_ANON_MAPPED);
	s->file_idx = bpf_core_enum_value(enum node_stat_item, NR_FILE_PAGES);
	s->sock_idx = bpf_core_enum_value(enum memcg_stat_item, MEMCG_SOCK);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
