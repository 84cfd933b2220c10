/* Target for edge/bitfields.bpf.o and err_bitfield_e2big.bpf.o (also built big-endian). */
enum bfe { BFE_A, BFE_B, BFE_C };
struct bf {
	unsigned int pad:2;
	unsigned int a:5;                 /* grew (3 -> 5) and moved */
	unsigned int b:5;                 /* signed locally, unsigned here */
	int plain;                        /* plain int read through BPF_CORE_READ_BITFIELD */
	enum bfe e:4;                     /* enum-typed bitfield */
	unsigned long long big:44;        /* u64 bitfield, grew 40 -> 44 */
};
struct bfs {                          /* straddles a u32 boundary: load size doubles to 8 */
	unsigned int p:30;
	unsigned int s:4;
} __attribute__((packed));
struct bfbig {                        /* bits 60..69: no single u64 load covers it (E2BIG) */
	unsigned long long p:60;
	unsigned long long s:10;
} __attribute__((packed));

struct bf g_bf;
struct bfs g_bfs;
struct bfbig g_bfbig;
