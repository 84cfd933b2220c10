// SPDX-License-Identifier: GPL-2.0
// Kernel memory allocations (memleak-like, kernel side): kmalloc / kmem_cache_alloc / kfree
// tracepoints, outstanding allocations by call site, slab cache names and object sizes.
#include "agent.h"

struct alloc_info {
	__u64 size;
	__u64 ts;
	__u64 call_site;
	__s32 node;
	__u32 gfp;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 100000);
	__type(key, __u64);
	__type(value, struct alloc_info);
} allocs SEC(".maps");

struct cache_stat {
	__u64 allocs;
	__u32 object_size;
	__u32 size;
	char name[32];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct cache_stat);
} caches SEC(".maps");

SEC("tp/kmem/kmalloc")
int kmalloc(struct trace_event_raw_kmalloc *ctx)
{
	struct alloc_info info = {
		.size = ctx->bytes_alloc,
		.ts = bpf_ktime_get_ns(),
		.call_site = ctx->call_site,
		.gfp = ctx->gfp_flags,
	};
	__u64 ptr = (__u64)ctx->ptr;

	if (bpf_core_field_exists(ctx->node))
		info.node = ctx->node;
	bpf_map_update_elem(&allocs, &ptr, &info, 0);
	return 0;
}

SEC("tp/kmem/kfree")
int kfree(struct trace_event_raw_kfree *ctx)
{
	__u64 ptr = (__u64)ctx->ptr;

	bpf_map_delete_elem(&allocs, &ptr);
	return 0;
}

SEC("tp_btf/kmem_cache_alloc")
int BPF_PROG(kmem_cache_alloc, unsigned long call_site, const void *ptr, struct kmem_cache *s)
{
	__u64 key = (__u64)s;
	struct cache_stat zero = {}, *st;

	st = bpf_map_lookup_elem(&caches, &key);
	if (!st) {
		zero.object_size = BPF_CORE_READ(s, object_size);
		zero.size = BPF_CORE_READ(s, size);
		bpf_probe_read_kernel_str(zero.name, sizeof(zero.name), BPF_CORE_READ(s, name));
		bpf_map_update_elem(&caches, &key, &zero, BPF_NOEXIST);
		st = bpf_map_lookup_elem(&caches, &key);
		if (!st)
			return 0;
	}
	__sync_fetch_and_add(&st->allocs, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
