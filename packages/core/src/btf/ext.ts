import { type ErrorPlace, FormatError } from '../errors.js';
import type { InsnPatch } from '../relo/patch.js';
import type { Btf } from './btf.js';
import { btfByteOrder } from './format.js';

/** One func_info record. */
export interface FuncInfo {
  /** Instruction byte offset inside the code section. */
  insnOff: number;
  /** FUNC type id in the object's .BTF. */
  typeId: number;
}

/** One line_info record. */
export interface LineInfo {
  /** Instruction byte offset inside the code section. */
  insnOff: number;
  /** String offset of the source file name. */
  fileNameOff: number;
  /** String offset of the source line text. */
  lineOff: number;
  /** Line number (line_col >> 10). */
  line: number;
  /** Column (line_col & 0x3ff). */
  column: number;
}

/** One CO-RE relocation record of `.BTF.ext`, with its position. */
export interface CoreRelo {
  /** Index over all core_relo records of the object, in file order. */
  index: number;
  /** Index of the group (code section) the record is in. */
  group: number;
  /** Index inside its group: libbpf's "relo #N". */
  indexInGroup: number;
  /** ELF code section the instruction is in (e.g. "tracepoint/syscalls/sys_enter_openat", ".text"). */
  section: string;
  /** Instruction byte offset inside that section. */
  insnOff: number;
  /** Local root type id in the object's .BTF. */
  typeId: number;
  /** String offset of the access string. */
  accessStrOff: number;
  /** The access string, e.g. "0:1:2". */
  accessStr: string;
  /** Relocation kind number (docs/bpf-objects.md#relocation-kinds); unknown numbers are kept and rejected by the resolver. */
  kind: number;
  /**
   * Why libbpf never applies this record (no program of its section holds its instruction: see
   * `object-programs.ts`), set when the object is parsed with its ELF; absent when libbpf applies it.
   */
  skipped?: string;
  /**
   * The instruction libbpf patches for this record, as it finds it (see `relo/patch.ts`), set when the object is
   * parsed with its ELF and the record is not skipped.
   */
  insn?: InsnPatch;
}

/** A group of records belonging to one code section. */
export interface InfoGroup<T> {
  /** ELF code section name. */
  section: string;
  /** Records in file order. */
  records: T[];
}

/** A parsed `.BTF.ext` section. */
export interface BtfExt {
  /** func_info groups. */
  funcInfo: InfoGroup<FuncInfo>[];
  /** line_info groups. */
  lineInfo: InfoGroup<LineInfo>[];
  /** All CO-RE relocations in file order (groups in order, records in order). */
  coreRelos: CoreRelo[];
}

const EXT_MIN_HEADER = 24;
const EXT_CORE_HEADER = 32;

/** A `.BTF.ext` section being read: its words in its byte order, and checks against the object's `.BTF`. */
interface ExtReader {
  bytes: Uint8Array;
  /** The 32-bit word at `offset`. */
  u32(offset: number): number;
  /** Header length (the subsections' offsets count from its end). */
  hdrLen: number;
  /** Whether the section's byte order differs from the `.BTF`'s. */
  swapped: boolean;
  /** The error of a problem at `offset` of the section. */
  at(detail: string, offset?: number): FormatError;
  /** Throws unless `off` is a string offset of the `.BTF` (`what` at `where` names it). */
  checkStr(off: number, where: number, what: string): void;
  /** The `.BTF` string at `off`, checked. */
  str(off: number, where: number, what: string): string;
  /** `id`, checked to be a `.BTF` type id. */
  checkedType(id: number, where: number): number;
}

/**
 * Parse `.BTF.ext` (docs/bpf-objects.md#the-btfext-header), validating it like libbpf: header, every subsection's record size, group
 * headers and record counts, and every string offset and type id against the object's `btf`. The CO-RE
 * relocations are decoded at once; the func_info and line_info records (one per source line: hundreds per
 * program) only when {@link BtfExt.funcInfo} or {@link BtfExt.lineInfo} is first read, having been checked here.
 */
