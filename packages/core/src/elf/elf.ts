import { isElf } from '@btf-bundle/runtime/internal/elf';
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
  /** Symbols of `.symtab` (empty when there is none); with `names: false` their names are not read (left empty). */
  symbols(options?: { names?: boolean }): ElfSymbol[];
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
  SHF_EXECINSTR: 0x4,
  SHF_COMPRESSED: 0x800,
  EM_BPF: 247,
  ET_REL: 1,
} as const;

/** Whether bytes start with the ELF magic (the runtime's check, the one every reader uses). */
export { isElf };

/** Random access to the bytes of an ELF input: a buffer in memory or a file read at offsets (see `./file.ts`). */
export interface ByteSource {
  /** Total size in bytes. */
  readonly size: number;
  /** `length` bytes from `offset` (the caller keeps both inside {@link size}). */
  read(offset: number, length: number): Uint8Array;
}

/** A {@link ByteSource} over bytes already in memory (reads are views, not copies). */
function bytesSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: (offset, length) => bytes.subarray(offset, offset + length) };
}

/** Bytes of the ELF header that {@link readElf} reads (an ELF64 header; an ELF32 one is 52). */
const HEADER_BYTES = 64;

/**
 * Parse the ELF header and section table of `input` (ELF32/ELF64, either byte order). Only the header, the
 * section header table and the section-name table are read here; section data and symbols are read when asked
 * for, so a file source costs a few positioned reads whatever the size of its DWARF. Every offset and size is
 * checked against the input's size; `file` names the input in errors.
 */
export function readElf(input: Uint8Array | ByteSource, file?: string): ElfFile {
  const source = input instanceof Uint8Array ? bytesSource(input) : input;
  const fail = (detail: string, offset?: number): FormatError => {
    const place: { file?: string; section: string; offset?: number } = { section: 'ELF header' };
    if (file !== undefined) place.file = file;
    if (offset !== undefined) place.offset = offset;
    return new FormatError(detail, place);
  };
  const { fields, layout } = readIdent(source, fail);
  const { sections, byName } = readSectionTable(source, fields, layout, fail);
  return {
    bits: layout.is64 ? 64 : 32,
    littleEndian: layout.le,
    type: fields.u16(0x10),
    machine: fields.u16(0x12),
    sections,
    section: (name) => byName.get(name),
    symbols: (options) => readSymbols(source, sections, layout, fail, options?.names ?? true),
    sectionData(name) {
      const s = byName.get(name);
      if (!s || s.type === Elf.SHT_NOBITS) return undefined;
      return source.read(s.offset, s.size);
    },
  };
}

/** The class and byte order of an ELF file. */
interface ElfLayout {
  is64: boolean;
  le: boolean;
}

/** Builds the error of a problem at `offset` of the ELF header. */
type ElfFail = (detail: string, offset?: number) => FormatError;

/** Typed readers of the ELF fields of some bytes (see {@link fieldReader}). */
type FieldReader = ReturnType<typeof fieldReader>;

/** Checks the magic, class and byte order; returns the header's field reader and the layout. */
function readIdent(source: ByteSource, fail: ElfFail): { fields: FieldReader; layout: ElfLayout } {
  const size = source.size;
  const head = source.read(0, Math.min(size, HEADER_BYTES));
  if (!isElf(head)) throw fail('not an ELF file (bad magic)', 0);
  if (size < 52) throw fail(`ELF file is truncated (${size} bytes)`);
  const cls = head[4];
  const data = head[5];
  if (cls !== 1 && cls !== 2) throw fail(`unknown ELF class ${cls}`, 4);
  if (data !== 1 && data !== 2) throw fail(`unknown ELF data encoding ${data}`, 5);
  const is64 = cls === 2;
  const le = data === 1;
  if (is64 && size < 64) throw fail(`ELF64 header is truncated (${size} bytes)`);
  return { fields: fieldReader(head, 0, is64, le, fail), layout: { is64, le } };
}

/**
 * Reads the section header table (the extended section count and name-table index of section 0 included) and
 * the section names; every section's extent is checked against the input's size.
 */
