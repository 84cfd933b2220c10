/* The decoder's memory: a bump allocator over the module's linear memory, grown on demand. */
#include "common.h"

#define PAGE 65536u

extern u8 __heap_base;
static u32 heap_top = 0;

void *grab(u64 bytes) {
  if (heap_top == 0) heap_top = (u32)&__heap_base;
  u32 at = (heap_top + 7u) & ~7u;
  if (bytes > 0xffffffffull - at) return 0;
  u32 top = at + (u32)bytes;
  u32 have = (u32)__builtin_wasm_memory_size(0) * PAGE;
  if (top > have) {
    u32 pages = (top - have + PAGE - 1) / PAGE;
    if (__builtin_wasm_memory_grow(0, pages) == (unsigned long)-1) return 0;
  }
  heap_top = top;
  return (void *)at;
}

u32 heap_mark(void) { return heap_top; }

void heap_release(u32 mark) { heap_top = mark; }

/** `length` bytes for the caller to fill (an index or a data section), or 0 when the memory cannot grow that far. */
EXPORT(reserve) u8 *reserve(u32 length) { return grab(length); }
