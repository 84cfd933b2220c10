import { BundleCorruptError } from '../errors.js';
import { BTF_HEADER_LEN, HOST_LITTLE_ENDIAN, MAX_HISTORICAL_VLEN, writeBtfHeader } from './btf-layout.js';
import { ELEMENT_NAME, ELEMENT_WORDS, FIXED_WORDS, type StringTable, WORD_COLUMNS } from './btf-columns.js';
import { BtfColumn, ORDER_COLUMN, STORED_COLUMNS } from './constants.js';

const COLUMN_NAMES = [...Object.keys(BtfColumn), 'Order'];
const { Header, Name, Type, Offset } = BtfColumn;

/**
 * One BTF blob as the data section stores it: its {@link STORED_COLUMNS} columns of varints, column `c` being
 * `bytes[ranges[at + 2c], ranges[at + 2c + 1])`, and its record count.
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

/** The read position and end of every column of one blob being rebuilt; errors name the blob and the column. */
class Columns {
  readonly pos = new Int32Array(STORED_COLUMNS);
  readonly end = new Int32Array(STORED_COLUMNS);

  constructor(
    readonly bytes: Uint8Array,
    readonly what: string,
    ranges: Int32Array,
    at: number,
  ) {
    for (let c = 0; c < STORED_COLUMNS; c++) {
      this.pos[c] = ranges[at + 2 * c]!;
      this.end[c] = ranges[at + 2 * c + 1]!;
    }
  }

  /** A {@link BundleCorruptError} naming the blob, column `c` and its read offset. */
  corrupt(c: number, message: string): BundleCorruptError {
    return new BundleCorruptError(`${this.what} column ${COLUMN_NAMES[c]}: ${message} at offset ${this.pos[c]}`);
  }

  /**
   * The next value of column `c` (an unsigned LEB128 varint of at most 32 bits), its cursor moved past it. The
   * decoding loops read one-byte values in place and call this for the others.
   */
  varint(c: number): number {
    const { bytes, pos } = this;
    const end = this.end[c]!;
    let p = pos[c]!;
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      if (p >= end) throw this.corrupt(c, 'the records need more values than it holds');
      const b = bytes[p++]!;
      if (shift === 28) {
        if (b > 0x0f) throw this.corrupt(c, 'varint exceeds 32 bits');
        v = (v | (b << 28)) >>> 0;
        break;
      }
      v |= (b & 0x7f) << shift;
      if (b < 0x80) break;
    }
    pos[c] = p;
    return v;
  }

  /** Number of values (bytes below 0x80) of column `c`, for error messages. */
  count(c: number, from: number): number {
    let n = 0;
    for (let p = from; p < this.end[c]!; p++) if (this.bytes[p]! < 0x80) n++;
    return n;
  }
}

/**
 * The blob's schema ids in blob order (the Order column: 0 for "the previous id + 1") and the blob-local type id
 * (position + 1) of each schema id. Zero or repeated ids and a column that does not hold one id per record are
 * {@link BundleCorruptError}s.
 */
function readOrder(cols: Columns, records: number): { ids: Uint32Array; local: Map<number, number> } {
  const { bytes, pos, end } = cols;
  const from = pos[ORDER_COLUMN]!;
  const stop = end[ORDER_COLUMN]!;
  const ids = new Uint32Array(records);
  const local = new Map<number, number>();
  let prev = 0;
  for (let r = 0; r < records; r++) {
    const p = pos[ORDER_COLUMN]!;
    if (p >= stop) throw cols.corrupt(ORDER_COLUMN, `${cols.count(ORDER_COLUMN, from)} schema ids for ${records} records`);
    let id = bytes[p]!;
    if (id < 0x80) pos[ORDER_COLUMN] = p + 1;
    else id = cols.varint(ORDER_COLUMN);
    if (id === 0) id = (prev + 1) >>> 0;
    if (id === 0) throw cols.corrupt(ORDER_COLUMN, `schema id of record ${r} is zero`);
    if (local.has(id)) throw cols.corrupt(ORDER_COLUMN, `schema id ${id} is given twice (record ${r})`);
    local.set(id, r + 1);
    ids[r] = id;
    prev = id;
  }
  if (pos[ORDER_COLUMN] !== stop)
    throw cols.corrupt(ORDER_COLUMN, `${cols.count(ORDER_COLUMN, from)} schema ids for ${records} records`);
  return { ids, local };
}

