/* Shared prelude for the edge-case objects: fixed-width types (no system headers, so the
 * objects don't depend on the host's multiarch include dirs), libbpf's CO-RE macros, and a
 * .bss array the programs store relocation results into so nothing is optimized away. */
#ifndef EDGE_COMMON_H
#define EDGE_COMMON_H
typedef signed char __s8;
typedef unsigned char __u8;
typedef short __s16;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u32 __wsum;
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#define PAI __attribute__((preserve_access_index))
#define __rcu __attribute__((btf_type_tag("rcu")))

#ifndef NO_OUT_ARRAY
__u64 out[64];
#endif
#define FIELD_SIGNED(field) __builtin_preserve_field_info(field, BPF_FIELD_SIGNED)
#endif
