/* Target for edge/typematches.bpf.o, bug8_match_recursion.bpf.o. */
struct opq;                                       /* FWD only, behind a pointer */
enum tme { TME_A, TME_B, TME_C };                 /* one extra enumerator */
struct tm_inner { int i; };
struct tm_all {
	int i;
	unsigned long u;
	char *p;
	struct tm_inner in;
	struct tm_inner *pin;
	struct opq *po;
	int arr[4];
	enum tme e;
	union { int ua; long ub; };
	int (*fn)(struct tm_inner *, int);
	long extra;                               /* extra target member: still matches */
};
struct tm_float { float f; };
struct tm_intmis { long i; };                     /* int size mismatch */
struct tm_sign { unsigned int i; };               /* signedness mismatch */
struct rec { int x; void (*cb)(struct rec); };    /* 4.12 #8: fn pointer taking the struct by value */

struct tm_all g_tm_all;
struct tm_float g_tm_float;
struct tm_intmis g_tm_intmis;
struct tm_sign g_tm_sign;
struct rec g_rec;
