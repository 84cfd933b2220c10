import { FormatError } from '../errors.js';

/** One ELF section header. */
export interface ElfSection {
  /** Index in the section header table. */
  index: number;
  /** Section name from the section-name string table. */
  name: string;
  /** sh_type (1 = SHT_PROGBITS). */
  type: number;
  /** sh_flags (0x800 = SHF_COMPRESSED). */
  flags: number;
  /** File offset of the section data. */
  offset: number;
  /** Size of the section data in bytes. */
  size: number;
  /** sh_link. */
  link: number;
}

/** A parsed ELF file: its identity and section table. */
export interface ElfFile {
  /** 32 or 64. */
  bits: 32 | 64;
  /** Byte order of the ELF fields. */
  littleEndian: boolean;
  /** e_type (1 = ET_REL). */
  type: number;
  /** e_machine (247 = EM_BPF). */
  machine: number;
  /** All sections, by index. */
  sections: ElfSection[];
  /** The data of the section named `name`, or undefined if there is none. */
  sectionData(name: string): Uint8Array | undefined;
  /** The section header named `name`, or undefined. */
  section(name: string): ElfSection | undefined;
  /** Symbols of `.symtab` (empty when there is none). */
  symbols(): ElfSymbol[];
}

/** One ELF symbol. */
export interface ElfSymbol {
  /** Symbol name. */
  name: string;
  /** Section index it is defined in. */
  section: number;
  /** st_value: for relocatable objects, the offset inside its section. */
  value: number;
  /** st_size. */
  size: number;
  /** Symbol type (st_info & 0xf; 2 = STT_FUNC). */
  type: number;
}

/** ELF constants used by btf-bundle. */
export const Elf = {
  SHT_PROGBITS: 1,
  SHT_SYMTAB: 2,
  STT_FUNC: 2,
  SHT_NOBITS: 8,
  SHF_COMPRESSED: 0x800,
  EM_BPF: 247,
  ET_REL: 1,
} as const;

/** Whether `bytes` starts with the ELF magic. */
export function isElf(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 && bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46
  );
}

/**
 * Parse the ELF header and section table of `bytes` (ELF32/ELF64, either byte order; spec §2.1-2.2).
 * Every offset and size is checked against the buffer; `file` names the input in errors.
 */
export function readElf(bytes: Uint8Array, file?: string): ElfFile {
  const fail = (detail: string, offset?: number): FormatError => {
    const place: { file?: string; section: string; offset?: number } = { section: 'ELF header' };
    if (file !== undefined) place.file = file;
    if (offset !== undefined) place.offset = offset;
    return new FormatError(detail, place);
  };
  if (!isElf(bytes)) throw fail('not an ELF file (bad magic)', 0);
  if (bytes.length < 52) throw fail(`ELF file is truncated (${bytes.length} bytes)`);
  const cls = bytes[4];
  const data = bytes[5];
  if (cls !== 1 && cls !== 2) throw fail(`unknown ELF class ${cls}`, 4);
  if (data !== 1 && data !== 2) throw fail(`unknown ELF data encoding ${data}`, 5);
  const is64 = cls === 2;
  const le = data === 1;
  if (is64 && bytes.length < 64) throw fail(`ELF64 header is truncated (${bytes.length} bytes)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number) => view.getUint16(o, le);
  const u32 = (o: number) => view.getUint32(o, le);
  const addr = (o: number): number => {
    if (!is64) return u32(o);
    const v = view.getBigUint64(o, le);
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw fail(`64-bit field at offset ${o} is too large`, o);
    return Number(v);
  };
  const type = u16(0x10);
  const machine = u16(0x12);
  const shoff = addr(is64 ? 0x28 : 0x20);
  const shentsize = u16(is64 ? 0x3a : 0x2e);
  let shnum = u16(is64 ? 0x3c : 0x30);
  let shstrndx = u16(is64 ? 0x3e : 0x32);
  const minEnt = is64 ? 64 : 40;
  if (shoff === 0) throw fail('ELF file has no section header table');
  if (shentsize < minEnt) throw fail(`section header entry size ${shentsize} is smaller than ${minEnt}`);
  const header = (i: number) => {
    const base = shoff + i * shentsize;
    if (base + minEnt > bytes.length)
      throw fail(`section header ${i} at offset ${base} is past the end of the file`);
    return {
      name: u32(base),
      type: u32(base + 4),
      flags: is64 ? addr(base + 8) : u32(base + 8),
      offset: addr(base + (is64 ? 24 : 16)),
      size: addr(base + (is64 ? 32 : 20)),
      link: u32(base + (is64 ? 40 : 24)),
    };
  };
  if (shnum === 0 || shstrndx === 0xffff) {
    const first = header(0);
    if (shnum === 0) shnum = first.size;
    if (shstrndx === 0xffff) shstrndx = first.link;
  }
  if (shnum * shentsize > bytes.length - Math.min(shoff, bytes.length)) {
    throw fail(`section header table (${shnum} entries at offset ${shoff}) runs past the end of the file`);
  }
  const raw = Array.from({ length: shnum }, (_, i) => header(i));
  for (const [i, s] of raw.entries()) {
    if (s.type !== Elf.SHT_NOBITS && s.offset + s.size > bytes.length) {
      throw fail(`section ${i} (offset ${s.offset}, ${s.size} bytes) runs past the end of the file`);
    }
  }
  const strtab = raw[shstrndx];
  if (!strtab) throw fail(`section name table index ${shstrndx} is out of range (${shnum} sections)`);
  const stringAt = (table: { offset: number; size: number } | undefined, off: number): string => {
    if (!table || off >= table.size) return '';
    const start = table.offset + off;
    let end = bytes.indexOf(0, start);
    if (end < 0 || end > table.offset + table.size) end = table.offset + table.size;
    return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
  };
  const nameAt = (off: number): string => {
    if (off >= strtab.size) throw fail(`section name offset ${off} is beyond the section name table`);
    return stringAt(strtab, off);
  };
  const sections: ElfSection[] = raw.map((s, index) => ({ index, ...s, name: nameAt(s.name) }));
  const byName = new Map<string, ElfSection>();
  for (const s of sections) if (!byName.has(s.name)) byName.set(s.name, s);
  const readSymbols = (): ElfSymbol[] => {
    const symtab = sections.find((s) => s.type === Elf.SHT_SYMTAB);
    if (!symtab) return [];
    const entSize = is64 ? 24 : 16;
    const names = sections[symtab.link];
    const out: ElfSymbol[] = [];
    for (let base = symtab.offset; base + entSize <= symtab.offset + symtab.size; base += entSize) {
      const info = view.getUint8(base + (is64 ? 4 : 12));
      out.push({
        name: stringAt(names, u32(base)),
        type: info & 0xf,
        section: u16(base + (is64 ? 6 : 14)),
        value: is64 ? addr(base + 8) : u32(base + 4),
        size: is64 ? addr(base + 16) : u32(base + 8),
      });
    }
    return out;
  };
  return {
    bits: is64 ? 64 : 32,
    littleEndian: le,
    type,
    machine,
    sections,
    section: (name) => byName.get(name),
    symbols: readSymbols,
    sectionData(name) {
      const s = byName.get(name);
      if (!s || s.type === Elf.SHT_NOBITS) return undefined;
      return bytes.subarray(s.offset, s.offset + s.size);
    },
  };
}
