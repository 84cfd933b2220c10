/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the agent corpus: the helpers every tracing tool of an agent repeats (task identity,
 * cgroup id, namespaces, file names), and the "flavor" structs (name___suffix) that describe the
 * layouts fields had on other kernels, so that one object relocates on old and new kernels alike.
 * Being static inline, each object that uses a helper carries its own copy of the relocations.
 */
#ifndef AGENT_H
#define AGENT_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#define TASK_COMM_LEN 16
#define NAME_LEN 64

/* task_struct::state, a long until 5.14 (renamed __state, an unsigned int, since). */
struct task_struct___o {
	volatile long state;
} __attribute__((preserve_access_index));

/* inode timestamps: timespec64 __i_ctime in 6.6-6.10, split into seconds/nanoseconds since 6.11. */
struct inode___v66 {
	struct timespec64 __i_ctime;
} __attribute__((preserve_access_index));

struct inode___v611 {
	time64_t i_ctime_sec;
	u32 i_ctime_nsec;
	time64_t i_mtime_sec;
} __attribute__((preserve_access_index));

/* mm_struct::rss_stat: struct mm_rss_stat until 6.1, an array of percpu_counter since 6.2. */
struct mm_struct___v62 {
	struct percpu_counter rss_stat[4];
} __attribute__((preserve_access_index));

/* inet_sock's 1-bit flags became bits of inet_flags in 6.6. */
struct inet_sock___v66 {
	unsigned long inet_flags;
} __attribute__((preserve_access_index));

/* Every event starts with the identity of the task that caused it. */
struct event_header {
	__u64 ts;
	__u64 cgroup_id;
	__u32 pid;
	__u32 tid;
	__u32 ppid;
	__u32 uid;
	__u32 mnt_ns;
	__u32 pid_ns;
	char comm[TASK_COMM_LEN];
};

static __always_inline struct task_struct *current_task(void)
{
	return (struct task_struct *)bpf_get_current_task();
}

static __always_inline long task_state(struct task_struct *task)
{
	struct task_struct___o *old = (void *)task;

	if (bpf_core_field_exists(task->__state))
		return BPF_CORE_READ(task, __state);
	return BPF_CORE_READ(old, state);
}

static __always_inline __u32 task_ppid(struct task_struct *task)
{
	return BPF_CORE_READ(task, real_parent, tgid);
}

static __always_inline __u32 task_mnt_ns(struct task_struct *task)
{
	return BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
}

static __always_inline __u32 task_pid_ns(struct task_struct *task)
{
	return BPF_CORE_READ(task, nsproxy, pid_ns_for_children, ns.inum);
}

/* The task's pid as seen from its own pid namespace (upid of the deepest level). */
static __always_inline __u32 task_vpid(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up;

	bpf_core_read(&up, sizeof(up), &pid->numbers[level & 7]);
	return up.nr;
}

static __always_inline void fill_header(struct event_header *h, struct task_struct *task)
{
	__u64 id = bpf_get_current_pid_tgid();

	h->ts = bpf_ktime_get_ns();
	h->cgroup_id = bpf_get_current_cgroup_id();
	h->pid = id >> 32;
	h->tid = (__u32)id;
	h->ppid = task_ppid(task);
	h->uid = BPF_CORE_READ(task, cred, uid.val);
	h->mnt_ns = task_mnt_ns(task);
	h->pid_ns = task_pid_ns(task);
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

static __always_inline const unsigned char *dentry_name(struct dentry *d)
{
	return BPF_CORE_READ(d, d_name.name);
}

static __always_inline const unsigned char *file_name(struct file *f)
{
	return BPF_CORE_READ(f, f_path.dentry, d_name.name);
}

static __always_inline __s64 inode_ctime_sec(struct inode *inode)
{
	struct inode___v66 *v66 = (void *)inode;
	struct inode___v611 *v611 = (void *)inode;

	if (bpf_core_field_exists(v611->i_ctime_sec))
		return BPF_CORE_READ(v611, i_ctime_sec);
	if (bpf_core_field_exists(v66->__i_ctime))
		return BPF_CORE_READ(v66, __i_ctime.tv_sec);
	return BPF_CORE_READ(inode, i_ctime.tv_sec);
}

#endif /* AGENT_H */
