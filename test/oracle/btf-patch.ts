/**
 * A deliberately tiny raw-BTF walker for the oracle tests: it locates member and enumerator
 * records and strings by name so tests can corrupt a reduced BTF in place and check that the
 * oracles notice. Independent of packages/core on purpose (it tests the oracle, not the
 * product). Little-endian, classic 24-byte header only.
 */

interface RawType {
  kind: number;
  name: string;
  vlen: number;
  /** Byte offset of the type's trailing data (after the 12-byte common header). */
  extra: number;
}

const decoder = new TextDecoder();

function walk(bytes: Uint8Array): RawType[] {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint16(0, true) !== 0xeb9f) throw new Error('not a little-endian raw BTF');
  const hdrLen = v.getUint32(4, true);
  const typeStart = hdrLen + v.getUint32(8, true);
  const typeEnd = typeStart + v.getUint32(12, true);
  const types: RawType[] = [];
  for (let p = typeStart; p < typeEnd; ) {
    const info = v.getUint32(p + 4, true);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    types.push({ kind, name: nameAt(bytes, v.getUint32(p, true)), vlen, extra: p + 12 });
    const perKind: Record<number, number> = { 1: 4, 3: 12, 4: 12 * vlen, 5: 12 * vlen, 6: 8 * vlen };
    Object.assign(perKind, { 13: 8 * vlen, 14: 4, 15: 12 * vlen, 17: 4, 19: 12 * vlen });
    p += 12 + (perKind[kind] ?? 0);
  }
  return types;
}

function nameAt(bytes: Uint8Array, off: number): string {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const strStart = v.getUint32(4, true) + v.getUint32(16, true);
  return decoder.decode(bytes.subarray(strStart + off, bytes.indexOf(0, strStart + off)));
}

/**
 * Returns a copy of `btf` where member `member` of struct/union `composite` has `delta` added
 * to its offset field (bit offset, or bitfield-encoded offset when kind_flag is set).
 * Throws if the member is not present.
 */
export function shiftMemberOffset(
  btf: Uint8Array,
  composite: string,
  member: string,
  delta: number,
): Uint8Array {
  const out = btf.slice();
  const v = new DataView(out.buffer);
  for (const t of walk(out)) {
    if ((t.kind !== 4 && t.kind !== 5) || t.name !== composite) continue;
    for (let i = 0; i < t.vlen; i++) {
      const m = t.extra + 12 * i;
      if (nameAt(out, v.getUint32(m, true)) === member) {
        v.setUint32(m + 8, v.getUint32(m + 8, true) + delta, true);
        return out;
      }
    }
  }
  throw new Error(`member ${composite}.${member} not found`);
}

/** Returns a copy of `btf` where enumerator `name` of (32-bit) enum `enumName` has `delta` added to its value. */
export function shiftEnumValue(btf: Uint8Array, enumName: string, name: string, delta: number): Uint8Array {
  const out = btf.slice();
  const v = new DataView(out.buffer);
  for (const t of walk(out)) {
    if (t.kind !== 6 || t.name !== enumName) continue;
    for (let i = 0; i < t.vlen; i++) {
      const e = t.extra + 8 * i;
      if (nameAt(out, v.getUint32(e, true)) === name) {
        v.setInt32(e + 4, v.getInt32(e + 4, true) + delta, true);
        return out;
      }
    }
  }
  throw new Error(`enumerator ${enumName}::${name} not found`);
}

/**
 * Returns a copy of `btf` where the string `name` is renamed (first byte → 'Z'), e.g. to make a needed
 * type missing: strings are unique in our outputs, so one byte changes one name. Throws if absent.
 */
export function renameString(btf: Uint8Array, name: string): Uint8Array {
  const out = btf.slice();
  const v = new DataView(out.buffer);
  const strStart = v.getUint32(4, true) + v.getUint32(16, true);
  const strEnd = strStart + v.getUint32(20, true);
  const needle = Buffer.from(`\0${name}\0`, 'latin1');
  const at = Buffer.from(out.buffer, strStart, strEnd - strStart).indexOf(needle);
  if (at < 0) throw new Error(`string ${name} not found`);
  out[strStart + at + 1] = 'Z'.charCodeAt(0);
  return out;
}
