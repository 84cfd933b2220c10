import { type ErrorPlace, FormatError } from '../errors.js';
import { growScratch } from '../scratch.js';
import { essentialNameHash } from './essential-name.js';
import {
  BTF_HEADER_LEN,
  BTF_LAYOUT_HEADER_LEN,
  type BtfHeader,
  HOST_LITTLE_ENDIAN,
  infoKind,
  infoVlen,
  KIND_COUNT,
  KIND_LAYOUTS,
  Kind,
  kindName,
  readBtfHeader,
  vlenCountsElements,
  wordRole,
} from './format.js';

/** Record sizes of kinds we do not know, from an optional kind-layout section (docs/btf-format.md#header). */
export interface ForeignKindLayout {
  infoSize: number;
  elemSize: number;
}

/** The byte-level index of a BTF blob: everything {@link Btf} needs besides the bytes. */
export interface BtfIndex {
  littleEndian: boolean;
  /** The type section as 32-bit words in host byte order (a view of the blob when it allows, else a copy). */
  words: Uint32Array;
  /** Index in {@link words} of each type's record; entry 0 (void) unused. Its length is the type count. */
  offsets: Uint32Array;
  /** Ids of the named records of the {@link CANDIDATE_KINDS}, ascending. */
  candidateIds: Uint32Array;
  /** The {@link essentialNameHash} of the name of each record of {@link candidateIds}, at the same index. */
  candidateKeys: Int32Array;
  /** Offset of the type section in the blob. */
  typeStart: number;
  strStart: number;
  strLen: number;
}

/**
 * Memory for the record index of one BTF at a time, reused from parse to parse: a batch lane parses kernel after
 * kernel, and a fresh index per kernel (a megabyte or two, freed only when the garbage collector runs) lets dead
 * indexes pile up by the dozen. A {@link Btf} parsed with it is valid until the next parse with the same buffer.
 */
export class IndexBuffer {
  private words = new Uint32Array(0);

  /** Arrays of `length` entries each, for the index's lists (contents not kept when they grow). */
  take(length: number): IndexArrays {
    this.words = growScratch(this.words, 3 * length, (n) => new Uint32Array(n));
    return indexArraysIn(this.words, length);
  }
}

/** Room for the lists of a walk: the record offsets, the candidate ids and their keys (one entry per record). */
interface IndexArrays {
  offsets: Uint32Array;
  candidateIds: Uint32Array;
  candidateKeys: Int32Array;
}

/** The {@link IndexArrays} of `length` entries each, one after the other in `words` (3 × `length` at least). */
function indexArraysIn(words: Uint32Array, length: number): IndexArrays {
  return {
    offsets: words.subarray(0, length),
    candidateIds: words.subarray(length, 2 * length),
    candidateKeys: new Int32Array(words.buffer, words.byteOffset + 8 * length, length),
  };
}

/**
 * The kinds whose named records {@link BtfIndex.candidateIds} lists: those of the types CO-RE relocations usually
 * start from. A kernel has ~15k of them among ~100k records (most records are FUNC, FUNC_PROTO and PTR), so the
 * candidate search of these kinds visits a seventh of the records.
 */
export const CANDIDATE_KINDS: readonly number[] = [
  Kind.INT,
  Kind.STRUCT,
  Kind.UNION,
  Kind.ENUM,
  Kind.ENUM64,
  Kind.FWD,
  Kind.TYPEDEF,
  Kind.FLOAT,
];

const IS_CANDIDATE_KIND = Uint8Array.from({ length: 128 }, (_, k) => (CANDIDATE_KINDS.includes(k) ? 1 : 0));

/**
 * Read the index of a raw BTF blob and validate it (docs/btf-format.md#validation-on-parse): header, string section, the record walk (sizes,
 * known kinds), every string offset and type id of every record, and that FUNCs refer to FUNC_PROTOs. Throws a
 * {@link FormatError} naming the place of the first defect.
 */
