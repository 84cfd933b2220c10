/* Target for edge/anon.bpf.o and err_anon_root.bpf.o: fields moved into/out of anonymous
 * structs/unions, unnamed bitfield padding. */
struct an {
	union {
		struct { int x; };        /* x: top level locally, anon struct in anon union here */
		long l;
	};
	int :4;                           /* unnamed bitfield padding (anonymous non-composite member) */
	int y;
	struct { int q; int z; };         /* z moved into an anonymous struct */
};
struct an2 {
	int pad;
	union { int other; struct { long pad2; int deep; }; };
};
struct an3 {                          /* moved out of the anonymous member locally */
	int w;
	int v;
};

struct an g_an;
struct an2 g_an2;
struct an3 g_an3;
