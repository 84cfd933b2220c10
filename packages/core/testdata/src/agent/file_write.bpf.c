// SPDX-License-Identifier: GPL-2.0
// Write accounting (filetop-like): vfs_read/vfs_write per inode, with the file's type and
// position, aggregated in a hash map keyed by device and inode.
#include "agent.h"

struct file_key {
	__u64 ino;
	__u32 dev;
	__u32 pid;
};

struct file_stat {
	__u64 reads;
	__u64 writes;
	__u64 read_bytes;
	__u64 write_bytes;
	__u64 pos;
	__u32 mode;
	__u32 is_pipe;
	char name[32];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 10240);
	__type(key, struct file_key);
	__type(value, struct file_stat);
} stats SEC(".maps");

static __always_inline int account(struct file *file, size_t count, int is_write)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	struct file_key key = {};
	struct file_stat zero = {}, *st;

	key.ino = BPF_CORE_READ(inode, i_ino);
	key.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	key.pid = bpf_get_current_pid_tgid() >> 32;
	st = bpf_map_lookup_elem(&stats, &key);
	if (!st) {
		zero.mode = BPF_CORE_READ(inode, i_mode);
		zero.is_pipe = BPF_CORE_READ(inode, i_pipe) != 0;
		bpf_probe_read_kernel_str(zero.name, sizeof(zero.name), file_name(file));
		bpf_map_update_elem(&stats, &key, &zero, BPF_ANY);
		st = bpf_map_lookup_elem(&stats, &key);
		if (!st)
			return 0;
	}
	st->pos = BPF_CORE_READ(file, f_pos);
	if (is_write) {
		st->writes++;
		st->write_bytes += count;
	} else {
		st->reads++;
		st->read_bytes += count;
	}
	return 0;
}

SEC("fentry/vfs_read")
int BPF_PROG(vfs_read_entry, struct file *file, char *buf, size_t count)
{
	return account(file, count, 0);
}

SEC("fentry/vfs_write")
int BPF_PROG(vfs_write_entry, struct file *file, const char *buf, size_t count)
{
	return account(file, count, 1);
}

char LICENSE[] SEC("license") = "GPL";
