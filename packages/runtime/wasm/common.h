/*
 * What the decoder's parts (index.c, data.c) share: fixed-size types, the bump allocator over the module's linear
 * memory (memory.c), copies and varints. No C library: the module is built with -nostdlib.
 */
typedef unsigned char u8;
typedef unsigned int u32;
typedef int i32;
typedef unsigned long long u64;

/** `bytes` of fresh memory (8-aligned), or 0 when the memory cannot grow that far. */
void *grab(u64 bytes);

/** Where the allocator is now: heap_release(mark) frees everything allocated after it. */
u32 heap_mark(void);

/** Frees everything allocated since `mark` (from heap_mark). */
void heap_release(u32 mark);

/** Copies `n` bytes (memory.copy). */
static inline void copy(u8 *to, const u8 *from, u32 n) { __builtin_memmove(to, from, n); }

/**
 * The unsigned LEB128 varint of at most 5 bytes at `bytes[*p]` (the form of counts and sizes), its end in `*p`; ~0
 * when it runs past `end` or is longer. The value may exceed 32 bits: the caller checks its range.
 */
static inline u64 read_varint(const u8 *bytes, u32 *p, u32 end) {
  u64 v = 0;
  for (u32 shift = 0; shift <= 28; shift += 7) {
    if (*p >= end) return ~0ull;
    u8 b = bytes[(*p)++];
    v |= (u64)(b & 0x7f) << shift;
    if (b < 0x80) return v;
  }
  return ~0ull;
}

/**
 * A count as the JavaScript ByteReader.count reads it: a varint of at most 32 bits, at most `max`; ~0 otherwise
 * (`max` is what is left before the varint is read, when the count bounds what follows).
 */
static inline u64 read_count(const u8 *bytes, u32 *p, u32 end, u64 max) {
  u64 v = read_varint(bytes, p, end);
  return v > 0xffffffffull || v > max ? ~0ull : v;
}

#define EXPORT(name) __attribute__((export_name(#name)))

/*
 * A function kept apart, never inlined: V8 recompiles a WebAssembly function with its optimizing compiler once the
 * loops in it have run long enough (a 180-release group's decoding inlined into find(), one function holding a
 * whole blob's rebuild), which costs milliseconds of CPU and, on a busy machine, stalls a first lookup; small
 * functions, each with a share of the work, stay below that point.
 */
#define APART __attribute__((noinline)) static
