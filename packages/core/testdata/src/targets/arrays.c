/* Target for edge/arrays.bpf.o, bug7_flex_array.bpf.o, err_array_signed.bpf.o. */
struct elem { int pad; int x; };
struct arr_s {
	long pad0;
	struct elem arr[4];
	int m[3][5];
	int small[3];                     /* locally 5: index 4 is out of range here */
	unsigned short ids[8];
};
struct fa { int n; long pad; int data[]; };    /* flexible array as last member */
struct zl { int a; int marker[0]; int b; int c; }; /* zero-length array NOT last (4.12 #7) */
struct pa { long pad; int x; };                 /* pointer used as array: p[3].x */

struct arr_s g_arr_s;
struct fa g_fa;
struct zl g_zl;
struct pa g_pa;
