// SPDX-License-Identifier: GPL-2.0
// Slow file I/O (fileslower-like): kiocb-based reads and writes timed from entry to return,
// reported above a threshold with the file's size and the I/O's position and flags.
#include "agent.h"

const volatile __u64 min_ns = 10000000;

struct start_t {
	__u64 ts;
	struct kiocb *iocb;
	__u64 count;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct start_t);
} start SEC(".maps");

struct slow_event {
	struct event_header h;
	__u64 delta_ns;
	__u64 count;
	__s64 pos;
	__s64 size;
	__u32 ki_flags;
	__u32 iter_type;
	char file[NAME_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("kprobe/ext4_file_read_iter")
int BPF_KPROBE(read_iter_entry, struct kiocb *iocb, struct iov_iter *to)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct start_t s = { .ts = bpf_ktime_get_ns(), .iocb = iocb };

	s.count = BPF_CORE_READ(to, count);
	bpf_map_update_elem(&start, &tid, &s, 0);
	return 0;
}

SEC("kretprobe/ext4_file_read_iter")
int BPF_KRETPROBE(read_iter_return, long ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct start_t *s = bpf_map_lookup_elem(&start, &tid);
	struct slow_event *e;
	struct kiocb *iocb;
	struct file *file;
	__u64 delta;

	if (!s)
		return 0;
	delta = bpf_ktime_get_ns() - s->ts;
	if (delta < min_ns)
		goto out;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		goto out;
	fill_header(&e->h, current_task());
	iocb = s->iocb;
	file = BPF_CORE_READ(iocb, ki_filp);
	e->delta_ns = delta;
	e->count = s->count;
	e->pos = BPF_CORE_READ(iocb, ki_pos);
	e->ki_flags = BPF_CORE_READ(iocb, ki_flags);
	e->size = BPF_CORE_READ(file, f_inode, i_size);
	bpf_probe_read_kernel_str(e->file, sizeof(e->file), file_name(file));
	bpf_ringbuf_submit(e, 0);
out:
	bpf_map_delete_elem(&start, &tid);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
