/**
 * Test helpers for the core unit tests: byte-swapping a raw BTF to the other byte order (record by record),
 * re-emitting every type of a parsed BTF with the writer, building small BTFs by hand, and docs/verification.md#structural-invariants
 * structural invariants.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Btf } from '../src/btf/btf.js';
import { BTF_HEADER_LEN, BTF_MAGIC, KIND_LAYOUTS, Kind, packInfo, wordRole } from '../src/btf/format.js';
import { BtfWriter } from '../src/btf/writer.js';
import { readElf } from '../src/elf/elf.js';
import { type BpfObject, parseBpfObject } from '../src/object.js';

export const testdata = resolve(import.meta.dirname, '../testdata');
export const repoRoot = resolve(import.meta.dirname, '../../..');

/** The sample-snapshot kernel the unit tests use as their real kernel BTF (a .btf.tar.xz). */
export const referenceKernel = join(repoRoot, 'sample-snapshot/debian/12/x86_64/6.1.0-54-amd64.btf.tar.xz');

/** Parses `testdata/<name>` as a BPF object. */
export function fixture(name: string): BpfObject {
  const path = join(testdata, name);
  return parseBpfObject(new Uint8Array(readFileSync(path)), path);
}

/** Parses the `.BTF` of the synthetic target `testdata/targets/<name>` (an ELF without .BTF.ext). */
export function targetBtf(name: string): Btf {
  const path = join(testdata, 'targets', name);
  return Btf.parse(readElf(new Uint8Array(readFileSync(path))).sectionData('.BTF') as Uint8Array);
}

/**
 * Returns `btf` in the other byte order: the header's magic and u32 fields, and every 32-bit word of every
 * type record (record lengths from the parsed index, so a bad layout table would show up as a parse failure).
 * The string section is bytes and stays as is.
 */
export function byteSwapBtf(bytes: Uint8Array): Uint8Array {
  const src = Btf.parse(bytes);
  const le = src.littleEndian;
  const out = bytes.slice();
  const inV = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const outV = new DataView(out.buffer);
  outV.setUint16(0, inV.getUint16(0, le), !le);
  const hdrLen = inV.getUint32(4, le);
  for (let off = 4; off < hdrLen; off += 4) outV.setUint32(off, inV.getUint32(off, le), !le);
  const typeStart = hdrLen + inV.getUint32(8, le);
  let pos = typeStart;
  for (let id = 1; id < src.typeCount; id++) {
    const words = src.recordWordCount(id);
    for (let w = 0; w < words; w++, pos += 4) outV.setUint32(pos, inV.getUint32(pos, le), !le);
  }
  return out;
}

/** Re-emits every type of `btf` (strings interned in record order) with the writer: bpftool's layout. */
export function reemit(btf: Btf, littleEndian = true): Uint8Array {
  const w = new BtfWriter();
  for (let id = 1; id < btf.typeCount; id++) {
    const layout = KIND_LAYOUTS[btf.kind(id)]!;
    const words = btf.recordWords(id);
    for (let at = 0; at < words.length; at++)
      if (wordRole(layout, at) === 's') words[at] = w.addString(btf.string(words[at] as number));
    w.addRecord(words);
  }
  return w.toBytes(littleEndian);
}

