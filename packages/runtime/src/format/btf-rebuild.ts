import { BundleCorruptError } from '../errors.js';
import { ELEMENT_NAME, ELEMENT_WORDS, FIXED_WORDS, type StringTable, WORD_COLUMNS } from './btf-columns.js';
import { BTF_HEADER_LEN, HOST_LITTLE_ENDIAN, MAX_HISTORICAL_VLEN, writeBtfHeader } from './btf-layout.js';
import { BtfColumn, ORDER_COLUMN, STORED_COLUMNS } from './constants.js';

// The decoder of a stored blob. In a fresh process every function is compiled on its first call and every line
// interpreted: the decoding loops read the columns in place through two cursor arrays, and the error messages are
// built by the functions below, compiled only when something is wrong.

const COLUMN_NAMES = [...Object.keys(BtfColumn), 'Order'];
const { Header, Name, Type, Offset } = BtfColumn;

/**
 * One BTF blob as the data section stores it: its {@link STORED_COLUMNS} columns of varints, column `c` being
 * `bytes[ranges[at + 2c], ranges[at + 2c + 1])`, its record count, byte order and rebuilt size.
 */
export interface StoredBtf {
  /** The bytes holding the columns. */
  readonly bytes: Uint8Array;
  /** Start and end of each column, from index `at` on. */
  readonly ranges: Int32Array;
  /** Where the blob's column ranges start in `ranges`. */
  readonly at: number;
  /** Number of type records. */
  readonly records: number;
  /** True for a little-endian BTF. */
  readonly littleEndian: boolean;
  /** Byte size of the rebuilt BTF. */
  readonly size: number;
}

/** Read position (`pos[c]`) and end (`end[c]`) of each column of the blob `what` being rebuilt. */
interface Cursors {
  readonly bytes: Uint8Array;
  readonly pos: Int32Array;
  readonly end: Int32Array;
  readonly what: string;
}

/** A {@link BundleCorruptError} naming the blob, column `c` and its read offset. */
function corrupt(cur: Cursors, c: number, message: string): BundleCorruptError {
  return new BundleCorruptError(`${cur.what} column ${COLUMN_NAMES[c]}: ${message} at offset ${cur.pos[c]}`);
}

/** Number of varints in `bytes[from, to)` (bytes below 0x80), for error messages. */
function countValues(bytes: Uint8Array, from: number, to: number): number {
  let n = 0;
  for (let p = from; p < to; p++) if (bytes[p]! < 0x80) n++;
  return n;
}

/**
 * The next value of column `c` (unsigned LEB128, at most 32 bits), its cursor moved past it; the decoding loops
 * read one- and two-byte values in place and call this for the others and at the end of a column.
 */
function varint(cur: Cursors, c: number): number {
  const { bytes, pos } = cur;
  const end = cur.end[c]!;
  let p = pos[c]!;
  let v = 0;
  for (let shift = 0; ; shift += 7) {
    if (p >= end) throw corrupt(cur, c, 'the records need more values than it holds');
    const b = bytes[p++]!;
    if (shift === 28) {
      if (b > 0x0f) throw corrupt(cur, c, 'varint exceeds 32 bits');
      v = (v | (b << 28)) >>> 0;
      break;
    }
    v |= (b & 0x7f) << shift;
    if (b < 0x80) break;
  }
  pos[c] = p;
  return v;
}

/** The error for an Order column that does not hold one schema id per record. */
function orderCountError(cur: Cursors, from: number, records: number): BundleCorruptError {
  const ids = countValues(cur.bytes, from, cur.end[ORDER_COLUMN]!);
  return corrupt(cur, ORDER_COLUMN, `${ids} schema ids for ${records} records`);
}

/** The error for a blob whose record count or size cannot come from its columns. */
function sizeError(cur: Cursors, records: number, size: number): BundleCorruptError {
  const headerBytes = cur.end[Header]! - cur.pos[Header]!;
  return records * 2 > headerBytes
    ? corrupt(cur, Header, `${records} records need ${records * 2} values, it has ${headerBytes} bytes`)
    : corrupt(cur, Header, `${records} records cannot make a ${size}-byte blob`);
}

/** The error for a column that holds values after the last record's. */
function leftOverError(cur: Cursors, c: number): BundleCorruptError {
  const left = countValues(cur.bytes, cur.pos[c]!, cur.end[c]!);
  return corrupt(cur, c, `the records need fewer values: ${left} left over`);
}

/**
 * Decodes the blob's records as stored (sorted by schema id; one pass over each column) into `words` from
 * `base` on: names as global string ids, member offsets from their differences, type words as blob-local ids
 * (through `local`). `starts[k]` receives where stored record k begins (relative to `base`), `starts[records]`
 * the end; returns the number of words. Every column must be read exactly to its end.
 */
