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
import { BtfColumn } from './constants.js';
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
 * Rebuilds one BTF blob from its column values (indexed by {@link BtfColumn}; the inverse of core's column
 * encoder, docs/bundle-format.md): `records` records, names resolved against the global `strings`, the string
 * section rebuilt in first-use order. Throws a {@link BundleCorruptError} naming the column (`what(column)`) and
 * the value on anything inconsistent, including a result that is not exactly `size` bytes or values left over.
 */
export function buildBtf(
  cols: readonly Uint32Array[],
  what: (column: number) => string,
  records: number,
  strings: readonly Uint8Array[],
  littleEndian: boolean,
  size: number,
  seen: Int32Array,
): Uint8Array {
  const pos = new Int32Array(cols.length);
  const corrupt = (c: number, message: string) =>
    new BundleCorruptError(`${what(c)}: ${message} at value ${pos[c]}`);
  const next = (c: number): number => {
    const values = cols[c]!;
    const p = pos[c]!;
    if (p >= values.length) throw corrupt(c, 'runs out of values');
    pos[c] = p + 1;
    return values[p]!;
  };
  const maxWords = Math.max(0, (size - BTF_HEADER_LEN) >> 2);
  if (records * 2 > cols[BtfColumn.Header]!.length || records * 3 > maxWords)
    throw corrupt(BtfColumn.Header, `${records} records cannot fit in a ${size}-byte blob`);
  const words = new Uint32Array(maxWords);
  const used: number[] = [];
  let strLen = 0;
  seen.fill(-1);
  const name = (id: number): number => {
    if (id >= strings.length) throw corrupt(Name, `string id ${id} out of range`);
    let off = seen[id]!;
    if (off < 0) {
      off = strLen;
      seen[id] = off;
      used.push(id);
      strLen += strings[id]!.length + 1;
      if (strLen > size) throw corrupt(Name, `strings exceed the ${size}-byte blob`);
    }
    return off;
  };
  name(0); // the empty string at offset 0 (global id 0)
  const put = (col: number, v: number, state: Int32Array): number => {
    if (col === Name) return name(v);
    if (col === Offset) {
      state[0] = state[0]! + unzigzag(v);
      return state[0]! >>> 0;
    }
    return v;
  };
  const state = new Int32Array(1); // previous member offset
  let at = 0;
  for (let rec = 0; rec < records; rec++) {
    const kb = next(BtfColumn.Header);
    const kind = kb & ((1 << KIND_BITS) - 1);
    const vlen = next(BtfColumn.Header);
    const info = packInfo(kind, vlen, kb >>> KIND_BITS === 1);
    const n = kb < 2 << KIND_BITS && vlen <= MAX_HISTORICAL_VLEN ? recordWords(info) : undefined;
    if (n === undefined) throw corrupt(BtfColumn.Header, `record ${rec} has an invalid header`);
    if (at + n > maxWords) throw corrupt(BtfColumn.Header, `record ${rec} runs past a ${size}-byte blob`);
    words[at] = name(next(Name));
    words[at + 1] = info;
    state[0] = 0;
    const fixed = FIXED_COLUMNS[kind]!;
    let j = 2;
    for (let f = 0; f < fixed.length; f++, j++) words[at + j] = put(fixed[f]!, next(fixed[f]!), state);
    const elem = ELEM_COLUMNS[kind]!;
    for (let e = 0; j < n; j++, e = e + 1 === elem.length ? 0 : e + 1)
      words[at + j] = put(elem[e]!, next(elem[e]!), state);
    at += n;
  }
  cols.forEach((c, i) => {
    if (pos[i] !== c.length) throw corrupt(i, `${c.length - pos[i]!} values left over`);
  });
  if (BTF_HEADER_LEN + 4 * at + strLen !== size)
    throw corrupt(
      BtfColumn.Header,
      `BTF blob would be ${BTF_HEADER_LEN + 4 * at + strLen} bytes, not ${size}`,
    );
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  const typeLen = 4 * at;
  writeBtfHeader(view, { typeLen, strLen }, littleEndian);
  if (littleEndian === HOST_LITTLE_ENDIAN) out.set(new Uint8Array(words.buffer, 0, typeLen), BTF_HEADER_LEN);
  else for (let i = 0; i < at; i++) view.setUint32(BTF_HEADER_LEN + 4 * i, words[i]!, littleEndian);
  let o = BTF_HEADER_LEN + typeLen;
  for (const id of used) {
    out.set(strings[id]!, o);
    o += strings[id]!.length + 1;
  }
  return out;
}
