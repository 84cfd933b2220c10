// SPDX-License-Identifier: GPL-2.0
// Unix socket connections (container runtime / docker.sock access): unix_stream_connect with the
// bound path of the peer, the peer credentials and the socket's state.
#include "agent.h"

struct unix_event {
	struct event_header h;
	__u64 peer_ino;
	__u32 state;
	__u32 peer_pid;
	__u32 peer_uid;
	__u32 addr_len;
	__u32 flags;
	char path[NAME_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

SEC("kprobe/unix_stream_connect")
int BPF_KPROBE(unix_stream_connect, struct socket *sock, struct sockaddr *uaddr, int addr_len, int flags)
{
	struct sockaddr_un *sun = (void *)uaddr;
	struct unix_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	e->state = BPF_CORE_READ(sock, state);
	e->addr_len = addr_len;
	e->flags = flags;
	bpf_probe_read_user_str(e->path, sizeof(e->path), sun->sun_path);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("fexit/unix_stream_connect")
int BPF_PROG(unix_stream_connect_exit, struct socket *sock, struct sockaddr *uaddr, int addr_len, int flags, int ret)
{
	struct unix_sock *u = (void *)BPF_CORE_READ(sock, sk);
	struct sock *peer = BPF_CORE_READ(u, peer);
	struct unix_event *e;

	if (ret != 0 || !peer)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	fill_header(&e->h, current_task());
	e->peer_pid = BPF_CORE_READ(peer, sk_peer_pid, numbers[0].nr);
	e->peer_uid = BPF_CORE_READ(peer, sk_peer_cred, euid.val);
	e->peer_ino = BPF_CORE_READ(u, path.dentry, d_inode, i_ino);
	e->state = BPF_CORE_READ(sock, state);
	bpf_probe_read_kernel_str(e->path, sizeof(e->path), BPF_CORE_READ(u, addr, name[0].sun_path));
	bpf_ringbuf_submit(e, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
