/**
 * Independent reader of an object's CO-RE relocation records, used to check that the libbpf harness reports
 * each of them exactly once, and to find the bytes to change in a mutated copy (`ext-patch.ts`). Reads a
 * little-endian ELF64 `.bpf.o` directly (section headers, `.BTF` strings, `.BTF.ext` core_relo subsection); no
 * validation beyond what the tests need.
 */
import { readFileSync } from 'node:fs';

/** One core_relo record identity: `.BTF.ext` group (section) name and index in the group. */
export interface CoreReloId {
  section: string;
  reloIndex: number;
  insnIndex: number;
  kind: number;
}

/** Where one core_relo group and its records lie in an object file. */
export interface CoreReloGroupLayout {
  /** The group's section name (a `.BTF` string). */
  section: string;
  /** File offset of the group header: the section name's string offset, then the record count. */
  header: number;
  /** File offset of each record: insn_off, type_id, access_str_off, kind. */
  records: number[];
}

/** The file offsets of `.BTF` and `.BTF.ext` of an object, and its little-endian reader. */
function btfSections(bytes: Uint8Array, name: string) {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.readUInt32BE(0) !== 0x7f454c46 || buf[4] !== 2 || buf[5] !== 1) {
    throw new Error(`${name}: not a little-endian ELF64 object`);
  }
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shoff = Number(v.getBigUint64(0x28, true));
  const shentsize = v.getUint16(0x3a, true);
  const shnum = v.getUint16(0x3c, true);
  const shstrndx = v.getUint16(0x3e, true);
  const sh = (i: number) => {
    const o = shoff + i * shentsize;
    return { name: v.getUint32(o, true), off: Number(v.getBigUint64(o + 24, true)) };
  };
  const cstr = (off: number) => buf.subarray(off, buf.indexOf(0, off)).toString('latin1');
  const shstr = sh(shstrndx).off;
  const sections = new Map<string, number>();
  for (let i = 0; i < shnum; i++) sections.set(cstr(shstr + sh(i).name), sh(i).off);
  const btf = sections.get('.BTF');
  const ext = sections.get('.BTF.ext');
  const u32 = (at: number) => v.getUint32(at, true);
  const strings =
    btf === undefined ? undefined : { start: btf + u32(btf + 4) + u32(btf + 16), len: u32(btf + 20) };
  return { buf, u32, cstr, strings, ext };
}

/** The core_relo groups of the object `bytes`, with file offsets, in file order (none without CO-RE records). */
export function coreReloLayout(bytes: Uint8Array, name = 'object'): CoreReloGroupLayout[] {
  const { u32, cstr, strings, ext } = btfSections(bytes, name);
  if (strings === undefined || ext === undefined) return [];
  const hdrLen = u32(ext + 4);
  if (hdrLen < 32 || u32(ext + 28) === 0) return [];
  let p = ext + hdrLen + u32(ext + 24);
  const end = p + u32(ext + 28);
  const recSize = u32(p);
  p += 4;
  const groups: CoreReloGroupLayout[] = [];
  while (p < end) {
    const group: CoreReloGroupLayout = { section: cstr(strings.start + u32(p)), header: p, records: [] };
    const count = u32(p + 4);
    p += 8;
    for (let i = 0; i < count; i++, p += recSize) group.records.push(p);
    groups.push(group);
  }
  return groups;
}

/** The string offset (inside `.BTF`'s string section) of the string `text` of the object `bytes`. */
export function btfStringOffset(bytes: Uint8Array, text: string): number {
  const { buf, strings } = btfSections(bytes, 'object');
  if (strings === undefined) throw new Error('object without .BTF');
  const at = buf.indexOf(Buffer.from(`\0${text}\0`, 'latin1'), strings.start) + 1 - strings.start;
  if (at < 1 || at >= strings.len) throw new Error(`no .BTF string '${text}'`);
  return at;
}

/**
 * Lists the core_relo records of `objectPath` in file order (empty if it has no `.BTF.ext`
 * CO-RE data). Throws for anything but a little-endian ELF64 file.
 */
export function listCoreRelos(objectPath: string): CoreReloId[] {
  const bytes = readFileSync(objectPath);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return coreReloLayout(bytes, objectPath).flatMap((g) =>
    g.records.map((p, reloIndex) => ({
      section: g.section,
      reloIndex,
      insnIndex: v.getUint32(p, true) / 8,
      kind: v.getUint32(p + 12, true),
    })),
  );
}
