/* Target for edge/enums.bpf.o (also built big-endian). */
enum en { EN_A = 1, EN_B = 2, EN_NEG = -5, EN_EXTRA = 9 };
typedef enum { TDE_A = 10, TDE_B = 20 } tde_t;        /* anonymous enum behind a typedef */
enum e64u { E64U_SMALL = 3, E64U_BIG = 0x123456789ULL }; /* ENUM64, unsigned > 2^32 */
enum e64s { E64S_NEG = -0x100000000LL, E64S_POS = 1 };   /* ENUM64, signed negative */

enum en g_en;
tde_t g_tde;
enum e64u g_e64u;
enum e64s g_e64s;