export function parseBtfExt(bytes: Uint8Array, btf: Btf, opts: { file?: string } = {}): BtfExt {
  const r = extReader(bytes, btf, opts.file);
  const { u32 } = r;
  const funcSpans = readSubsection(r, 'func_info', 8, 8, (p) => {
    r.checkedType(u32(p + 4), p + 4);
  });
  const lineSpans = readSubsection(r, 'line_info', 16, 16, (p) => {
    r.checkStr(u32(p + 4), p + 4, 'line_info file name');
    r.checkStr(u32(p + 8), p + 8, 'line_info line');
  });
  const coreRelos = r.hdrLen >= EXT_CORE_HEADER ? readCoreRelos(r) : [];
  let funcInfo: InfoGroup<FuncInfo>[] | undefined;
  let lineInfo: InfoGroup<LineInfo>[] | undefined;
  return {
    get funcInfo() {
      funcInfo ??= decodeGroups(funcSpans, (p) => ({ insnOff: u32(p), typeId: u32(p + 4) }));
      return funcInfo;
    },
    get lineInfo() {
      lineInfo ??= decodeGroups(lineSpans, (p) => {
        const lineCol = u32(p + 12);
        return {
          insnOff: u32(p),
          fileNameOff: u32(p + 4),
          lineOff: u32(p + 8),
          line: lineCol >>> 10,
          column: lineCol & 0x3ff,
        };
      });
      return lineInfo;
    },
    coreRelos,
  };
}

/** Bytes of a core_relo record (libbpf struct bpf_core_relo). */
const CORE_RELO_RECORD = 16;

/**
 * At most how many CO-RE relocations `.BTF.ext` bytes hold, from the header's core_relo length alone (0 when the
 * header is too short or has none): an estimate of the work they make, not a validation.
 */
export function coreReloCountBound(bytes: Uint8Array): number {
  if (bytes.length < EXT_CORE_HEADER) return 0;
  const le = btfByteOrder(bytes);
  if (le === undefined) return 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(4, le) < EXT_CORE_HEADER) return 0;
  return Math.floor(view.getUint32(28, le) / CORE_RELO_RECORD);
}

