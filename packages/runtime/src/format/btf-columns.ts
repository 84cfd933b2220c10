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

/** One column of one blob as decoded values, read in order; errors name the blob, the column and the place. */
export class ColumnCursor {
  private pos = 0;
  constructor(
    private readonly values: Uint32Array,
    private readonly what: string,
  ) {}

  /** The next value. */
  next(): number {
    if (this.pos >= this.values.length) throw this.corrupt('runs out of values');
    return this.values[this.pos++]!;
  }

  /** Values not read yet. */
  get remaining(): number {
    return this.values.length - this.pos;
  }

  /** A corruption error naming this column and the current value index. */
  corrupt(message: string): BundleCorruptError {
    return new BundleCorruptError(`${this.what}: ${message} at value ${this.pos}`);
  }
}

/**
 * Rebuilds one BTF blob from its column values (indexed by {@link BtfColumn}; the inverse of core's column
 * encoder, docs/bundle-format.md): `records` records, names resolved against the global `strings`, the string
 * section rebuilt in first-use order. Throws a {@link BundleCorruptError} naming the column and value on anything
 * inconsistent, including a result that is not exactly `size` bytes or values left over.
 */
export function buildBtf(
  cols: readonly ColumnCursor[],
  records: number,
  strings: readonly Uint8Array[],
  littleEndian: boolean,
  size: number,
  seen: Int32Array,
): Uint8Array {
  const hdr = cols[BtfColumn.Header]!;
  const maxWords = Math.max(0, (size - BTF_HEADER_SIZE) >> 2);
  if (records * 2 > hdr.remaining || records * 3 > maxWords)
    throw hdr.corrupt(`${records} records cannot fit in a ${size}-byte blob`);
  const words = new Uint32Array(maxWords);
  const used: number[] = [];
  let strLen = 0;
  seen.fill(-1);
  const name = (id: number): number => {
    if (id >= strings.length) throw cols[Name]!.corrupt(`string id ${id} out of range`);
    let off = seen[id]!;
    if (off < 0) {
      off = strLen;
      seen[id] = off;
      used.push(id);
      strLen += strings[id]!.length + 1;
      if (strLen > size) throw cols[Name]!.corrupt(`strings exceed the ${size}-byte blob`);
    }
    return off;
  };
  name(0); // the empty string at offset 0 (global id 0)
  let at = 0;
  for (let rec = 0; rec < records; rec++) {
    const tid = rec + 1;
    const kb = hdr.next();
    const kind = kb & 0x1f;
    const vlen = hdr.next();
    const info = ((kb >>> 5) << 31) | (kind << 24) | vlen;
    const n = kb < 0x40 && vlen <= 0xffff ? recordWords(info) : undefined;
    if (n === undefined) throw hdr.corrupt(`record ${rec} has an invalid header`);
    if (at + n > maxWords) throw hdr.corrupt(`record ${rec} runs past a ${size}-byte blob`);
    words[at] = name(cols[Name]!.next());
    words[at + 1] = info >>> 0;
    let prevOff = 0;
    let prevVal = -1;
    for (let j = 2; j < n; j++) {
      const col = columnOf(kind, j);
      const v = cols[col]!.next();
      let w: number;
      if (col === Name) w = name(v);
      else if (col === Type) w = (tid + unzigzag(v)) >>> 0;
      else if (col === Offset) w = prevOff = (prevOff + unzigzag(v)) >>> 0;
      else if (col === Value) w = prevVal = (prevVal + 1 + unzigzag(v)) >>> 0;
      else w = v;
      words[at + j] = w;
    }
    at += n;
  }
  for (const c of cols) if (c.remaining !== 0) throw c.corrupt(`${c.remaining} values left over`);
  const out = new Uint8Array(size);
  if (BTF_HEADER_SIZE + 4 * at + strLen !== size)
    throw hdr.corrupt(`BTF blob would be ${BTF_HEADER_SIZE + 4 * at + strLen} bytes, not ${size}`);
  const view = new DataView(out.buffer);
  const typeLen = 4 * at;
  view.setUint16(0, 0xeb9f, littleEndian);
  out[2] = 1;
  view.setUint32(4, BTF_HEADER_SIZE, littleEndian);
  view.setUint32(12, typeLen, littleEndian);
  view.setUint32(16, typeLen, littleEndian);
  view.setUint32(20, strLen, littleEndian);
  for (let i = 0; i < at; i++) view.setUint32(BTF_HEADER_SIZE + 4 * i, words[i]!, littleEndian);
  let o = BTF_HEADER_SIZE + typeLen;
  for (const id of used) {
    out.set(strings[id]!, o);
    o += strings[id]!.length + 1;
  }
  return out;
}
