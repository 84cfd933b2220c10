// SPDX-License-Identifier: GPL-2.0
/* .BTF.ext with func_info and line_info but no CO-RE relocations: bpftool writes an empty
 * BTF (25 bytes). */
#include "common.h"

SEC("raw_tp/sys_enter")
int funcinfo_only(void *ctx)
{
	out[0] = bpf_get_current_pid_tgid();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