/**
 * Decodes the blob's records as stored (sorted by schema id, one pass over each column) into `words` from
 * `base` on: names as global string ids, member offsets from their differences, type words as blob-local ids
 * (through `local`). `starts[k]` receives where stored record k begins (relative to `base`), `starts[records]`
 * the end; returns the number of words. Every column must be read exactly to its end.
 */
function readRecords(
  cols: Columns,
  records: number,
  local: Map<number, number>,
  stringCount: number,
  words: Uint32Array,
  base: number,
  starts: Int32Array,
): number {
  const { bytes, pos, end } = cols;
  const capacity = words.length - base;
  let w = 0;
  for (let k = 0; k < records; k++) {
    starts[k] = w;
    let p = pos[Header]!;
    let kb = bytes[p]!;
    if (kb < 0x80 && p < end[Header]!) pos[Header] = p + 1;
    else kb = cols.varint(Header);
    p = pos[Header]!;
    let vlen = bytes[p]!;
    if (vlen < 0x80 && p < end[Header]!) pos[Header] = p + 1;
    else vlen = cols.varint(Header);
    const kind = kb & 0x1f;
    const fixed = FIXED_WORDS[kind]!;
    if (kb >= 0x40 || vlen > MAX_HISTORICAL_VLEN || fixed === 0)
      throw cols.corrupt(Header, `record ${k} has an invalid header`);
    const n = fixed + ELEMENT_WORDS[kind]! * vlen;
    if (w + n > capacity)
      throw cols.corrupt(Header, `record ${k} runs past a ${BTF_HEADER_LEN + 4 * capacity}-byte blob`);
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
      // One- and two-byte values inline, longer ones (and the end of a column) through `varint`.
      p = pos[c]!;
      let v = bytes[p]!;
      if (v < 0x80 && p < end[c]!) pos[c] = p + 1;
      else if (v >= 0x80 && bytes[p + 1]! < 0x80 && p + 1 < end[c]!) {
        v = (v & 0x7f) | (bytes[p + 1]! << 7);
        pos[c] = p + 2;
      } else v = cols.varint(c);
      if (c === Name) {
        if (v >= stringCount) throw cols.corrupt(Name, `string id ${v} out of range`);
      } else if (c === Type) {
        if (v !== 0) {
          const id = local.get(v);
          if (id === undefined) throw cols.corrupt(Type, `type refers to schema id ${v}, not in the blob`);
          v = id;
        }
      } else if (c === Offset) {
        prevOffset = (prevOffset + ((v >>> 1) ^ -(v & 1))) | 0;
        v = prevOffset >>> 0;
      }
      words[at + j] = v;
    }
    w += n;
  }
  starts[records] = w;
  for (let c = 0; c < ORDER_COLUMN; c++)
    if (pos[c] !== end[c])
      throw cols.corrupt(c, `the records need ${cols.count(c, 0) - cols.count(c, pos[c]!)} values, more are left`);
  return w;
}

/**
 * Copies the stored records (in `words` from `base` on, `starts` as {@link readRecords} left them) into blob
 * order at the start of `words`: record r of the blob is the stored record whose schema id is `ids[r]`, the k-th
 * smallest id being stored record k. Runs of records stored one after the other (most of them) move as one block.
 */
function toBlobOrder(
  words: Uint32Array,
  base: number,
  starts: Int32Array,
  ids: Uint32Array,
  local: Map<number, number>,
): void {
  const records = ids.length;
  // The ids are distinct: a plain numeric sort (no comparator to interpret) gives the stored order.
  const sorted = ids.slice().sort();
  const slot = new Int32Array(records);
  for (let k = 0; k < records; k++) slot[local.get(sorted[k]!)! - 1] = k;
  let at = 0;
  for (let r = 0; r < records; ) {
    const first = slot[r]!;
    let next = r + 1;
    while (next < records && slot[next] === slot[next - 1]! + 1) next++;
    const from = base + starts[first]!;
    const to = base + starts[first + next - r]!;
    words.copyWithin(at, from, to);
    at += to - from;
    r = next;
  }
}

/**
 * Replaces the global string id in every name word of the `count` type words (blob order) by its offset in the
 * blob's string section, laid out in order of first use after the empty string; returns the section's length
 * and fills `used` with the global ids in layout order (`used.length` is how many there are).
 */
