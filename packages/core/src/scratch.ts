/**
 * Scratch memory a batch lane reuses from kernel to kernel: `current` when it holds at least `length` elements,
 * else a new array of `length` or a quarter more than `current`, whichever is larger (so that a run of slightly
 * larger kernels does not reallocate each time). The contents are not kept.
 */
export function growScratch<T extends Uint8Array | Uint32Array>(
  current: T,
  length: number,
  make: (length: number) => T,
): T {
  return current.length >= length ? current : make(Math.max(length, Math.ceil(current.length * 1.25)));
}
