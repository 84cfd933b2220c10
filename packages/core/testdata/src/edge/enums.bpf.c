// SPDX-License-Identifier: GPL-2.0
/* Enums (docs/verification.md#edge-case-corpus): ENUMVAL_EXISTS / ENUMVAL_VALUE on a named enum and on an anonymous enum
 * behind a typedef, negative 32-bit value (sign extension), ENUM64 unsigned > 2^32 and signed
 * negative, missing enumerator (EXISTS 0, VALUE poisoned), enum kept whole in the output.
 * Target: targets/enums.o. */
#include "common.h"

enum en { EN_A, EN_B, EN_NEG = -1, EN_GONE };
typedef enum { TDE_A, TDE_B } tde_t;
enum e64u { E64U_BIG = 0x100000000ULL };
enum e64s { E64S_NEG = -0x100000001LL };

SEC("raw_tp/sys_enter")
int enums(void *ctx)
{
	out[0] = bpf_core_enum_value(enum en, EN_B);
	out[1] = bpf_core_enum_value(enum en, EN_NEG);
	out[2] = bpf_core_enum_value_exists(enum en, EN_GONE);
	out[3] = bpf_core_enum_value(enum en, EN_GONE);      /* poisoned */
	out[4] = bpf_core_enum_value(tde_t, TDE_B);
	out[5] = bpf_core_enum_value(enum e64u, E64U_BIG);
	out[6] = bpf_core_enum_value(enum e64s, E64S_NEG);
	out[7] = bpf_core_enum_value_exists(enum e64s, E64S_NEG);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