/** A small hand-built BTF holding one type of every kind 1..19. Returns bytes and the ids by name. */
export function allKindsBtf(): { bytes: Uint8Array; ids: Record<string, number> } {
  const w = new BtfWriter();
  const s = (x: string) => w.addString(x);
  const ids: Record<string, number> = {};
  const add = (name: string, words: number[]) => {
    ids[name] = w.addRecord(words);
  };
  add('int', [s('int'), packInfo(Kind.INT, 0, false), 4, (1 << 24) | 32]); // 1 signed 32-bit
  add('ptr', [0, packInfo(Kind.PTR, 0, false), 1]); // 2 int *
  add('array', [0, packInfo(Kind.ARRAY, 0, false), 0, 1, 1, 7]); // 3 int[7]
  add('struct', [s('st'), packInfo(Kind.STRUCT, 2, true), 8, s('a'), 1, 0, s('b'), 1, (3 << 24) | 32]);
  add('union', [s('un'), packInfo(Kind.UNION, 1, false), 4, s('u'), 1, 0]);
  add('enum', [s('en'), packInfo(Kind.ENUM, 2, true), 4, s('EN_A'), 1, s('EN_NEG'), -5 >>> 0]);
  add('fwd', [s('fw'), packInfo(Kind.FWD, 0, true), 0]); // union forward
  add('typedef', [s('td'), packInfo(Kind.TYPEDEF, 0, false), 4]);
  add('volatile', [0, packInfo(Kind.VOLATILE, 0, false), 1]);
  add('const', [0, packInfo(Kind.CONST, 0, false), 9]);
  add('restrict', [0, packInfo(Kind.RESTRICT, 0, false), 2]);
  add('func', [s('fn'), packInfo(Kind.FUNC, 1, false), 13]); // global, type = the FUNC_PROTO
  add('proto', [0, packInfo(Kind.FUNC_PROTO, 2, false), 1, s('x'), 1, 0, 0]); // int (int x, ...)
  add('var', [s('vr'), packInfo(Kind.VAR, 0, false), 1, 1]);
  add('datasec', [s('.data'), packInfo(Kind.DATASEC, 1, false), 4, 14, 0, 4]);
  add('float', [s('double'), packInfo(Kind.FLOAT, 0, false), 8]);
  add('decl_tag', [s('tag1'), packInfo(Kind.DECL_TAG, 0, false), 4, 1]); // on st member #1
  add('type_tag', [s('rcu'), packInfo(Kind.TYPE_TAG, 0, false), 4]);
  add('enum64', [
    s('e64'),
    packInfo(Kind.ENUM64, 2, true),
    8,
    s('BIG'),
    0x23456789,
    0x1,
    s('NEG'),
    0xffffffff,
    0xfffffffe,
  ]);
  return { bytes: w.toBytes(), ids };
}

/** Checks docs/verification.md#structural-invariants invariants of output `out` against its source `src`; returns the violations. */
export function structuralViolations(src: Btf, outBytes: Uint8Array): string[] {
  const bad: string[] = [];
  const v = new DataView(outBytes.buffer, outBytes.byteOffset, outBytes.byteLength);
  if (v.getUint16(0, true) !== BTF_MAGIC) bad.push('magic');
  if (outBytes[2] !== 1 || outBytes[3] !== 0) bad.push('version/flags');
  if (v.getUint32(4, true) !== BTF_HEADER_LEN) bad.push('hdr_len');
  if (v.getUint32(8, true) !== 0) bad.push('type_off');
  const typeLen = v.getUint32(12, true);
  if (v.getUint32(16, true) !== typeLen) bad.push('str_off');
  const strLen = v.getUint32(20, true);
  if (BTF_HEADER_LEN + typeLen + strLen !== outBytes.length) bad.push('sizes');
  const strs = Buffer.from(outBytes.buffer, outBytes.byteOffset + BTF_HEADER_LEN + typeLen, strLen);
  if (strs[0] !== 0 || strs[strLen - 1] !== 0) bad.push('string section NULs');
  const list = strs.toString('latin1').split('\0').slice(1, -1);
  if (new Set(list).size !== list.length) bad.push('duplicate strings');
  const out = Btf.parse(outBytes); // validates ids, string offsets, kinds, vlen
  // Map output composites to source composites by (kind, name, size) and check members are a subsequence.
  const wanted = new Set<string>();
  for (let id = 1; id < out.typeCount; id++) {
    if (out.kind(id) === Kind.STRUCT || out.kind(id) === Kind.UNION) wanted.add(out.name(id));
  }
  const byKey = new Map<string, number[]>();
  for (let id = 1; id < src.typeCount; id++) {
    const kind = src.kind(id);
    if ((kind !== Kind.STRUCT && kind !== Kind.UNION) || !wanted.has(src.name(id))) continue;
    const key = `${kind}/${src.name(id)}/${src.size(id)}`;
    byKey.set(key, [...(byKey.get(key) ?? []), id]);
  }
  for (let id = 1; id < out.typeCount; id++) {
    const kind = out.kind(id);
    if (kind !== Kind.STRUCT && kind !== Kind.UNION) continue;
    const sources = byKey.get(`${kind}/${out.name(id)}/${out.size(id)}`) ?? [];
    const ok = sources.some((sid) => {
      let j = 0;
      let needsFlag = false;
      for (let i = 0; i < out.vlen(id); i++) {
        while (
          j < src.vlen(sid) &&
          !(
            src.memberName(sid, j) === out.memberName(id, i) &&
            src.memberBitOffset(sid, j) === out.memberBitOffset(id, i) &&
            src.memberBitfieldSize(sid, j) === out.memberBitfieldSize(id, i)
          )
        ) {
          j++;
        }
        if (j === src.vlen(sid)) return false;
        if (out.memberBitfieldSize(id, i) !== 0) needsFlag = true;
        j++;
      }
      return out.kindFlag(id) === needsFlag; // kind_flag = 1 iff a kept member is a bitfield
    });
    if (!ok) bad.push(`composite [${id}] ${out.describe(id)}: no source with these members as a subsequence`);
  }
  return bad;
}

