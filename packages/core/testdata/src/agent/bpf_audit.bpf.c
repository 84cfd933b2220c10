// SPDX-License-Identifier: GPL-2.0
// BPF usage audit (who loads what into the kernel): program loads and map creations with
// their types compared through enum values, JIT and GPL bits, sizes of the kernel's records.
#include "agent.h"

struct bpf_event {
	struct event_header h;
	__u32 kind; /* 0 program, 1 map */
	__u32 id;
	__u32 type;
	__u32 insns;
	__u32 jited;
	__u32 gpl;
	__u32 used_maps;
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
	__u32 is_tracing;
	__u32 is_ringbuf;
	__u32 prog_size;
	__u32 attr_size;
	char name[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("fexit/bpf_prog_kallsyms_add")
int BPF_PROG(prog_loaded, struct bpf_prog *prog)
{
	struct bpf_prog_aux *aux = BPF_CORE_READ(prog, aux);
	struct bpf_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	e->kind = 0;
	e->id = BPF_CORE_READ(aux, id);
	e->type = BPF_CORE_READ(prog, type);
	e->is_tracing = e->type == bpf_core_enum_value(enum bpf_prog_type, BPF_PROG_TYPE_TRACING) ||
			e->type == bpf_core_enum_value(enum bpf_prog_type, BPF_PROG_TYPE_KPROBE);
	e->insns = BPF_CORE_READ(prog, len);
	e->jited = BPF_CORE_READ_BITFIELD_PROBED(prog, jited);
	e->gpl = BPF_CORE_READ_BITFIELD_PROBED(prog, gpl_compatible);
	e->used_maps = BPF_CORE_READ(aux, used_map_cnt);
	e->prog_size = bpf_core_type_size(struct bpf_prog);
	e->attr_size = bpf_core_type_size(union bpf_attr);
	BPF_CORE_READ_STR_INTO(&e->name, aux, name);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("fentry/bpf_map_init_from_attr")
int BPF_PROG(map_created, struct bpf_map *map, union bpf_attr *attr)
{
	struct bpf_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	e->kind = 1;
	e->type = BPF_CORE_READ(attr, map_type);
	e->key_size = BPF_CORE_READ(attr, key_size);
	e->value_size = BPF_CORE_READ(attr, value_size);
	e->max_entries = BPF_CORE_READ(attr, max_entries);
	e->is_ringbuf = e->type == bpf_core_enum_value(enum bpf_map_type, BPF_MAP_TYPE_RINGBUF);
	if (bpf_core_enum_value_exists(enum bpf_map_type, BPF_MAP_TYPE_USER_RINGBUF))
		e->is_ringbuf |= e->type == bpf_core_enum_value(enum bpf_map_type, BPF_MAP_TYPE_USER_RINGBUF);
	e->attr_size = bpf_core_field_size(attr->map_name);
	BPF_CORE_READ_STR_INTO(&e->name, attr, map_name);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
