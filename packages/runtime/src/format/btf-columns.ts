import { BundleCorruptError } from '../errors.js';
import { BTF_HEADER_SIZE, BtfColumn } from './constants.js';
import { unzigzag } from './reader.js';

/** Words (u32) of the fixed part and of each trailing element, per BTF kind 1..19, as the kernel's BTF format lays them out. */
const LAYOUT: readonly (readonly [fixed: number, perElem: number])[] = [
  [0, 0], // 0 UNKN: never stored
  [4, 0], // INT
  [3, 0], // PTR
  [6, 0], // ARRAY
  [3, 3], // STRUCT
  [3, 3], // UNION
  [3, 2], // ENUM
  [3, 0], // FWD
  [3, 0], // TYPEDEF
  [3, 0], // VOLATILE
  [3, 0], // CONST
  [3, 0], // RESTRICT
  [3, 0], // FUNC (vlen is the linkage)
  [3, 2], // FUNC_PROTO
  [4, 0], // VAR
  [3, 3], // DATASEC
  [3, 0], // FLOAT
  [4, 0], // DECL_TAG
  [3, 0], // TYPE_TAG
  [3, 3], // ENUM64
];

const { Name, Type, Size, Offset, Value, Misc } = BtfColumn;

/** Kinds whose word 2 is a size (or 0 for FWD) rather than a type id. */
const SIZED = new Set([1, 4, 5, 6, 7, 15, 16, 19]);

/** Column of each fixed word from 3 on, per kind (absent: none). */
const FIXED_ROLES: Readonly<Record<number, readonly number[]>> = {
  1: [Misc], // INT encoding
  3: [Type, Type, Misc], // ARRAY type, index_type, nelems
  14: [Misc], // VAR linkage
  17: [Misc], // DECL_TAG component_idx
};

/** Column of each word of a trailing element, per kind with elements. */
const ELEM_ROLES: Readonly<Record<number, readonly number[]>> = {
  4: [Name, Type, Offset], // STRUCT member
  5: [Name, Type, Offset], // UNION member
  6: [Name, Value], // ENUM enumerator
  13: [Name, Type], // FUNC_PROTO param
  15: [Type, Misc, Size], // DATASEC var_secinfo
  19: [Name, Value, Misc], // ENUM64 enumerator (lo, hi)
};

/** Info bits a stored record must leave clear (16..23 and 29..30); anything else is stored verbatim. */
export const INFO_RESERVED = 0x60ff0000;

/** Kind of a BTF `info` word. */
export const kindOf = (info: number): number => (info >>> 24) & 0x1f;

/** Number of u32 words of the type record whose `info` word is given, or undefined for an unknown kind. */
export function recordWords(info: number): number | undefined {
  const kind = kindOf(info);
  const layout = kind === 0 ? undefined : LAYOUT[kind];
  if (!layout) return undefined;
  return layout[0] + layout[1] * (info & 0xffff);
}

/** The column (a {@link BtfColumn}) word `j >= 2` of a record of kind `kind` is stored in. */
export function columnOf(kind: number, j: number): number {
  if (j === 2) return SIZED.has(kind) ? Size : Type;
  const [fixed, per] = LAYOUT[kind]!;
  if (j < fixed) return FIXED_ROLES[kind]![j - 3]!;
  return ELEM_ROLES[kind]![(j - fixed) % per]!;
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
  const maxWords = Math.max(0, (size - BTF_HEADER_SIZE) >> 2);
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
    const kind = kb & 0x1f;
    const vlen = next(BtfColumn.Header);
    const info = ((kb >>> 5) << 31) | (kind << 24) | vlen;
    const n = kb < 0x40 && vlen <= 0xffff ? recordWords(info) : undefined;
    if (n === undefined) throw corrupt(BtfColumn.Header, `record ${rec} has an invalid header`);
    if (at + n > maxWords) throw corrupt(BtfColumn.Header, `record ${rec} runs past a ${size}-byte blob`);
    words[at] = name(next(Name));
    words[at + 1] = info >>> 0;
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
  if (BTF_HEADER_SIZE + 4 * at + strLen !== size)
    throw corrupt(
      BtfColumn.Header,
      `BTF blob would be ${BTF_HEADER_SIZE + 4 * at + strLen} bytes, not ${size}`,
    );
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  const typeLen = 4 * at;
  view.setUint16(0, 0xeb9f, littleEndian);
  out[2] = 1;
  view.setUint32(4, BTF_HEADER_SIZE, littleEndian);
  view.setUint32(12, typeLen, littleEndian);
  view.setUint32(16, typeLen, littleEndian);
  view.setUint32(20, strLen, littleEndian);
  if (littleEndian === HOST_LITTLE_ENDIAN) out.set(new Uint8Array(words.buffer, 0, typeLen), BTF_HEADER_SIZE);
  else for (let i = 0; i < at; i++) view.setUint32(BTF_HEADER_SIZE + 4 * i, words[i]!, littleEndian);
  let o = BTF_HEADER_SIZE + typeLen;
  for (const id of used) {
    out.set(strings[id]!, o);
    o += strings[id]!.length + 1;
  }
  return out;
}

const HOST_LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;
