/* The event exec-events.bpf.c writes into its ring buffer; src/libbpf.js mirrors this layout. */
#ifndef EXEC_EVENTS_H
#define EXEC_EVENTS_H

#define COMM_LEN 16
#define FILENAME_LEN 256

struct exec_event {
	__u32 pid;                  /* tgid of the process that called execve */
	__u32 ppid;                 /* tgid of its parent */
	__u32 uid;                  /* real uid */
	__u32 filename_len;         /* bytes of filename written, with the NUL */
	char comm[COMM_LEN];        /* task name after the exec */
	char filename[FILENAME_LEN]; /* path given to execve (linux_binprm.filename) */
};

#endif