/** Checks the header of `.BTF.ext` (magic, version, flags, length) and returns its reader. */
function extReader(bytes: Uint8Array, btf: Btf, file: string | undefined): ExtReader {
  const at = (detail: string, offset?: number): FormatError => {
    const place: ErrorPlace = { section: '.BTF.ext' };
    if (offset !== undefined) place.offset = offset;
    if (file !== undefined) place.file = file;
    return new FormatError(detail, place);
  };
  if (bytes.length < EXT_MIN_HEADER) throw at(`.BTF.ext is ${bytes.length} bytes, shorter than its header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = btfByteOrder(bytes);
  if (le === undefined) throw at('bad magic', 0);
  const u32 = (o: number) => view.getUint32(o, le);
  if (bytes[2] !== 1) throw at(`unsupported version ${bytes[2]}`, 2);
  if (bytes[3] !== 0) throw at(`unsupported flags ${bytes[3]}`, 3);
  const hdrLen = u32(4);
  if (hdrLen < EXT_MIN_HEADER || hdrLen >= bytes.length) {
    throw at(`header length ${hdrLen} is invalid for a ${bytes.length}-byte section`, 4);
  }
  const checkStr = (off: number, where: number, what: string): void => {
    if (!btf.isValidStringOffset(off))
      throw at(`${what} has string offset ${off} beyond the .BTF strings`, where);
  };
  return {
    bytes,
    u32,
    hdrLen,
    swapped: le !== btf.littleEndian,
    at,
    checkStr,
    str: (off, where, what) => {
      checkStr(off, where, what);
      return btf.string(off);
    },
    checkedType: (id, where) => {
      if (id >= btf.typeCount)
        throw at(`type id ${id} is beyond the last .BTF type id ${btf.typeCount - 1}`, where);
      return id;
    },
  };
}

/** Where one group's records lie in `.BTF.ext`: its section, the first record's offset, the record count and size. */
interface GroupSpan {
  section: string;
  pos: number;
  count: number;
  recSize: number;
}

/**
 * The groups of the subsection whose offset and length are the header words at `offField`: its record size
 * (at least `minRec`, exactly it when the byte order is swapped), then per group a section name and a record
 * count, each record given to `visit` (which checks or reads it) with its group's index and section, in file
 * order. An empty subsection has no groups.
 */
function readSubsection(
  r: ExtReader,
  name: string,
  offField: number,
  minRec: number,
  visit: (pos: number, group: number, section: string) => void,
): GroupSpan[] {
  const { u32, at } = r;
  const off = u32(offField);
  const len = u32(offField + 4);
  if (len === 0) return [];
  const start = r.hdrLen + off;
  if (off % 4 !== 0) throw at(`${name} offset ${off} is not 4-byte aligned`, offField);
  if (len < 4 || start + len > r.bytes.length || start + len < start) {
    throw at(`${name} (offset ${off}, ${len} bytes) runs past the end of the section`, offField);
  }
  const end = start + len;
  const recSize = u32(start);
  if (recSize < minRec || recSize % 4 !== 0 || (r.swapped && recSize !== minRec)) {
    throw at(`${name} record size ${recSize} is invalid (minimum ${minRec})`, start);
  }
  const groups: GroupSpan[] = [];
  let pos = start + 4;
  if (pos >= end) throw at(`${name} has no groups`, start);
  while (pos < end) {
    if (pos + 8 > end) throw at(`${name} group header is truncated`, pos);
    const section = r.str(u32(pos), pos, `${name} group`);
    // libbpf fails the load (EINVAL) on a CO-RE group with no section name; other groups with none it ignores.
    if (section === '' && name === 'core_relo') throw at(`${name} group names no section`, pos);
    const count = u32(pos + 4);
    if (count === 0) throw at(`${name} group for section '${section}' has no records`, pos + 4);
    if (count > (end - pos - 8) / recSize) {
      throw at(`${name} group for section '${section}' claims ${count} records, more than fit`, pos + 4);
    }
    pos += 8;
    groups.push({ section, pos, count, recSize });
    for (let i = 0; i < count; i++, pos += recSize) visit(pos, groups.length - 1, section);
  }
  return groups;
}

/** The records of `spans`, each read by `read` from its offset, in groups. */
function decodeGroups<T>(spans: readonly GroupSpan[], read: (pos: number) => T): InfoGroup<T>[] {
  const groups: InfoGroup<T>[] = new Array(spans.length);
  for (let g = 0; g < spans.length; g++) {
    const { section, pos, count, recSize } = spans[g] as GroupSpan;
    const records: T[] = new Array(count);
    for (let i = 0; i < count; i++) records[i] = read(pos + i * recSize);
    groups[g] = { section, records };
  }
  return groups;
}

/** Size of one BPF instruction: a relocation's `insn_off` is a multiple of it. */
const BPF_INSN_SIZE = 8;

/**
 * The `insn_off` of the core_relo record at `p`: a byte offset into its section that must fall on an instruction
 * (libbpf refuses an object whose relocation does not, with EINVAL, before resolving anything).
 */
function instructionOffset(r: ExtReader, p: number): number {
  const insnOff = r.u32(p);
  if (insnOff % BPF_INSN_SIZE !== 0)
    throw r.at(`core_relo insn_off ${insnOff} is not a multiple of the ${BPF_INSN_SIZE}-byte instruction`, p);
  return insnOff;
}

/** The CO-RE relocations of the core_relo subsection, numbered in file order. */
function readCoreRelos(r: ExtReader): CoreRelo[] {
  const { u32 } = r;
  const coreRelos: CoreRelo[] = [];
  let groupStart = 0;
  let current = -1;
  readSubsection(r, 'core_relo', 24, 16, (p, group, section) => {
    if (group !== current) [current, groupStart] = [group, coreRelos.length];
    coreRelos.push({
      index: coreRelos.length,
      group,
      indexInGroup: coreRelos.length - groupStart,
      section,
      insnOff: instructionOffset(r, p),
      typeId: r.checkedType(u32(p + 4), p + 4),
      accessStrOff: u32(p + 8),
      accessStr: r.str(u32(p + 8), p + 8, 'core_relo access string'),
      kind: u32(p + 12),
    });
  });
  return coreRelos;
}
