/* Target for edge/modifiers.bpf.o: const/volatile/restrict chains around members and roots,
 * pointers, missing things, struct/union mixups. */
struct mod_inner { int v; };
struct mod_s {
	long pad;
	const volatile int cv;
	int *restrict rp;
	const struct mod_inner ci;
	volatile long vl;
};
typedef const volatile struct mod_s cvmod_t;

struct pm_b { int val; };
struct pm_d { long d; };
struct pm_um { int a; int b; };                   /* a union locally */
struct pm_a { struct pm_d *dp; struct pm_b *next; int x; struct pm_b emb; };
struct pm_c { struct pm_um m; int incompat; };    /* incompat: int here, struct locally */

struct mod_s g_mod_s;
cvmod_t g_cvmod;
struct pm_a g_pm_a;
struct pm_c g_pm_c;