function readRecords(
  cur: Cursors,
  local: Map<number, number>,
  stringCount: number,
  words: Uint32Array,
  base: number,
  starts: Int32Array,
): number {
  const { bytes, pos, end } = cur;
  const records = starts.length - 1;
  const capacity = words.length - base;
  let w = 0;
  for (let k = 0; k < records; k++) {
    starts[k] = w;
    let p = pos[Header]!;
    let kb = bytes[p]!;
    if (kb < 0x80 && p < end[Header]!) pos[Header] = p + 1;
    else kb = varint(cur, Header);
    p = pos[Header]!;
    let vlen = bytes[p]!;
    if (vlen < 0x80 && p < end[Header]!) pos[Header] = p + 1;
    else vlen = varint(cur, Header);
    const kind = kb & 0x1f;
    const fixed = FIXED_WORDS[kind]!;
    if (kb >= 0x40 || vlen > MAX_HISTORICAL_VLEN || fixed === 0)
      throw corrupt(cur, Header, `record ${k} has an invalid header`);
    const n = fixed + ELEMENT_WORDS[kind]! * vlen;
    if (w + n > capacity)
      throw corrupt(cur, Header, `record ${k} runs past a ${BTF_HEADER_LEN + 4 * capacity}-byte blob`);
    const at = base + w;
    words[at + 1] = ((kb & 0x20) << 26) | (kind << 24) | vlen;
    // Every word but the info word, through the kind's column table: the fixed part, then each element's.
    const table = WORD_COLUMNS[kind]!;
    const last = table.length - 1;
    const wrap = fixed - 1;
    let prevOffset = 0;
    for (let j = 0, t = 0; j < n; j = j === 0 ? 2 : j + 1) {
      const c = table[t]!;
      t = t === last ? wrap : t + 1;
      p = pos[c]!;
      let v = bytes[p]!;
      if (v < 0x80 && p < end[c]!) pos[c] = p + 1;
      else if (v >= 0x80 && bytes[p + 1]! < 0x80 && p + 1 < end[c]!) {
        v = (v & 0x7f) | (bytes[p + 1]! << 7);
        pos[c] = p + 2;
      } else v = varint(cur, c);
      if (c === Name) {
        if (v >= stringCount) throw corrupt(cur, Name, `string id ${v} out of range`);
      } else if (c === Type) {
        if (v !== 0) {
          const id = local.get(v);
          if (id === undefined) throw corrupt(cur, Type, `type refers to schema id ${v}, not in the blob`);
          v = id;
        }
      } else if (c === Offset) {
        // A zigzag-coded delta (writer.ts's `zigzag`), decoded in place.
        prevOffset = (prevOffset + ((v >>> 1) ^ -(v & 1))) | 0;
        v = prevOffset >>> 0;
      }
      words[at + j] = v;
    }
    w += n;
  }
  starts[records] = w;
  for (let c = 0; c < ORDER_COLUMN; c++) if (pos[c] !== end[c]) throw leftOverError(cur, c);
  return w;
}

/**
 * Lays out the rebuilt blob: the header, the `count` type words of `words` (blob order), whose name words are
 * turned from global string ids into offsets in the string section, laid out in order of first use after the
 * empty string (`seen`: scratch space of one entry per global string). Consecutive global ids are consecutive
 * in the table, NULs included, so each run of them is one copy.
 */
function layOut(
  cur: Cursors,
  words: Uint32Array,
  count: number,
  strings: StringTable,
  seen: Int32Array,
  littleEndian: boolean,
  size: number,
): Uint8Array {
  const starts = strings.starts;
  const used = new Int32Array(Math.min(seen.length, count + 1));
  seen.fill(-1);
  seen[0] = 0;
  let strLen = starts[1]! - starts[0]!;
  let n = 1;
  for (let at = 0; at < count; ) {
    const info = words[at + 1]!;
    const kind = (info >>> 24) & 0x1f;
    const step = ELEMENT_WORDS[kind]!;
    const recordEnd = at + FIXED_WORDS[kind]! + step * (info & 0xffff);
    const name = ELEMENT_NAME[kind]!;
    // The record's name, then (for kinds whose elements are named) each element's.
    for (let q = at, next = name < 0 ? recordEnd : at + FIXED_WORDS[kind]! + name; q < recordEnd; ) {
      const id = words[q]!;
      let offset = seen[id]!;
      if (offset < 0) {
        offset = strLen;
        seen[id] = offset;
        used[n++] = id;
        strLen += starts[id + 1]! - starts[id]!;
        if (strLen > size) throw corrupt(cur, Name, `strings exceed the ${size}-byte blob`);
      }
      words[q] = offset;
      q = next;
      next += step;
    }
    at = recordEnd;
  }
  const typeLen = 4 * count;
  const total = BTF_HEADER_LEN + typeLen + strLen;
  if (total !== size) throw corrupt(cur, Header, `BTF blob would be ${total} bytes, not ${size}`);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  writeBtfHeader(view, { typeLen, strLen }, littleEndian);
  if (littleEndian === HOST_LITTLE_ENDIAN) out.set(new Uint8Array(words.buffer, 0, typeLen), BTF_HEADER_LEN);
  else for (let i = 0; i < count; i++) view.setUint32(BTF_HEADER_LEN + 4 * i, words[i]!, littleEndian);
  let o = BTF_HEADER_LEN + typeLen;
  for (let i = 0; i < n; ) {
    let next = i + 1;
    while (next < n && used[next] === used[next - 1]! + 1) next++;
    const from = starts[used[i]!]!;
    const to = starts[used[next - 1]! + 1]!;
    out.set(strings.bytes.subarray(from, to), o);
    o += to - from;
    i = next;
  }
  return out;
}

