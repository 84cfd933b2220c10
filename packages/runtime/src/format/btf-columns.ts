import { BundleCorruptError } from '../errors.js';
import {
  BTF_HEADER_LEN,
  HISTORICAL_KIND_BITS,
  HOST_LITTLE_ENDIAN,
  infoKind,
  infoVlen,
  KIND_LAYOUTS,
  Kind,
  MAX_HISTORICAL_VLEN,
  packInfo,
  vlenCountsElements,
  wordRole,
  writeBtfHeader,
} from './btf-layout.js';
import { BTF_COLUMNS, BtfColumn } from './constants.js';
import { unzigzag } from './reader.js';

const { Name, Type, Size, Offset, Value, Misc } = BtfColumn;

/** Words of the fixed part (header and single trailing object) and of each trailing element, per known kind. */
const LAYOUT: readonly (readonly [fixed: number, perElem: number])[] = KIND_LAYOUTS.map((layout, kind) =>
  layout && kind !== Kind.UNKN
    ? [3 + layout.info.length, vlenCountsElements(kind) ? layout.element.length : 0]
    : [0, 0],
);

/**
 * The plain (`-`) words whose column is not the default, per kind: by word index in the fixed part (`fixed`) or in
 * each element (`element`). By default a plain word 2 is a size ({@link BtfColumn.Size}) and any other plain word
 * goes to {@link BtfColumn.Misc}; string offsets go to {@link BtfColumn.Name}, type ids to {@link BtfColumn.Type}.
 */
const PLAIN_COLUMNS: Readonly<
  Partial<
    Record<number, { fixed?: Readonly<Record<number, number>>; element?: Readonly<Record<number, number>> }>
  >
> = {
  [Kind.ARRAY]: { fixed: { 2: Type } }, // the unused word 2 (always 0) goes with the type ids
  [Kind.STRUCT]: { element: { 2: Offset } }, // member bit offset
  [Kind.UNION]: { element: { 2: Offset } },
  [Kind.ENUM]: { element: { 1: Value } }, // enumerator value
  [Kind.DATASEC]: { element: { 2: Size } }, // var_secinfo size
  [Kind.ENUM64]: { element: { 1: Value } }, // enumerator value (low word; the high word is Misc)
};

/** Bits of the codec's record header value above the kind: the kind_flag. */
const KIND_BITS = HISTORICAL_KIND_BITS;

/**
 * Info bits a stored record must leave clear (those outside the historical 5-bit kind and 16-bit vlen, and not the
 * kind_flag); anything else is stored verbatim.
 */
export const INFO_RESERVED = ~packInfo((1 << KIND_BITS) - 1, MAX_HISTORICAL_VLEN, true) >>> 0;

/** The record header value of the {@link BtfColumn.Header} column for an `info` word: kind | kind_flag << 5. */
export function recordHeaderValue(info: number): number {
  return infoKind(info) | ((info >>> 31) << KIND_BITS);
}

/** Number of u32 words of the type record whose `info` word is given, or undefined for an unknown kind. */
export function recordWords(info: number): number | undefined {
  const layout = LAYOUT[infoKind(info)];
  if (!layout || layout[0] === 0) return undefined;
  return layout[0] + layout[1] * infoVlen(info);
}

/** The column (a {@link BtfColumn}) word `j >= 2` of a record of known kind `kind` is stored in. */
export function columnOf(kind: number, j: number): number {
  const role = wordRole(KIND_LAYOUTS[kind]!, j);
  if (role === 's') return Name;
  if (role === 't') return Type;
  const [fixed, per] = LAYOUT[kind]!;
  const plain = PLAIN_COLUMNS[kind];
  if (j < fixed) return plain?.fixed?.[j] ?? (j === 2 ? Size : Misc);
  return plain?.element?.[(j - fixed) % per] ?? Misc;
}

/**
 * Per kind, the column of every word from word 2 on of its fixed part (`FIXED_COLUMNS[kind]`) and of one trailing
 * element (`ELEM_COLUMNS[kind]`): {@link columnOf} as flat tables, for the decoder's inner loop.
 */
const FIXED_COLUMNS: readonly Uint8Array[] = LAYOUT.map(([fixed], kind) =>
  Uint8Array.from({ length: Math.max(0, fixed - 2) }, (_, i) => (kind === 0 ? 0 : columnOf(kind, i + 2))),
);
const ELEM_COLUMNS: readonly Uint8Array[] = LAYOUT.map(([fixed, per], kind) =>
  Uint8Array.from({ length: per }, (_, i) => columnOf(kind, fixed + i)),
);

/**
 * The packed `info` word and word count of a record whose {@link BtfColumn.Header} values are `kb` (kind |
 * kind_flag << 5) and `vlen`, or undefined when they do not describe a storable record.
 */
export function headerRecord(kb: number, vlen: number): { info: number; words: number } | undefined {
  if (kb >= 2 << KIND_BITS || vlen > MAX_HISTORICAL_VLEN) return undefined;
  const info = packInfo(kb & ((1 << KIND_BITS) - 1), vlen, kb >>> KIND_BITS === 1);
  const words = recordWords(info);
  return words === undefined ? undefined : { info, words };
}

