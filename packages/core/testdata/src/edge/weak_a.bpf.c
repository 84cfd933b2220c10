// SPDX-License-Identifier: GPL-2.0
/* First input of weak_linked.bpf.o (see weak_get.h): its weak_get reads weak_shared.a and is the one the linker
 * keeps. */
#define WEAK_MEMBER a
#define WEAK_PROG weak_a
#define WEAK_SEC "raw_tp/sys_enter"
#define WEAK_OUT out[0]
#include "weak_get.h"

char LICENSE[] SEC("license") = "GPL";