/**
 * Rebuilds one BTF blob from its stored columns (docs/bundle-format.md): the records, stored sorted by schema
 * id, are decoded in one pass over each column, then put back in blob order as the Order column says (runs of
 * records stored one after the other move as one block), schema ids in type words becoming blob-local ids; names
 * are resolved against the global `strings` and the string section rebuilt in first-use order (`seen` is
 * scratch space of one entry per global string). Throws a {@link BundleCorruptError} naming `what` (the blob),
 * the column and the offset on anything inconsistent: invalid headers, values missing or left over, zero or
 * repeated schema ids, a type word naming a schema id the blob does not have, a result that is not exactly
 * `size` bytes. The size is checked against what the columns can produce before anything is allocated for it.
 */
export function rebuildBtf(
  blob: StoredBtf,
  strings: StringTable,
  seen: Int32Array,
  what: string,
): Uint8Array {
  const { bytes, records, size } = blob;
  const cur: Cursors = {
    bytes,
    pos: new Int32Array(STORED_COLUMNS),
    end: new Int32Array(STORED_COLUMNS),
    what,
  };
  const { pos, end } = cur;
  let valueBytes = 0;
  for (let c = 0; c < STORED_COLUMNS; c++) {
    pos[c] = blob.ranges[blob.at + 2 * c]!;
    end[c] = blob.ranges[blob.at + 2 * c + 1]!;
    if (c !== ORDER_COLUMN) valueBytes += end[c]! - pos[c]!;
  }
  // The schema ids in blob order (Order column: 0 for "the previous id + 1") and the blob-local id of each.
  const from = pos[ORDER_COLUMN]!;
  const ids = new Uint32Array(records);
  const local = new Map<number, number>();
  for (let r = 0, id = 0; r < records; r++) {
    const p = pos[ORDER_COLUMN]!;
    if (p >= end[ORDER_COLUMN]!) throw orderCountError(cur, from, records);
    let v = bytes[p]!;
    if (v < 0x80) pos[ORDER_COLUMN] = p + 1;
    else v = varint(cur, ORDER_COLUMN);
    id = v === 0 ? (id + 1) >>> 0 : v;
    if (id === 0) throw corrupt(cur, ORDER_COLUMN, `schema id of record ${r} is zero`);
    if (local.has(id)) throw corrupt(cur, ORDER_COLUMN, `schema id ${id} is given twice (record ${r})`);
    local.set(id, r + 1);
    ids[r] = id;
  }
  if (pos[ORDER_COLUMN] !== end[ORDER_COLUMN]) throw orderCountError(cur, from, records);
  // Each value takes at least a byte and gives at most a word; the strings come from the table.
  const capacity = Math.max(0, (size - BTF_HEADER_LEN) >> 2);
  const stringBytes = strings.starts[strings.starts.length - 1]! - strings.starts[0]!;
  if (
    records * 2 > end[Header]! - pos[Header]! ||
    records * 3 > capacity ||
    capacity > valueBytes + stringBytes / 4
  )
    throw sizeError(cur, records, size);
  // Records as stored go to the upper half of `words`, then move to the lower half in blob order: record r is
  // the stored record whose schema id is ids[r], the k-th smallest id being stored record k.
  const words = new Uint32Array(2 * capacity);
  const starts = new Int32Array(records + 1);
  const count = readRecords(cur, local, seen.length, words, capacity, starts);
  const sorted = ids.slice().sort(); // distinct ids: a plain numeric sort, no comparator to interpret
  const slot = new Int32Array(records);
  for (let k = 0; k < records; k++) slot[local.get(sorted[k]!)! - 1] = k;
  for (let r = 0, at = 0; r < records; ) {
    let next = r + 1;
    while (next < records && slot[next] === slot[next - 1]! + 1) next++;
    const start = capacity + starts[slot[r]!]!;
    const stop = capacity + starts[slot[r]! + next - r]!;
    words.copyWithin(at, start, stop);
    at += stop - start;
    r = next;
  }
  return layOut(cur, words, count, strings, seen, blob.littleEndian, size);
}