export function readBtfIndex(
  bytes: Uint8Array,
  opts: { file?: string; section?: string; indexBuffer?: IndexBuffer },
): BtfIndex {
  const at = errorFactory(opts);
  const header = readHeader(bytes, at);
  const words = hostWords(bytes, header.typeStart, header.typeLen, header.littleEndian);
  const maxRecords = Math.floor(words.length / 3) + 1;
  const room = opts.indexBuffer
    ? opts.indexBuffer.take(maxRecords)
    : indexArraysIn(new Uint32Array(3 * maxRecords), maxRecords);
  // The type count is only known at the end of the walk, so the first walk just notes the largest type id
  // referred to; only when it is out of range (a corrupt blob) does a second walk find the first bad one.
  const walk = walkRecords(bytes, words, room, header, NO_TYPE_LIMIT, at);
  if (walk.maxTypeRef >= walk.offsets.length)
    walkRecords(bytes, words, room, header, walk.offsets.length, at);
  checkFuncs(words, walk.offsets, walk.laterFuncs, at);
  return {
    littleEndian: header.littleEndian,
    words,
    offsets: walk.offsets,
    candidateIds: walk.candidateIds,
    candidateKeys: walk.candidateKeys,
    typeStart: header.typeStart,
    strStart: header.strStart,
    strLen: header.strLen,
  };
}

/** A type limit that no uint32 reaches. */
const NO_TYPE_LIMIT = 2 ** 32;

type ErrorAt = (detail: string, extra?: ErrorPlace) => FormatError;

function errorFactory(opts: { file?: string; section?: string }): ErrorAt {
  return (detail, extra = {}) => {
    const place: ErrorPlace = { section: opts.section ?? '.BTF', ...extra };
    if (opts.file !== undefined) place.file = opts.file;
    return new FormatError(detail, place);
  };
}

interface Header {
  littleEndian: boolean;
  typeStart: number;
  typeLen: number;
  strStart: number;
  strLen: number;
  foreign: Map<number, ForeignKindLayout>;
  /** Entries of the kind-layout section (0 without one). */
  layoutEntries: number;
}

function readHeader(bytes: Uint8Array, at: ErrorAt): Header {
  if (bytes.length < BTF_HEADER_LEN)
    throw at(`BTF is ${bytes.length} bytes, shorter than its 24-byte header`);
  const fields = readBtfHeader(bytes);
  if (!fields) {
    const got = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw at(`not BTF: bad magic (bytes ${got})`, { offset: 0 });
  }
  const { littleEndian: le, hdrLen, typeOff, typeLen, strOff, strLen } = fields;
  if (hdrLen < BTF_HEADER_LEN || hdrLen > bytes.length) {
    throw at(`header length ${hdrLen} is invalid for a ${bytes.length}-byte blob`, { offset: 4 });
  }
  const dataLen = bytes.length - hdrLen;
  if (typeOff % 4 !== 0) throw at(`type section offset ${typeOff} is not 4-byte aligned`, { offset: 8 });
  if (strOff + strLen > dataLen || strOff > dataLen) {
    throw at(`string section (offset ${strOff}, ${strLen} bytes) runs past the end of the data`, {
      offset: 16,
    });
  }
  if (typeOff + typeLen > strOff) {
    throw at(`type section (offset ${typeOff}, ${typeLen} bytes) overlaps the string section`, { offset: 8 });
  }
  if (typeLen % 4 !== 0) {
    throw at(`type section length ${typeLen} is not a multiple of 4: its last record is cut`, { offset: 12 });
  }
  const foreign = new Map<number, ForeignKindLayout>();
  let layoutEntries = 0;
  if (hdrLen >= BTF_LAYOUT_HEADER_LEN) {
    const sections = { types: { off: typeOff, len: typeLen }, strings: { off: strOff, len: strLen } };
    layoutEntries = readLayoutSection(bytes, fields, sections, foreign, at);
  }
  const strStart = hdrLen + strOff;
  if (strLen === 0) throw at('string section is empty', { section: 'string section' });
  if (bytes[strStart] !== 0)
    throw at('string section does not start with NUL', { section: 'string section' });
  if (bytes[strStart + strLen - 1] !== 0) {
    throw at('string section does not end with NUL', { section: 'string section', offset: strLen - 1 });
  }
  return { littleEndian: le, typeStart: hdrLen + typeOff, typeLen, strStart, strLen, foreign, layoutEntries };
}

/**
 * The `len` bytes at `start` as 32-bit words in host order: a view when the blob is in host order and the words
 * are aligned (the usual case: a kernel BTF read into its own buffer), else a copy, byte-swapped if need be.
 */
