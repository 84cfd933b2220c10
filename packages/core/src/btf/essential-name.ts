// Essential names (docs/core-relocations.md#essential-names-and-flavors): a name without its last `x___y` flavor
// suffix. CO-RE looks up a local type's candidates by it; the record index hashes it for the candidate search.

const UNDERSCORE = 0x5f;

/**
 * libbpf bpf_core_essential_name_len on a name of `length` characters whose character codes `code` gives: the
 * length without the last `x___y` flavor suffix (a `_` run of exactly three between two other characters).
 */
export function essentialLengthOf(length: number, code: (i: number) => number): number {
  for (let i = length - 5; i >= 0; i--) {
    if (
      code(i) !== UNDERSCORE &&
      code(i + 1) === UNDERSCORE &&
      code(i + 2) === UNDERSCORE &&
      code(i + 3) === UNDERSCORE &&
      code(i + 4) !== UNDERSCORE
    ) {
      return i + 1;
    }
  }
  return length;
}

/**
 * {@link essentialLengthOf} the NUL-terminated byte string at `bytes[start]` (whose bytes are its latin1
 * characters), without decoding it.
 */
export function essentialLengthAt(bytes: Uint8Array, start: number): number {
  let end = start;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return essentialLengthOf(end - start, (i) => bytes[start + i] as number);
}

/**
 * A 32-bit hash (FNV-1a, never 0) of the essential name of the NUL-terminated byte string at `bytes[start]`:
 * equal essential names hash alike, so the candidate search compares names by it first. One pass without calls
 * (the record index hashes every struct, union, enum and typedef name, often before the JIT has optimized it):
 * the hash so far is noted at each flavor separator `x___y`, and the last one noted is the essential name's.
 */
export function essentialNameHash(bytes: Uint8Array, start: number): number {
  let hash = FNV_BASIS;
  let essentialHash = 0;
  let flavored = false;
  for (let i = start; ; i++) {
    const b = bytes[i] as number;
    if (b === 0) break;
    hash = Math.imul(hash ^ b, FNV_PRIME);
    if (
      b !== UNDERSCORE &&
      bytes[i + 1] === UNDERSCORE &&
      bytes[i + 2] === UNDERSCORE &&
      bytes[i + 3] === UNDERSCORE &&
      bytes[i + 4] !== UNDERSCORE &&
      bytes[i + 4] !== 0
    ) {
      essentialHash = hash;
      flavored = true;
    }
  }
  return (flavored ? essentialHash : hash) || 1;
}

/** The hash of {@link essentialNameHash} of the bytes `bytes[start .. end)`, a name that is its essential name. */
export function nameHash(bytes: Uint8Array, start: number, end: number): number {
  let hash = FNV_BASIS;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ (bytes[i] as number), FNV_PRIME);
  return hash || 1;
}

const FNV_BASIS = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