function placeNames(
  words: Uint32Array,
  count: number,
  strings: StringTable,
  seen: Int32Array,
  size: number,
  cols: Columns,
): { length: number; used: Int32Array } {
  const starts = strings.starts;
  const used = new Int32Array(Math.min(seen.length, count + 1));
  seen.fill(-1);
  seen[0] = 0;
  let length = starts[1]! - starts[0]!;
  let n = 1;
  for (let at = 0; at < count; ) {
    const info = words[at + 1]!;
    const kind = (info >>> 24) & 0x1f;
    const step = ELEMENT_WORDS[kind]!;
    const end = at + FIXED_WORDS[kind]! + step * (info & 0xffff);
    const name = ELEMENT_NAME[kind]!;
    // The record's name, then (for kinds whose elements are named) each element's.
    for (let q = at, next = name < 0 ? end : at + FIXED_WORDS[kind]! + name; q < end; q = next, next += step) {
      const id = words[q]!;
      let offset = seen[id]!;
      if (offset < 0) {
        offset = length;
        seen[id] = offset;
        used[n++] = id;
        length += starts[id + 1]! - starts[id]!;
        if (length > size) throw cols.corrupt(Name, `strings exceed the ${size}-byte blob`);
      }
      words[q] = offset;
    }
    at = end;
  }
  return { length, used: used.subarray(0, n) };
}

/**
 * Rebuilds one BTF blob from its stored columns (docs/bundle-format.md): records stored sorted by schema id,
 * put back in blob order by the Order column, schema ids in type words turned into blob-local ids, names
 * resolved against the global `strings` and the string section rebuilt in first-use order (`seen` is scratch
 * space of one entry per global string). Each column is read once, front to back. Throws a
 * {@link BundleCorruptError} naming `what` (the blob), the column and the offset on anything inconsistent:
 * invalid headers, values missing or left over, duplicate or zero schema ids, a type word naming a schema id the
 * blob does not have, a result that is not exactly `size` bytes. Checks the size against what the columns can
 * produce before allocating for it.
 */
export function rebuildBtf(blob: StoredBtf, strings: StringTable, seen: Int32Array, what: string): Uint8Array {
  const { records, size } = blob;
  const cols = new Columns(blob.bytes, what, blob.ranges, blob.at);
  const { ids, local } = readOrder(cols, records);
  const capacity = Math.max(0, (size - BTF_HEADER_LEN) >> 2);
  const headerBytes = cols.end[Header]! - cols.pos[Header]!;
  if (records * 2 > headerBytes)
    throw cols.corrupt(Header, `${records} records need ${records * 2} values, it has ${headerBytes} bytes`);
  // Each value takes at least a byte and gives at most a word; the strings come from the table.
  let valueBytes = 0;
  for (let c = 0; c < ORDER_COLUMN; c++) valueBytes += cols.end[c]! - cols.pos[c]!;
  const stringBytes = strings.starts[strings.starts.length - 1]! - strings.starts[0]!;
  if (records * 3 > capacity || capacity > valueBytes + stringBytes / 4)
    throw cols.corrupt(Header, `${records} records cannot make a ${size}-byte blob`);
  const words = new Uint32Array(2 * capacity);
  const starts = new Int32Array(records + 1);
  const count = readRecords(cols, records, local, seen.length, words, capacity, starts);
  toBlobOrder(words, capacity, starts, ids, local);
  const names = placeNames(words, count, strings, seen, size, cols);
  const typeLen = 4 * count;
  const total = BTF_HEADER_LEN + typeLen + names.length;
  if (total !== size) throw cols.corrupt(Header, `BTF blob would be ${total} bytes, not ${size}`);
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  writeBtfHeader(view, { typeLen, strLen: names.length }, blob.littleEndian);
  if (blob.littleEndian === HOST_LITTLE_ENDIAN) out.set(new Uint8Array(words.buffer, 0, typeLen), BTF_HEADER_LEN);
  else for (let i = 0; i < count; i++) view.setUint32(BTF_HEADER_LEN + 4 * i, words[i]!, blob.littleEndian);
  // Consecutive global ids are consecutive in the table, NULs included: each run is one copy.
  const { used } = names;
  let o = BTF_HEADER_LEN + typeLen;
  for (let i = 0; i < used.length; ) {
    let next = i + 1;
    while (next < used.length && used[next] === used[next - 1]! + 1) next++;
    const from = strings.starts[used[i]!]!;
    const to = strings.starts[used[next - 1]! + 1]!;
    out.set(strings.bytes.subarray(from, to), o);
    o += to - from;
    i = next;
  }
  return out;
}