function hostWords(bytes: Uint8Array, start: number, len: number, littleEndian: boolean): Uint32Array {
  const byteOffset = bytes.byteOffset + start;
  if (littleEndian === HOST_LITTLE_ENDIAN && byteOffset % 4 === 0)
    return new Uint32Array(bytes.buffer, byteOffset, len / 4);
  const words = new Uint32Array(len / 4);
  const view = new DataView(bytes.buffer, byteOffset, len);
  for (let i = 0; i < words.length; i++) words[i] = view.getUint32(i * 4, littleEndian);
  return words;
}

/**
 * The kind-layout section, when the header has one: its entries by kind number (kinds we know must match what we
 * know of them; the others go to `out`, to step over records of unknown kinds). Returns the number of entries. Checked like the kernel does: aligned,
 * whole 4-byte entries, inside the data and overlapping neither the type nor the string section.
 */
function readLayoutSection(
  bytes: Uint8Array,
  header: BtfHeader,
  sections: DataSections,
  out: Map<number, ForeignKindLayout>,
  at: ErrorAt,
): number {
  const { hdrLen, layoutOff: off, layoutLen: len } = header;
  if (len === 0) return 0;
  checkLayoutPlacement(off, len, bytes.length - hdrLen, sections, at);
  // Entries past kind 127 can describe no record (the info word has 7 kind bits): not read.
  for (let kind = 0; kind < Math.min(len / 4, KIND_COUNT); kind++) {
    const base = hdrLen + off + kind * 4;
    const entry = { infoSize: bytes[base] as number, elemSize: bytes[base + 1] as number };
    if (KIND_LAYOUTS[kind] || kind === Kind.UNKN) checkKnownKindEntry(kind, entry, at);
    else out.set(kind, entry);
  }
  return len / 4;
}

/** Offsets (after the header) and lengths of the type and string sections. */
interface DataSections {
  types: { off: number; len: number };
  strings: { off: number; len: number };
}

function checkLayoutPlacement(
  off: number,
  len: number,
  dataLen: number,
  sections: DataSections,
  at: ErrorAt,
): void {
  const what = `kind layout section (offset ${off}, ${len} bytes)`;
  if (off % 4 !== 0) throw at(`${what} is not 4-byte aligned`, { offset: 24 });
  if (len % 4 !== 0) throw at(`${what} does not hold whole 4-byte entries`, { offset: 28 });
  if (off + len > dataLen) throw at(`${what} runs past the end of the data`, { offset: 24 });
  const overlaps = (s: { off: number; len: number }) => off < s.off + s.len && s.off < off + len;
  if (overlaps(sections.types)) throw at(`${what} overlaps the type section`, { offset: 24 });
  if (overlaps(sections.strings)) throw at(`${what} overlaps the string section`, { offset: 24 });
}

/** A layout entry for a kind we know must give the sizes that kind has (else the encoder disagrees with us). */
function checkKnownKindEntry(kind: number, entry: ForeignKindLayout, at: ErrorAt): void {
  const layout = KIND_LAYOUTS[kind];
  const infoSize = 4 * (layout?.info.length ?? 0);
  const elemSize = layout && vlenCountsElements(kind) ? 4 * layout.element.length : 0;
  if (entry.infoSize === infoSize && entry.elemSize === elemSize) return;
  throw at(
    `kind layout entry for ${kindName(kind)} says ${entry.infoSize}-byte data and ${entry.elemSize}-byte elements, ` +
      `but ${kindName(kind)} records have ${infoSize} and ${elemSize}`,
    { section: 'kind layout section', offset: kind * 4 },
  );
}

/**
 * Words of a record of a kind we do not know, from its kind layout entry; throws when the section has no entry for
 * the kind or the record would not end on a 4-byte boundary.
 */
function foreignRecordWords(
  header: Header,
  kind: number,
  vlen: number,
  at: ErrorAt,
  place: ErrorPlace,
): number {
  const layout = kind === Kind.UNKN ? undefined : header.foreign.get(kind);
  if (!layout) {
    const n = header.layoutEntries;
    const described = n === 0 ? '' : ` (the kind layout section describes kinds 0 to ${n - 1})`;
    throw at(`unsupported BTF kind ${kind}${described}`, place);
  }
  const bytes = layout.infoSize + vlen * layout.elemSize;
  if (bytes % 4 !== 0) {
    throw at(
      `${kindName(kind)} record with vlen ${vlen} has ${12 + bytes} bytes by its kind layout entry ` +
        `(${layout.infoSize}-byte data, ${layout.elemSize}-byte elements), not a multiple of 4`,
      place,
    );
  }
  return 3 + bytes / 4;
}

