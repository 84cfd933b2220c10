/**
 * Mutated copies of real clang-built objects for the tests of the CO-RE records libbpf skips or refuses: words of a
 * `.BTF.ext` core_relo record or group header rewritten in place in the ELF file. Nothing moves, so the object
 * keeps its code, symbols and every other section, and libbpf and bpftool read it like the original. Offsets come
 * from the independent reader `elf-core-relos.ts` (little-endian ELF64 only, what the testdata holds).
 */
import { btfStringOffset, coreReloLayout } from './elf-core-relos.js';

/** A copy of `bytes` with each `[fileOffset, value]` written as a little-endian u32. */
export function patchU32(bytes: Uint8Array, edits: readonly (readonly [number, number])[]): Uint8Array {
  const out = bytes.slice();
  const v = new DataView(out.buffer);
  for (const [at, value] of edits) v.setUint32(at, value >>> 0, true);
  return out;
}

/** Byte offsets of the fields of a core_relo record. */
export const RECORD_FIELD = { insnOff: 0, typeId: 4, accessStrOff: 8, kind: 12 } as const;

/** `bytes` with field `field` of record `record` of core_relo group `group` set to `value`. */
export function withRecordField(
  bytes: Uint8Array,
  group: number,
  record: number,
  field: keyof typeof RECORD_FIELD,
  value: number,
): Uint8Array {
  const at = coreReloLayout(bytes)[group]?.records[record];
  if (at === undefined) throw new Error(`no core_relo record ${group}/${record}`);
  return patchU32(bytes, [[at + RECORD_FIELD[field], value]]);
}

/** `bytes` with core_relo group `group` naming the `.BTF` string `section` (which must exist) instead. */
export function withGroupSection(bytes: Uint8Array, group: number, section: string): Uint8Array {
  const at = coreReloLayout(bytes)[group]?.header;
  if (at === undefined) throw new Error(`no core_relo group ${group}`);
  return patchU32(bytes, [[at, section === '' ? 0 : btfStringOffset(bytes, section)]]);
}

/** `bytes` (a little-endian ELF64) with its symbol table turned into a plain SHT_PROGBITS section: no symbols. */
export function withoutSymbolTable(bytes: Uint8Array): Uint8Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = Number(v.getBigUint64(0x28, true));
  const shentsize = v.getUint16(0x3a, true);
  const shnum = v.getUint16(0x3c, true);
  const edits: [number, number][] = [];
  for (let i = 0; i < shnum; i++) {
    const type = shoff + i * shentsize + 4;
    if (v.getUint32(type, true) === 2) edits.push([type, 1]);
  }
  if (edits.length === 0) throw new Error('object without a symbol table');
  return patchU32(bytes, edits);
}