function readSectionTable(
  source: ByteSource,
  fields: FieldReader,
  { is64, le }: ElfLayout,
  fail: ElfFail,
): { sections: ElfSection[]; byName: Map<string, ElfSection> } {
  const size = source.size;
  const shoff = fields.addr(is64 ? 0x28 : 0x20);
  const shentsize = fields.u16(is64 ? 0x3a : 0x2e);
  let shnum = fields.u16(is64 ? 0x3c : 0x30);
  let shstrndx = fields.u16(is64 ? 0x3e : 0x32);
  const minEnt = is64 ? 64 : 40;
  if (shoff === 0) throw fail('ELF file has no section header table');
  if (shentsize < minEnt) throw fail(`section header entry size ${shentsize} is smaller than ${minEnt}`);
  if (shoff + minEnt > size) throw fail(`section header 0 at offset ${shoff} is past the end of the file`);
  let table: FieldReader;
  /** Section `i`'s header, its name not read yet ('') and its name's offset in `nameOffsets`. */
  const header = (i: number): ElfSection => {
    const base = i * shentsize;
    nameOffsets[i] = table.u32(base);
    return {
      index: i,
      name: '',
      type: table.u32(base + 4),
      flags: is64 ? table.addr(base + 8) : table.u32(base + 8),
      offset: table.addr(base + (is64 ? 24 : 16)),
      size: table.addr(base + (is64 ? 32 : 20)),
      link: table.u32(base + (is64 ? 40 : 24)),
    };
  };
  const nameOffsets: number[] = [];
  // Section 0 holds the count and the name table's index when the header's fields overflow: read apart only then.
  if (shnum === 0 || shstrndx === 0xffff) {
    table = fieldReader(source.read(shoff, minEnt), shoff, is64, le, fail);
    const first = header(0);
    if (shnum === 0) shnum = first.size;
    if (shstrndx === 0xffff) shstrndx = first.link;
  }
  if (shnum * shentsize > size - shoff) {
    throw fail(`section header table (${shnum} entries at offset ${shoff}) runs past the end of the file`);
  }
  table = fieldReader(source.read(shoff, shnum * shentsize), shoff, is64, le, fail);
  const sections: ElfSection[] = new Array(shnum);
  for (let i = 0; i < shnum; i++) {
    const s = header(i);
    if (s.type !== Elf.SHT_NOBITS && s.offset + s.size > size) {
      throw fail(`section ${i} (offset ${s.offset}, ${s.size} bytes) runs past the end of the file`);
    }
    sections[i] = s;
  }
  const strtab = sections[shstrndx];
  if (!strtab) throw fail(`section name table index ${shstrndx} is out of range (${shnum} sections)`);
  const names = stringTable(source, strtab);
  for (let i = 0; i < shnum; i++) {
    const off = nameOffsets[i] as number;
    if (off >= strtab.size) throw fail(`section name offset ${off} is beyond the section name table`);
    (sections[i] as ElfSection).name = names(off);
  }
  const byName = new Map<string, ElfSection>();
  for (const s of sections) if (!byName.has(s.name)) byName.set(s.name, s);
  return { sections, byName };
}

/** The symbols of the first symbol table (none without one). */
function readSymbols(
  source: ByteSource,
  sections: ElfSection[],
  { is64, le }: ElfLayout,
  fail: ElfFail,
  names: boolean,
): ElfSymbol[] {
  const symtab = sections.find((s) => s.type === Elf.SHT_SYMTAB);
  if (!symtab) return [];
  const entSize = is64 ? 24 : 16;
  const nameOf = stringTable(source, sections[symtab.link]);
  const count = Math.floor(symtab.size / entSize);
  const entries = fieldReader(source.read(symtab.offset, count * entSize), symtab.offset, is64, le, fail);
  const out: ElfSymbol[] = [];
  for (let base = 0; base < count * entSize; base += entSize) {
    const info = entries.u8(base + (is64 ? 4 : 12));
    out.push({
      name: names ? nameOf(entries.u32(base)) : '',
      type: info & 0xf,
      section: entries.u16(base + (is64 ? 6 : 14)),
      value: is64 ? entries.addr(base + 8) : entries.u32(base + 4),
      size: is64 ? entries.addr(base + 16) : entries.u32(base + 8),
    });
  }
  return out;
}

/** Readers of the ELF fields of `bytes` (read from file offset `base`) in the file's class and byte order. */
function fieldReader(
  bytes: Uint8Array,
  base: number,
  is64: boolean,
  le: boolean,
  fail: (detail: string, offset?: number) => FormatError,
) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (o: number) => view.getUint32(o, le);
  return {
    u8: (o: number) => view.getUint8(o),
    u16: (o: number) => view.getUint16(o, le),
    u32,
    /** An address or size field: 64-bit in ELF64 (read as two words: no BigInt), 32-bit in ELF32. */
    addr: (o: number): number => {
      if (!is64) return u32(o);
      const high = le ? u32(o + 4) : u32(o);
      const low = le ? u32(o) : u32(o + 4);
      if (high > 0x1fffff) throw fail(`64-bit field at offset ${base + o} is too large`, base + o);
      return high * 0x100000000 + low;
    },
  };
}

/**
 * The NUL-terminated strings of string-table section `table` (read and decoded as latin1 once, on first use, each
 * string then a slice of that text); '' when absent.
 */
function stringTable(
  source: ByteSource,
  table: { type: number; offset: number; size: number } | undefined,
): (off: number) => string {
  let text: string | undefined;
  return (off) => {
    if (!table || table.type === Elf.SHT_NOBITS || off >= table.size) return '';
    if (text === undefined) {
      const bytes = source.read(table.offset, table.size);
      text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
    }
    const end = text.indexOf('\0', off);
    return text.slice(off, end < 0 ? text.length : end);
  };
}