interface Walk {
  offsets: Uint32Array;
  candidateIds: Uint32Array;
  candidateKeys: Int32Array;
  /** The largest type id any record refers to. */
  maxTypeRef: number;
  /** Ids of the FUNC records whose targets were not checked during the walk. */
  laterFuncs: number[];
}

/** A per-kind table of all 128 kind numbers (the info word's 7 kind bits), from `KIND_LAYOUTS`. */
function kindTable<T extends Uint8Array | Int8Array>(
  table: T,
  fn: (layout: NonNullable<(typeof KIND_LAYOUTS)[number]>, kind: number) => number,
): T {
  KIND_LAYOUTS.forEach((layout, kind) => {
    if (layout) table[kind] = fn(layout, kind);
  });
  return table;
}

/** Per known kind (0 for others): words of the header and single trailing object. */
const FIXED_WORDS = kindTable(new Uint8Array(128), (l) => 3 + l.info.length);
/** Per kind: words of each vlen element (0 for FUNC, whose vlen is its linkage). */
const ELEMENT_WORDS = kindTable(new Uint8Array(128), (l, kind) =>
  vlenCountsElements(kind) ? l.element.length : 0,
);
/** Per kind: whether the header's size_or_type word is a type id. */
const HEADER_REFERS = kindTable(new Uint8Array(128), (l) => (l.header[2] === 't' ? 1 : 0));
/** Per kind: bit `i` set when word `3 + i` (of the single trailing object) is a type id. */
const INFO_TYPE_BITS = kindTable(new Uint8Array(128), (l) =>
  l.info.reduce((bits, role, i) => (role === 't' ? bits | (1 << i) : bits), 0),
);
/** Per kind: index of the string offset inside each element, or -1 (every kind has at most one). */
const ELEMENT_NAME_WORD = kindTable(new Int8Array(128).fill(-1), (l) => l.element.indexOf('s'));
/** Per kind: index of the type id inside each element, or -1 (every kind has at most one). */
const ELEMENT_TYPE_WORD = kindTable(new Int8Array(128).fill(-1), (l) => l.element.indexOf('t'));

/**
 * One pass over the records: index them into `room` (the offsets, and the named records of the
 * {@link CANDIDATE_KINDS} with the hashes of their essential names), check their sizes, string offsets (against
 * the string section) and type ids (against `typeLimit`; the largest is returned either way). Driven by small
 * typed-array tables derived from `KIND_LAYOUTS`: this loop runs over every word of every kernel. A name is hashed
 * after its offset is checked, and never read past its NUL (the string section ends with one).
 */
