/* Target for the object-level cases: link_a/link_b/linked, weak_a/weak_b/weak_linked, funcinfo_only,
 * type_id_local_only, no_btf. */
struct shared { long pad; int a; int b; };
struct only_a { int x; };
struct weak_shared { long pad; int a; int b; };

struct shared g_shared;
struct only_a g_only_a;
struct weak_shared g_weak_shared;
