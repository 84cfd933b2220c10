/**
 * Mutated copies of real clang-built objects: the words of a `.BTF.ext` core_relo record or group header
 * rewritten in place in the ELF file (nothing moves, so the object keeps its code, symbols and every other
 * section). Little-endian objects only, which is what the testdata holds. Used by the tests of the records libbpf
 * skips or refuses (and by the oracle tests that load the mutated copies with libbpf and bpftool).
 */
import { readElf } from '../src/elf/elf.js';

/** Where one core_relo group and its records lie in an object file. */
export interface CoreReloGroupLayout {
  /** The group's section name (a `.BTF` string). */
  section: string;
  /** File offset of the group header: the section name's string offset, then the record count. */
  header: number;
  /** File offset of each record: insn_off, type_id, access_str_off, kind. */
  records: number[];
}

/** The core_relo groups of the object `bytes`, with file offsets, in file order. */
export function coreReloLayout(bytes: Uint8Array): CoreReloGroupLayout[] {
  const elf = readElf(bytes);
  const ext = elf.section('.BTF.ext');
  const btf = elf.section('.BTF');
  if (!ext || !btf) throw new Error('object without .BTF / .BTF.ext');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (at: number) => v.getUint32(at, true);
  const strings = btf.offset + u32(btf.offset + 4) + u32(btf.offset + 16);
  const cstr = (off: number) => Buffer.from(bytes.subarray(off, bytes.indexOf(0, off))).toString('latin1');
  let p = ext.offset + u32(ext.offset + 4) + u32(ext.offset + 24);
  const end = p + u32(ext.offset + 28);
  const recSize = u32(p);
  p += 4;
  const groups: CoreReloGroupLayout[] = [];
  while (p < end) {
    const group: CoreReloGroupLayout = { section: cstr(strings + u32(p)), header: p, records: [] };
    const count = u32(p + 4);
    p += 8;
    for (let i = 0; i < count; i++, p += recSize) group.records.push(p);
    groups.push(group);
  }
  return groups;
}

/** The file offset of the `.BTF` string `text` of the object `bytes` (its string offset inside `.BTF`). */
export function btfStringOffset(bytes: Uint8Array, text: string): number {
  const btf = readElf(bytes).section('.BTF');
  if (!btf) throw new Error('object without .BTF');
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const start = btf.offset + v.getUint32(btf.offset + 4, true) + v.getUint32(btf.offset + 16, true);
  const at = Buffer.from(bytes).indexOf(Buffer.from(`\0${text}\0`, 'latin1'), start) + 1 - start;
  if (at < 1 || at >= v.getUint32(btf.offset + 20, true)) throw new Error(`no .BTF string '${text}'`);
  return at;
}

/** A copy of `bytes` with each `[fileOffset, value]` written as a little-endian u32. */
export function patchU32(bytes: Uint8Array, edits: readonly (readonly [number, number])[]): Uint8Array {
  const out = bytes.slice();
  const v = new DataView(out.buffer);
  for (const [at, value] of edits) v.setUint32(at, value >>> 0, true);
  return out;
}
