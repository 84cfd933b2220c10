import { type Btf, latin1At } from '../btf/btf.js';

const UNDERSCORE = 0x5f;

/**
 * libbpf bpf_core_essential_name_len on a name of `length` characters whose character codes `code` gives: the
 * length without the last `x___y` flavor suffix (a `_` run of exactly three between two other characters).
 */
function essentialLengthOf(length: number, code: (i: number) => number): number {
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
 * libbpf bpf_core_essential_name_len: length of `name` without its last `___flavor` suffix (docs/core-relocations.md#essential-names-and-flavors).
 * `task_struct___old` → 11; `a___b___c` → 5; `foo____bar` (four underscores) has no flavor.
 */
export function essentialNameLength(name: string): number {
  return essentialLengthOf(name.length, (i) => name.charCodeAt(i));
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

/**
 * Whether the essential name of the string at offset `off` of `btf` is `essential` (a latin1 JS string), compared
 * on the bytes without decoding.
 */
export function essentialNameIs(btf: Btf, off: number, essential: string): boolean {
  const start = btf.stringStart(off);
  return essentialLengthAt(btf.bytes, start) === essential.length && latin1At(btf.bytes, start, essential);
}

/**
 * {@link essentialNameLength} of the NUL-terminated byte string at `bytes[start]` (whose bytes are its latin1
 * characters), without decoding it.
 */
export function essentialLengthAt(bytes: Uint8Array, start: number): number {
  let end = start;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return essentialLengthOf(end - start, (i) => bytes[start + i] as number);
}

/**
 * A key of the first four bytes (fewer when it is shorter) of the essential name of the NUL-terminated byte string
 * at `bytes[start]` ({@link prefixKey}); never 0 for a non-empty name, and equal for equal essential names. Reads
 * four bytes for most names: only a flavor separator `x___y` starting in the first three bytes can make the
 * essential name shorter than four bytes, and that needs `_` as fourth byte and as third or fifth; only then is
 * the whole name scanned.
 */
export function essentialPrefixKey(bytes: Uint8Array, start: number): number {
  let length = 0;
  while (length < 4 && bytes[start + length] !== 0) length++;
  if (
    length === 4 &&
    bytes[start + 3] === UNDERSCORE &&
    (bytes[start + 2] === UNDERSCORE || bytes[start + 4] === UNDERSCORE)
  ) {
    length = Math.min(4, essentialLengthAt(bytes, start));
  }
  return prefixKey(bytes, start, length);
}

/** The first `min(4, length)` bytes at `bytes[start]`, little-endian packed: {@link essentialPrefixKey}'s key. */
export function prefixKey(bytes: Uint8Array, start: number, length: number): number {
  let key = 0;
  for (let i = 0; i < 4 && i < length; i++) key |= (bytes[start + i] as number) << (8 * i);
  return key;
}