/** One section of {@link buildElf}. */
export interface ElfSectionSpec {
  name: string;
  /** SHT_PROGBITS (1) unless given. */
  type?: number;
  flags?: number;
  data: Uint8Array;
}

/**
 * Builds a minimal relocatable ELF (32- or 64-bit, either byte order) holding `sections`, an empty .symtab (libbpf
 * opens no object without one; with no symbols the object has no programs) and a .shstrtab.
 */
export function buildElf(
  sections: ElfSectionSpec[],
  opts: { bits: 32 | 64; littleEndian: boolean },
): Uint8Array {
  const { bits, littleEndian: le } = opts;
  const ehsize = bits === 64 ? 64 : 52;
  const shentsize = bits === 64 ? 64 : 40;
  const names = ['', ...sections.map((s) => s.name), '.symtab', '.shstrtab'];
  const nameOff: number[] = [];
  let shstr = '';
  for (const n of names) {
    nameOff.push(shstr.length);
    shstr += `${n}\0`;
  }
  const shstrtab = sections.length + 2; // after the null section, `sections` and .symtab
  const all: (ElfSectionSpec & { type: number; link?: number; entsize?: number })[] = [
    ...sections.map((s) => ({ ...s, type: s.type ?? 1 })),
    // the null symbol alone; names (none) in .shstrtab
    {
      name: '.symtab',
      type: 2,
      data: new Uint8Array(bits === 64 ? 24 : 16),
      link: shstrtab,
      entsize: bits === 64 ? 24 : 16,
    },
    { name: '.shstrtab', type: 3, flags: 0, data: new Uint8Array(Buffer.from(shstr, 'latin1')) },
  ];
  let pos = ehsize;
  const offsets = all.map((s) => {
    pos = (pos + 7) & ~7;
    const at = pos;
    pos += s.data.length;
    return at;
  });
  const shoff = (pos + 7) & ~7;
  const out = new Uint8Array(shoff + shentsize * (all.length + 1));
  const v = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, bits === 64 ? 2 : 1, le ? 1 : 2, 1], 0);
  v.setUint16(16, 1, le); // ET_REL
  v.setUint16(18, 247, le); // EM_BPF
  v.setUint32(20, 1, le);
  if (bits === 64) {
    v.setBigUint64(40, BigInt(shoff), le);
    v.setUint16(52, ehsize, le);
    v.setUint16(58, shentsize, le);
    v.setUint16(60, all.length + 1, le);
    v.setUint16(62, all.length, le);
  } else {
    v.setUint32(32, shoff, le);
    v.setUint16(40, ehsize, le);
    v.setUint16(46, shentsize, le);
    v.setUint16(48, all.length + 1, le);
    v.setUint16(50, all.length, le);
  }
  all.forEach((s, i) => {
    out.set(s.data, offsets[i] as number);
    const h = shoff + shentsize * (i + 1);
    v.setUint32(h, nameOff[i + 1] as number, le);
    v.setUint32(h + 4, s.type, le);
    if (bits === 64) {
      v.setBigUint64(h + 8, BigInt(s.flags ?? 0), le);
      v.setBigUint64(h + 24, BigInt(offsets[i] as number), le);
      v.setBigUint64(h + 32, BigInt(s.data.length), le);
      v.setUint32(h + 40, s.link ?? 0, le);
      v.setBigUint64(h + 48, 8n, le);
      v.setBigUint64(h + 56, BigInt(s.entsize ?? 0), le);
    } else {
      v.setUint32(h + 8, s.flags ?? 0, le);
      v.setUint32(h + 16, offsets[i] as number, le);
      v.setUint32(h + 20, s.data.length, le);
      v.setUint32(h + 24, s.link ?? 0, le);
      v.setUint32(h + 32, 4, le);
      v.setUint32(h + 36, s.entsize ?? 0, le);
    }
  });
  return out;
}
