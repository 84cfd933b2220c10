// SPDX-License-Identifier: GPL-2.0
/* Error: FIELD_SIGNED on an array element ("can't be applied to array access").
 * Target: targets/arrays.o. */
#include "common.h"

struct arr_s { unsigned short ids[4]; } PAI;

SEC("raw_tp/sys_enter")
int array_signed(void *ctx)
{
	out[0] = FIELD_SIGNED(((struct arr_s *)ctx)->ids[1]);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
