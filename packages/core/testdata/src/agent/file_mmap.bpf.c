// SPDX-License-Identifier: GPL-2.0
// Executable mappings (fileless-exec and injection detection): security_mmap_file and
// mprotect of VMAs, with the VMA's range, flags and backing file.
#include "agent.h"

struct mmap_event {
	struct event_header h;
	__u64 vm_start;
	__u64 vm_end;
	__u64 vm_flags;
	__u64 prot;
	__u64 ino;
	__u32 anon;
	__u32 nlink;
	char file[NAME_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("lsm/file_mprotect")
int BPF_PROG(file_mprotect, struct vm_area_struct *vma, unsigned long reqprot, unsigned long prot)
{
	struct file *file = BPF_CORE_READ(vma, vm_file);
	struct mmap_event *e;

	if (!(prot & 4)) /* PROT_EXEC */
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	e->vm_start = BPF_CORE_READ(vma, vm_start);
	e->vm_end = BPF_CORE_READ(vma, vm_end);
	e->vm_flags = BPF_CORE_READ(vma, vm_flags);
	e->anon = BPF_CORE_READ(vma, anon_vma) != 0;
	e->prot = prot;
	if (file) {
		e->ino = BPF_CORE_READ(file, f_inode, i_ino);
		e->nlink = BPF_CORE_READ(file, f_inode, __i_nlink);
		bpf_probe_read_kernel_str(e->file, sizeof(e->file), file_name(file));
	}
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("kprobe/security_mmap_file")
int BPF_KPROBE(security_mmap_file, struct file *file, unsigned long prot, unsigned long flags)
{
	struct mmap_event *e;

	if (!(prot & 4) || !file)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	e->prot = prot;
	e->vm_flags = flags;
	e->ino = BPF_CORE_READ(file, f_inode, i_ino);
	e->nlink = BPF_CORE_READ(file, f_inode, __i_nlink);
	bpf_probe_read_kernel_str(e->file, sizeof(e->file), file_name(file));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
