import type { Btf } from '../btf/btf.js';

/**
 * libbpf bpf_core_essential_name_len: length of `name` without its last `___flavor` suffix (spec §3.1).
 * `task_struct___old` → 11; `a___b___c` → 5; `foo____bar` (four underscores) has no flavor.
 */
export function essentialNameLength(name: string): number {
  const n = name.length;
  for (let i = n - 5; i >= 0; i--) {
    if (
      name.charCodeAt(i) !== 0x5f &&
      name.charCodeAt(i + 1) === 0x5f &&
      name.charCodeAt(i + 2) === 0x5f &&
      name.charCodeAt(i + 3) === 0x5f &&
      name.charCodeAt(i + 4) !== 0x5f
    ) {
      return i + 1;
    }
  }
  return n;
}

/** `name` without its flavor suffix. */
export function essentialName(name: string): string {
  return name.slice(0, essentialNameLength(name));
}

/** libbpf bpf_core_names_match (TYPE_MATCHES): an empty target name only matches an empty local name. */
export function namesMatch(local: string, target: string): boolean {
  if (target === '') return local === '';
  return essentialName(local) === essentialName(target);
}

const UNDERSCORE = 0x5f;

/**
 * Whether the essential name of the string at offset `off` of `btf` is `essential` (a latin1 JS string), compared
 * on the bytes without decoding.
 */
export function essentialNameIs(btf: Btf, off: number, essential: string): boolean {
  if (!btf.isValidStringOffset(off)) btf.string(off); // throws the out-of-range FormatError
  const { bytes, strStart } = btf.typeTable();
  const start = strStart + off;
  if (essentialLengthAt(bytes, start) !== essential.length) return false;
  for (let i = 0; i < essential.length; i++) if (bytes[start + i] !== essential.charCodeAt(i)) return false;
  return true;
}

/**
 * {@link essentialNameLength} of the NUL-terminated byte string at `bytes[start]` (whose bytes are its latin1
 * characters), without decoding it.
 */
export function essentialLengthAt(bytes: Uint8Array, start: number): number {
  let end = start;
  while (end < bytes.length && bytes[end] !== 0) end++;
  for (let i = end - 5; i >= start; i--) {
    if (
      bytes[i] !== UNDERSCORE &&
      bytes[i + 1] === UNDERSCORE &&
      bytes[i + 2] === UNDERSCORE &&
      bytes[i + 3] === UNDERSCORE &&
      bytes[i + 4] !== UNDERSCORE
    ) {
      return i + 1 - start;
    }
  }
  return end - start;
}

/**
 * A key of the first four bytes (fewer when it is shorter) of the essential name of the NUL-terminated byte string
 * at `bytes[start]`, little-endian packed; never 0 for a non-empty name. Equal essential names have equal keys
 * Reads four bytes for most names: only a flavor
 * separator `x___y` starting in the first three bytes can make the essential name shorter than four bytes, and
 * that needs `_` as fourth byte and as third or fifth; only then is the whole name scanned.
 */
export function essentialPrefixKey(bytes: Uint8Array, start: number): number {
  const b0 = bytes[start] as number;
  const b1 = bytes[start + 1] as number;
  if (b0 === 0 || b1 === 0) return b0;
  const b2 = bytes[start + 2] as number;
  if (b2 === 0) return b0 | (b1 << 8);
  const b3 = bytes[start + 3] as number;
  if (b3 === 0) return b0 | (b1 << 8) | (b2 << 16);
  if (b3 === UNDERSCORE && (b2 === UNDERSCORE || bytes[start + 4] === UNDERSCORE)) {
    const essential = essentialLengthAt(bytes, start);
    if (essential < 4) return prefixKey(bytes, start, essential);
  }
  return b0 | (b1 << 8) | (b2 << 16) | (b3 << 24);
}

/** The first `min(4, length)` bytes at `bytes[start]`, little-endian packed: {@link essentialPrefixKey}'s key. */
export function prefixKey(bytes: Uint8Array, start: number, length: number): number {
  let key = 0;
  for (let i = 0; i < 4 && i < length; i++) key |= (bytes[start + i] as number) << (8 * i);
  return key;
}
