/* Target for edge/typetag_field.bpf.o, err_typetag_type.bpf.o, err_typetag_match.bpf.o:
 * type-tagged pointers as clang >= 15 emits them, PTR -> TYPE_TAG("rcu") -> STRUCT. */
#define __rcu __attribute__((btf_type_tag("rcu")))
struct tt_inner { int v; long w; };
struct tt { int a; struct tt_inner __rcu *p; };
typedef struct tt_inner __rcu *tt_ptr_t;

struct tt g_tt;
tt_ptr_t g_tt_ptr;
