// SPDX-License-Identifier: GPL-2.0
// Page faults per process and mapping: handle_mm_fault with the VMA's kind (anonymous, file,
// stack), fault flags compared through enum fault_flag, and major-fault results (vm_fault_reason).
#include "agent.h"

struct fault_key {
	__u32 pid;
	__u32 kind; /* 0 anon, 1 file, 2 stack */
};

struct fault_val {
	__u64 faults;
	__u64 writes;
	__u64 user;
	__u64 major;
	__u64 retries;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct fault_key);
	__type(value, struct fault_val);
} faults SEC(".maps");

SEC("fexit/handle_mm_fault")
int BPF_PROG(handle_mm_fault, struct vm_area_struct *vma, unsigned long address, unsigned int flags,
	     struct pt_regs *regs, vm_fault_t ret)
{
	struct fault_key key = { .pid = bpf_get_current_pid_tgid() >> 32 };
	struct fault_val zero = {}, *v;
	struct mm_struct *mm = BPF_CORE_READ(vma, vm_mm);

	if (BPF_CORE_READ(vma, vm_file))
		key.kind = 1;
	else if (BPF_CORE_READ(vma, vm_start) <= BPF_CORE_READ(mm, start_stack) &&
		 BPF_CORE_READ(mm, start_stack) < BPF_CORE_READ(vma, vm_end))
		key.kind = 2;
	v = bpf_map_lookup_elem(&faults, &key);
	if (!v) {
		bpf_map_update_elem(&faults, &key, &zero, BPF_NOEXIST);
		v = bpf_map_lookup_elem(&faults, &key);
		if (!v)
			return 0;
	}
	v->faults++;
	if (flags & bpf_core_enum_value(enum fault_flag, FAULT_FLAG_WRITE))
		v->writes++;
	if (flags & bpf_core_enum_value(enum fault_flag, FAULT_FLAG_USER))
		v->user++;
	if (ret & bpf_core_enum_value(enum vm_fault_reason, VM_FAULT_MAJOR))
		v->major++;
	if (ret & bpf_core_enum_value(enum vm_fault_reason, VM_FAULT_RETRY))
		v->retries++;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
