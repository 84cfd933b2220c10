// SPDX-License-Identifier: Apache-2.0
/*
 * Small CO-RE object used to test the oracle helpers themselves (test/oracle).
 * It exercises every relocation class against a real kernel BTF: field offsets
 * through pointer chains, bitfields, field existence of a missing field
 * (poison/0), enum values, type ids, type existence/size/matches, a missing
 * struct, a `?` section (autoload off by default), a .text subprogram and
 * direct loads (LDX/ST/STX patching, load width adjustment and its refusal).
 * Local types are declared with preserve_access_index instead of vmlinux.h.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

struct list_head {
	struct list_head *next, *prev;
} __attribute__((preserve_access_index));

struct mm_struct {
	unsigned long task_size;
} __attribute__((preserve_access_index));

struct file {
	unsigned int f_flags;
} __attribute__((preserve_access_index));

struct task_struct {
	int pid;
	int tgid;
	struct task_struct *real_parent;
	struct mm_struct *mm;
	struct list_head children;
	char comm[16];
	unsigned int flags;
	int field_that_does_not_exist;
} __attribute__((preserve_access_index));

/* Same kernel struct through a flavor with different field widths: direct loads
 * of these fields get LDX relocations, a load width change (unsigned long vs
 * the kernel's unsigned int flags) and a refused one (signed long vs pid_t). */
struct task_struct___wide {
	long tgid;
	unsigned long flags;
} __attribute__((preserve_access_index));

struct sock_common {
	unsigned char skc_reuse : 4;
	unsigned char skc_reuseport : 1;
	unsigned short skc_family;
} __attribute__((preserve_access_index));

struct sock {
	struct sock_common __sk_common;
	unsigned int sk_protocol : 8;
} __attribute__((preserve_access_index));

struct struct_that_does_not_exist_anywhere {
	int x;
} __attribute__((preserve_access_index));

enum pid_type {
	PIDTYPE_PID,
	PIDTYPE_TGID,
	PIDTYPE_PGID,
	PIDTYPE_SID,
	PIDTYPE_MAX,
	PIDTYPE_NOT_IN_KERNEL,
};

enum bpf_map_type___local {
	BPF_MAP_TYPE_HASH___local = 1,
	BPF_MAP_TYPE_RINGBUF___local = 27,
};

typedef int pid_t;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} results SEC(".maps");

static __always_inline void put(__u32 slot, __u64 v)
{
	__u64 *p = bpf_map_lookup_elem(&results, &slot);

	if (p)
		*p += v;
}

__attribute__((noinline)) int subprog_parent_pid(struct task_struct *t)
{
	return BPF_CORE_READ(t, real_parent, pid);
}

SEC("kprobe/do_nanosleep")
int probe_fields(void *ctx)
{
	struct task_struct *t = (void *)bpf_get_current_task();
	__u64 acc = 0;

	acc += BPF_CORE_READ(t, tgid);
	acc += BPF_CORE_READ(t, mm, task_size);
	acc += (__u64)BPF_CORE_READ(t, children.next);
	acc += bpf_core_field_size(t->comm);
	acc += bpf_core_field_offset(t->comm[3]);
	acc += bpf_core_field_exists(t->field_that_does_not_exist);
	if (bpf_core_field_exists(t->field_that_does_not_exist))
		acc += BPF_CORE_READ(t, field_that_does_not_exist);
	acc += subprog_parent_pid(t);
	put(0, acc);
	return 0;
}

SEC("kprobe/tcp_v4_connect")
int probe_bitfields(void *ctx)
{
	struct sock *sk = (void *)bpf_get_current_task();
	__u64 acc = 0;

	acc += BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol);
	acc += BPF_CORE_READ_BITFIELD_PROBED(&sk->__sk_common, skc_reuseport);
	acc += __builtin_preserve_field_info(sk->__sk_common.skc_family, BPF_FIELD_SIGNED);
	put(0, acc);
	return 0;
}

SEC("?kprobe/do_nanosleep")
int probe_types(void *ctx)
{
	__u64 acc = 0;

	acc += bpf_core_type_id_kernel(struct task_struct);
	acc += bpf_core_type_id_local(struct task_struct);
	acc += bpf_core_type_exists(struct task_struct);
	acc += bpf_core_type_exists(struct struct_that_does_not_exist_anywhere);
	acc += bpf_core_type_size(struct task_struct);
	acc += bpf_core_type_size(pid_t);
	acc += bpf_core_type_matches(struct list_head);
	acc += bpf_core_enum_value_exists(enum pid_type, PIDTYPE_SID);
	acc += bpf_core_enum_value(enum pid_type, PIDTYPE_MAX);
	acc += bpf_core_enum_value(enum pid_type, PIDTYPE_NOT_IN_KERNEL);
	acc += bpf_core_enum_value_exists(enum bpf_map_type___local, BPF_MAP_TYPE_RINGBUF___local);
	put(0, acc);
	return 0;
}

SEC("?tp_btf/sched_switch")
int probe_direct(__u64 *ctx)
{
	struct task_struct *t = (void *)ctx[1];
	struct task_struct___wide *w = (void *)ctx[2];

	return t->pid + t->flags + w->flags + w->tgid;
}

char LICENSE[] SEC("license") = "GPL";
