// SPDX-License-Identifier: GPL-2.0
// Kernel module loads and unloads (rootkit detection): do_init_module and free_module with the
// module's state (enum module_state), taint flags, size and whether it is signed.
#include "agent.h"

struct module_event {
	struct event_header h;
	__u64 taints;
	__u64 core_size;
	__u32 state;
	__u32 coming;
	__u32 sig_ok;
	__u32 num_syms;
	__u32 unloading;
	char name[56];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

/* module::core_layout (up to 6.3) became mem[MOD_TEXT] in 6.4. */
struct module___v63 {
	struct module_layout___v63 {
		unsigned int size;
	} core_layout;
} __attribute__((preserve_access_index));

struct module_memory___v64 {
	unsigned int size;
} __attribute__((preserve_access_index));

struct module___v64 {
	struct module_memory___v64 mem[7];
} __attribute__((preserve_access_index));

static __always_inline int report(struct module *mod, __u32 unloading)
{
	struct module___v63 *v63 = (void *)mod;
	struct module___v64 *v64 = (void *)mod;
	struct module_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	e->state = BPF_CORE_READ(mod, state);
	e->coming = e->state == bpf_core_enum_value(enum module_state, MODULE_STATE_COMING);
	e->taints = BPF_CORE_READ(mod, taints);
	e->num_syms = BPF_CORE_READ(mod, num_syms);
	if (bpf_core_field_exists(mod->sig_ok))
		e->sig_ok = BPF_CORE_READ(mod, sig_ok);
	if (bpf_core_field_exists(v64->mem))
		e->core_size = BPF_CORE_READ(v64, mem[0].size);
	else
		e->core_size = BPF_CORE_READ(v63, core_layout.size);
	e->unloading = unloading;
	BPF_CORE_READ_STR_INTO(&e->name, mod, name);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("kprobe/do_init_module")
int BPF_KPROBE(do_init_module, struct module *mod)
{
	return report(mod, 0);
}

SEC("kprobe/free_module")
int BPF_KPROBE(free_module, struct module *mod)
{
	return report(mod, 1);
}

char LICENSE[] SEC("license") = "GPL";
