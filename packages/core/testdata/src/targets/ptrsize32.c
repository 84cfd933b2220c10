/* 32-bit target (docs/btfgen.md#fix-9-pointer-size), compiled for i386 with DWARF and converted to BTF by
 * `pahole -J`; the raw .BTF section is then extracted (targets/ptrsize32.btf), like a BTFHub
 * file of a 32-bit kernel: `long` is 4 bytes, pointers are 4 bytes. */
struct tp_pointee { int v; long w; };
typedef struct tp_pointee *tsp_t;
struct ts { int a; long b; };
struct ptrs { struct ts *p; long l; };

struct tp_pointee g_tp_pointee;
tsp_t g_tsp;
struct ts g_ts;
struct ptrs g_ptrs;
