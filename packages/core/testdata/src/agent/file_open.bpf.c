// SPDX-License-Identifier: GPL-2.0
// File opens (opensnoop-like): openat/openat2 syscall tracepoints for the path and flags, and
// the opened struct file at fexit of do_filp_open for inode, mode and mount.
#include "agent.h"

struct args_t {
	const char *fname;
	int flags;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, struct args_t);
} start SEC(".maps");

struct open_event {
	struct event_header h;
	__u64 ino;
	__u32 dev;
	__u32 flags;
	__u32 mode;
	__u32 f_flags;
	__s32 ret;
	char fname[NAME_LEN];
	char mnt_root[32];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_openat")
int enter_openat(struct trace_event_raw_sys_enter *ctx)
{
	struct args_t args = { .fname = (const char *)ctx->args[1], .flags = (int)ctx->args[2] };
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_update_elem(&start, &tid, &args, 0);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct args_t *ap = bpf_map_lookup_elem(&start, &tid);
	struct open_event *e;

	if (!ap)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (e) {
		fill_header(&e->h, current_task());
		e->ret = ctx->ret;
		e->flags = ap->flags;
		bpf_probe_read_user_str(e->fname, sizeof(e->fname), ap->fname);
		bpf_ringbuf_submit(e, 0);
	}
	bpf_map_delete_elem(&start, &tid);
	return 0;
}

SEC("fexit/do_filp_open")
int BPF_PROG(do_filp_open_exit, int dfd, struct filename *pathname, const struct open_flags *op, struct file *f)
{
	struct open_event *e;
	struct inode *inode;

	if ((long)f < 0 && (long)f > -4096)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	inode = BPF_CORE_READ(f, f_inode);
	e->ino = BPF_CORE_READ(inode, i_ino);
	e->mode = BPF_CORE_READ(inode, i_mode);
	e->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	e->f_flags = BPF_CORE_READ(f, f_flags);
	e->flags = BPF_CORE_READ(op, open_flag);
	bpf_probe_read_kernel_str(e->fname, sizeof(e->fname), BPF_CORE_READ(pathname, name));
	bpf_probe_read_kernel_str(e->mnt_root, sizeof(e->mnt_root), BPF_CORE_READ(f, f_path.mnt, mnt_root, d_name.name));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