function walkRecords(
  bytes: Uint8Array,
  words: Uint32Array,
  room: IndexArrays,
  header: Header,
  typeLimit: number,
  at: ErrorAt,
): Walk {
  const { strLen, strStart } = header;
  const end = words.length;
  const { offsets, candidateIds, candidateKeys } = room;
  const laterFuncs: number[] = [];
  let maxTypeRef = 0;
  let candidates = 0;
  let id = 1;
  for (let p = 0; p < end; id++) {
    if (p + 3 > end) throw recordPastEnd(at, id, p, 'type record header', 12);
    offsets[id] = p;
    const nameOff = words[p] as number;
    if (nameOff >= strLen) throw badWord(at, words, id, p, 0, -1, strLen);
    const info = words[p + 1] as number;
    const kind = infoKind(info);
    if (nameOff !== 0 && IS_CANDIDATE_KIND[kind] === 1) {
      candidateIds[candidates] = id;
      candidateKeys[candidates++] = essentialNameHash(bytes, strStart + nameOff);
    }
    const vlen = infoVlen(info);
    const fixed = FIXED_WORDS[kind] as number;
    const elementWords = ELEMENT_WORDS[kind] as number;
    let size = fixed + vlen * elementWords;
    if (fixed === 0) {
      size = foreignRecordWords(header, kind, vlen, at, { offset: p * 4, typeId: id });
    }
    if (p + size > end)
      throw recordPastEnd(at, id, p, `${kindName(kind)} record with vlen ${vlen}`, size * 4);
    if (HEADER_REFERS[kind] === 1) {
      const t = words[p + 2] as number;
      if (t >= typeLimit) throw badWord(at, words, id, p, 2, -1, typeLimit);
      if (t > maxTypeRef) maxTypeRef = t;
      // A FUNC must refer to a FUNC_PROTO: checked now when that record is indexed already (the usual order),
      // else once every record is.
      if (kind === Kind.FUNC && (t >= id || !isFuncProto(words, offsets, t))) laterFuncs.push(id);
    }
    const infoTypeBits = INFO_TYPE_BITS[kind] as number;
    if (infoTypeBits !== 0) {
      for (let w = 3; w < fixed; w++) {
        if ((infoTypeBits & (1 << (w - 3))) === 0) continue;
        const t = words[p + w] as number;
        if (t >= typeLimit) throw badWord(at, words, id, p, w, -1, typeLimit);
        if (t > maxTypeRef) maxTypeRef = t;
      }
    }
    if (elementWords !== 0 && vlen !== 0) {
      const nameWord = ELEMENT_NAME_WORD[kind] as number;
      const typeWord = ELEMENT_TYPE_WORD[kind] as number;
      for (let e = 0, q = p + fixed; e < vlen; e++, q += elementWords) {
        if (nameWord >= 0 && (words[q + nameWord] as number) >= strLen)
          throw badWord(at, words, id, p, q + nameWord - p, e, strLen);
        if (typeWord >= 0) {
          const t = words[q + typeWord] as number;
          if (t >= typeLimit) throw badWord(at, words, id, p, q + typeWord - p, e, typeLimit);
          if (t > maxTypeRef) maxTypeRef = t;
        }
      }
    }
    p += size;
  }
  // A view, not a copy (of a reused IndexBuffer, or of a fresh array whose unwritten tail never becomes resident).
  return {
    offsets: offsets.subarray(0, id),
    candidateIds: candidateIds.subarray(0, candidates),
    candidateKeys: candidateKeys.subarray(0, candidates),
    maxTypeRef,
    laterFuncs,
  };
}

/** Whether type `id` (indexed, non-zero) is a FUNC_PROTO. */
function isFuncProto(words: Uint32Array, offsets: Uint32Array, id: number): boolean {
  return id !== 0 && infoKind(words[(offsets[id] as number) + 1] as number) === Kind.FUNC_PROTO;
}

/** Every FUNC must refer to a FUNC_PROTO. */
function checkFuncs(words: Uint32Array, offsets: Uint32Array, funcs: number[], at: ErrorAt): void {
  for (const id of funcs) {
    const target = words[(offsets[id] as number) + 2] as number;
    if (!isFuncProto(words, offsets, target)) {
      throw at(`FUNC refers to type id ${target}, which is not a FUNC_PROTO`, { typeId: id });
    }
  }
}

function recordPastEnd(at: ErrorAt, id: number, word: number, what: string, bytes: number): FormatError {
  return at(`${what} (${bytes} bytes) runs past the end of the type section`, {
    offset: word * 4,
    typeId: id,
  });
}

/**
 * The FormatError for word `index` (of element `element`, -1 for none) of record `id` (at word `p`): a string
 * offset or a type id (the kind's layout says which) that is not below `limit`.
 */
function badWord(
  at: ErrorAt,
  words: Uint32Array,
  id: number,
  p: number,
  index: number,
  element: number,
  limit: number,
): FormatError {
  const kind = infoKind(words[p + 1] as number);
  const value = words[p + index] as number;
  const layout = KIND_LAYOUTS[kind];
  const role = index === 0 || (layout && wordRole(layout, index) === 's') ? 'string offset' : 'type id';
  const what = element >= 0 ? `element ${element}` : index === 0 ? 'name' : index < 3 ? 'type' : 'data';
  const beyond =
    role === 'string offset' ? 'beyond the string section' : `beyond the last type id ${limit - 1}`;
  return at(`${kindName(kind)} ${what} has ${role} ${value} ${beyond}`, { typeId: id });
}