/**
 * Per kind, how many values a record takes from each column: `[fixed, perElement]`, each indexed by
 * {@link BtfColumn} (the header's two values and the name included in `fixed`).
 */
export const COLUMN_COUNTS: readonly (readonly [Int32Array, Int32Array])[] = FIXED_COLUMNS.map(
  (fixed, kind) => {
    const counts = new Int32Array(BTF_COLUMNS);
    counts[BtfColumn.Header] = 2;
    counts[Name] = 1;
    for (const c of fixed) counts[c]!++;
    const perElem = new Int32Array(BTF_COLUMNS);
    for (const c of ELEM_COLUMNS[kind]!) perElem[c]!++;
    return [counts, perElem] as const;
  },
);

/**
 * The bundle's global string table, kept as the bytes it is stored in: string `id` is
 * `bytes[starts[id], starts[id + 1] - 1)` (each string is followed by its NUL), nothing decoded or copied until a
 * rebuilt blob uses it.
 */
export interface StringTable {
  /** The bytes holding the NUL-terminated strings. */
  readonly bytes: Uint8Array;
  /** Where each string starts, then the end of the last string's NUL (one more entry than strings). */
  readonly starts: Int32Array;
}

/** The {@link StringTable} of `strings` (each laid out followed by a NUL). */
export function tableOfStrings(strings: readonly Uint8Array[]): StringTable {
  const starts = new Int32Array(strings.length + 1);
  for (let i = 0; i < strings.length; i++) starts[i + 1] = starts[i]! + strings[i]!.length + 1;
  const bytes = new Uint8Array(starts[strings.length]!);
  for (let i = 0; i < strings.length; i++) bytes.set(strings[i]!, starts[i]!);
  return { bytes, starts };
}

/** The string section of a BTF being rebuilt: global string ids to offsets, in first-use order. */
class StringSection {
  /** Global ids in the order their strings are laid out. */
  readonly used: number[] = [];
  /** Bytes of the section so far. */
  length = 0;

  constructor(
    private readonly strings: StringTable,
    private readonly seen: Int32Array,
    private readonly size: number,
    private readonly corrupt: (message: string) => Error,
  ) {
    seen.fill(-1);
    this.offset(0); // the empty string at offset 0 (global id 0)
  }

  /** The offset of global string `id`, laid out at the end on its first use. */
  offset(id: number): number {
    const starts = this.strings.starts;
    if (id >= starts.length - 1) throw this.corrupt(`string id ${id} out of range`);
    let off = this.seen[id]!;
    if (off < 0) {
      off = this.length;
      this.seen[id] = off;
      this.used.push(id);
      this.length += starts[id + 1]! - starts[id]!;
      if (this.length > this.size) throw this.corrupt(`strings exceed the ${this.size}-byte blob`);
    }
    return off;
  }
}

/**
 * How a blob's records are stored when not in blob order (see `storedOrder`): where each stored record's values
 * start, which stored record each blob record is, and what a stored type word stands for.
 */
export interface StoredOrder {
  /** `starts[c][s]`: the first value of stored record s in column c. */
  starts: readonly Int32Array[];
  /** `slot[r]`: the stored record that is record r of the blob. */
  slot: Int32Array;
  /** The blob-local type id each stored type word (a schema id, never 0) stands for; no entry if no record of
   * the blob has it. */
  typeIds: ReadonlyMap<number, number>;
}

/** The read position of each column (read in place by `decodeRecords`), and errors naming a column and its place. */
class ColumnCursor {
  readonly pos: Int32Array;

  constructor(
    readonly cols: readonly Uint32Array[],
    private readonly what: (column: number) => string,
  ) {
    this.pos = new Int32Array(cols.length);
  }

  /** A {@link BundleCorruptError} naming column `c` and the cursor's place in it. */
  corrupt(c: number, message: string): BundleCorruptError {
    return new BundleCorruptError(`${this.what(c)}: ${message} at value ${this.pos[c]}`);
  }

  /** Moves every column's cursor to stored record `s` of `order`. */
  seek(order: StoredOrder, s: number): void {
    for (let c = 0; c < this.pos.length; c++) this.pos[c] = order.starts[c]![s]!;
  }

  /** Throws unless every column has been read to its end. */
  finish(): void {
    this.cols.forEach((c, i) => {
      if (this.pos[i] !== c.length) throw this.corrupt(i, `${c.length - this.pos[i]!} values left over`);
    });
  }
}

/**
 * Decodes `records` type records from `cur` into `words` (names through `strings`, member offsets from their
 * differences, records and type words through `order` when given); returns the number of words written. One flat
 * loop over each record's words, the column cursors read in place: this runs once per blob in a cold process,
 * where every call and closure is interpreted.
 */
