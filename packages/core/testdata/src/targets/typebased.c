/* Target for edge/typebased.bpf.o, err_fwd_pointee.bpf.o, bug9_pointer_size.bpf.o. */
struct ts { int a; long b; };
union tu { int a; long b; };
enum te { TE_A, TE_B };
typedef struct ts ts_t;
typedef struct { int x; int y; } tanon_t;
struct tp_pointee { int v; long w; };
typedef struct tp_pointee *tsp_t;                 /* pointee must be kept */
typedef void *tvoidp_t;
typedef int (*tfn_t)(struct ts *, int);
typedef int tarr_t[7];
typedef const volatile struct ts cvts_t;
typedef int s32_t;
struct opaque_fwd;                                /* FWD only */
typedef struct opaque_fwd *opaque_ptr_t;
struct ptrs { struct ts *p; long l; };

struct ts g_ts;
union tu g_tu;
enum te g_te;
ts_t g_ts_t;
tanon_t g_tanon;
tsp_t g_tsp;
tvoidp_t g_tvoidp;
tfn_t g_tfn;
tarr_t g_tarr;
cvts_t g_cvts;
opaque_ptr_t g_opaque;
struct ptrs g_ptrs;
s32_t g_s32;
