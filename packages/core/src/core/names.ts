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

function fnv1a(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193);
  return h >>> 0;
}

/**
 * A 32-bit hash of the essential name (spec §3.1) of the NUL-terminated byte string at `bytes[start]`, computed
 * on the bytes without decoding them, in one pass: the hash is kept at the last `x___y` flavor boundary seen.
 * {@link hashName} of the essential name, as a JS string, gives the same value.
 */
export function hashEssentialName(bytes: Uint8Array, start: number): number {
  let h = 0x811c9dc5;
  let atBoundary = -1;
  const n = bytes.length;
  for (let i = start; i < n; i++) {
    const b = bytes[i] as number;
    if (b === 0) break;
    h = Math.imul(h ^ b, 0x01000193);
    if (
      b !== 0x5f &&
      bytes[i + 1] === 0x5f &&
      bytes[i + 2] === 0x5f &&
      bytes[i + 3] === 0x5f &&
      bytes[i + 4] !== 0x5f &&
      bytes[i + 4] !== 0 &&
      i + 4 < n
    ) {
      atBoundary = h;
    }
  }
  return (atBoundary === -1 ? h : atBoundary) >>> 0;
}

/** The hash {@link hashEssentialName} uses, of a whole (latin1) JS string. */
export function hashName(name: string): number {
  const bytes = Buffer.from(name, 'latin1');
  return fnv1a(bytes, 0, bytes.length);
}
