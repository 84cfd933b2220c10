/* Target for edge/candidates.bpf.o, bug6_first_candidate.bpf.o, err_ambiguity.bpf.o,
 * err_type_id_ambiguity.bpf.o: duplicate same-named structs (as flavors, because candidate
 * lookup strips flavors on both sides), typedef roots, enum vs enum64. */
struct dup___a { int x; int y; };               /* identical duplicates */
struct dup___b { int x; int y; };
struct part___a { int a; };                     /* docs/btfgen.md#fix-6-every-matching-candidate: A matches both, B only part___b */
struct part___b { int a; int b; };
struct dupoff___a { int x; int y; };            /* same field, different offsets: ambiguity */
struct dupoff___b { int y; int x; };
typedef struct { int pad; int v; } tdroot_t;    /* typedef root of an anonymous struct */
enum e32 { E32_A = 0x100000001ULL };            /* ENUM64 in the target, ENUM locally */
enum e64 { E64_A = 7 };                         /* ENUM in the target, ENUM64 locally */

struct dup___a g_dup_a;
struct dup___b g_dup_b;
struct part___a g_part_a;
struct part___b g_part_b;
struct dupoff___a g_dupoff_a;
struct dupoff___b g_dupoff_b;
tdroot_t g_tdroot;
enum e32 g_e32;
enum e64 g_e64;
