/* Target for edge/flavors.bpf.c: flavor handling on both sides (docs/core-relocations.md#essential-names-and-flavors, 5.4 "flavors"). */
struct flv { int a; int b; long c; };
struct tflv___x { int pad; int q; };           /* target-side flavor: local `tflv` finds it */
struct four____u { int pad; int z; };          /* four underscores: no flavor */
struct four { long pad; int z; };              /* distinct type; must not be confused with four____u */
enum flv_e { FE_A = 5, FE_B = 6 };
struct flv_m { int pad; int m; };              /* member `m`: local `m___x` does not match it */
struct flv_tm { int pad; int m; };             /* TYPE_MATCHES strips member flavors */

struct flv g_flv;
struct tflv___x g_tflv;
struct four____u g_four_u;
struct four g_four;
enum flv_e g_flv_e;
struct flv_m g_flv_m;
struct flv_tm g_flv_tm;