function decodeRecords(
  cur: ColumnCursor,
  records: number,
  words: Uint32Array,
  strings: StringSection,
  order: StoredOrder | undefined,
): number {
  const { cols, pos } = cur;
  const header = cols[BtfColumn.Header]!;
  let at = 0;
  for (let rec = 0; rec < records; rec++) {
    // Runs of records stored one after the other (most of them) need no seek.
    if (order && (rec === 0 || order.slot[rec] !== order.slot[rec - 1]! + 1))
      cur.seek(order, order.slot[rec]!);
    const hp = pos[BtfColumn.Header]!;
    if (hp + 2 > header.length) {
      pos[BtfColumn.Header] = Math.min(hp + 1, header.length);
      throw cur.corrupt(BtfColumn.Header, 'runs out of values');
    }
    pos[BtfColumn.Header] = hp + 2;
    const kb = header[hp]!;
    const head = headerRecord(kb, header[hp + 1]!);
    if (head === undefined) throw cur.corrupt(BtfColumn.Header, `record ${rec} has an invalid header`);
    const n = head.words;
    if (at + n > words.length)
      throw cur.corrupt(
        BtfColumn.Header,
        `record ${rec} runs past a ${BTF_HEADER_LEN + 4 * words.length}-byte blob`,
      );
    const kind = kb & ((1 << KIND_BITS) - 1);
    const fixed = FIXED_COLUMNS[kind]!;
    const elem = ELEM_COLUMNS[kind]!;
    const fixedEnd = 2 + fixed.length;
    words[at + 1] = head.info;
    let prevOffset = 0;
    // Word 0 is the name; words 1 (info) and the rest follow the kind's column tables.
    for (let j = 0, e = 0; j < n; j++) {
      if (j === 1) continue;
      let c: number = Name;
      if (j >= fixedEnd) {
        c = elem[e]!;
        e = e + 1 === elem.length ? 0 : e + 1;
      } else if (j >= 2) c = fixed[j - 2]!;
      const values = cols[c]!;
      const p = pos[c]!;
      if (p >= values.length) throw cur.corrupt(c, 'runs out of values');
      pos[c] = p + 1;
      let v = values[p]!;
      if (c === Name) v = strings.offset(v);
      else if (c === Offset) {
        prevOffset = (prevOffset + unzigzag(v)) | 0;
        v = prevOffset >>> 0;
      } else if (c === Type && order && v !== 0) {
        const t = order.typeIds.get(v);
        if (t === undefined) {
          pos[c] = p;
          throw cur.corrupt(Type, `type refers to schema id ${v}, not in the blob`);
        }
        v = t;
      }
      words[at + j] = v;
    }
    at += n;
  }
  return at;
}

/** Lays out a BTF blob: header, the first `count` type words, then the strings in `section` order. */
function layOutBtf(
  words: Uint32Array,
  count: number,
  section: StringSection,
  strings: StringTable,
  littleEndian: boolean,
  size: number,
): Uint8Array {
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  const typeLen = 4 * count;
  writeBtfHeader(view, { typeLen, strLen: section.length }, littleEndian);
  if (littleEndian === HOST_LITTLE_ENDIAN) out.set(new Uint8Array(words.buffer, 0, typeLen), BTF_HEADER_LEN);
  else for (let i = 0; i < count; i++) view.setUint32(BTF_HEADER_LEN + 4 * i, words[i]!, littleEndian);
  let o = BTF_HEADER_LEN + typeLen;
  const { bytes, starts } = strings;
  for (const id of section.used) {
    const start = starts[id]!;
    const end = starts[id + 1]!; // past the NUL, which the zeroed output already holds
    out.set(bytes.subarray(start, end - 1), o);
    o += end - start;
  }
  return out;
}

/**
 * Rebuilds one BTF blob from its column values (indexed by {@link BtfColumn}; the inverse of core's column
 * encoder, docs/bundle-format.md): `records` records, in blob order or as `order` says (whose starts have
 * checked the column lengths), names resolved against the global `strings`, the string section rebuilt in
 * first-use order. Throws a {@link BundleCorruptError} naming the column (`what(column)`) and the value on
 * anything inconsistent, including a result that is not exactly `size` bytes or values left over.
 */
export function buildBtf(
  cols: readonly Uint32Array[],
  what: (column: number) => string,
  records: number,
  strings: StringTable,
  littleEndian: boolean,
  size: number,
  seen: Int32Array,
  order?: StoredOrder,
): Uint8Array {
  const cur = new ColumnCursor(cols, what);
  const words = new Uint32Array(Math.max(0, (size - BTF_HEADER_LEN) >> 2));
  if (records * 2 > cols[BtfColumn.Header]!.length || records * 3 > words.length)
    throw cur.corrupt(BtfColumn.Header, `${records} records cannot fit in a ${size}-byte blob`);
  const section = new StringSection(strings, seen, size, (m) => cur.corrupt(Name, m));
  const count = decodeRecords(cur, records, words, section, order);
  if (!order) cur.finish();
  const total = BTF_HEADER_LEN + 4 * count + section.length;
  if (total !== size) throw cur.corrupt(BtfColumn.Header, `BTF blob would be ${total} bytes, not ${size}`);
  return layOutBtf(words, count, section, strings, littleEndian, size);
}
