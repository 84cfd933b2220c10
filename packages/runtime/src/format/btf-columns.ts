import {
  HISTORICAL_KIND_BITS,
  infoKind,
  infoVlen,
  KIND_LAYOUTS,
  Kind,
  MAX_HISTORICAL_VLEN,
  packInfo,
  vlenCountsElements,
  wordRole,
} from './btf-layout.js';
import { BTF_COLUMNS, BtfColumn } from './constants.js';

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
 * element (`ELEM_COLUMNS[kind]`): {@link columnOf} as flat tables.
 */
const FIXED_COLUMNS: readonly Uint8Array[] = LAYOUT.map(([fixed], kind) =>
  Uint8Array.from({ length: Math.max(0, fixed - 2) }, (_, i) => (kind === 0 ? 0 : columnOf(kind, i + 2))),
);
const ELEM_COLUMNS: readonly Uint8Array[] = LAYOUT.map(([fixed, per], kind) =>
  Uint8Array.from({ length: per }, (_, i) => columnOf(kind, fixed + i)),
);

/** Kind numbers the record header value can hold (5 bits): the size of the decoder's per-kind tables. */
const HEADER_KINDS = 1 << KIND_BITS;

/** Per kind (5-bit kind of a record header value): words of its fixed part; 0 for a kind that is never stored. */
export const FIXED_WORDS = Uint8Array.from({ length: HEADER_KINDS }, (_, kind) => LAYOUT[kind]?.[0] ?? 0);

/** Per kind: words of each trailing element (0 when vlen counts none). */
export const ELEMENT_WORDS = Uint8Array.from({ length: HEADER_KINDS }, (_, kind) => LAYOUT[kind]?.[1] ?? 0);

/**
 * Per kind: the column of every word of a record but its info word, for the decoder's inner loop: the name
 * (word 0), words 2.. of the fixed part, then the words of one element (repeated for each element).
 */
export const WORD_COLUMNS: readonly Uint8Array[] = Array.from({ length: HEADER_KINDS }, (_, kind) =>
  Uint8Array.of(Name, ...(FIXED_COLUMNS[kind] ?? []), ...(ELEM_COLUMNS[kind] ?? [])),
);

/** Per kind: the index of the name word in each element, or -1 when its elements have no name. */
export const ELEMENT_NAME = Int8Array.from({ length: HEADER_KINDS }, (_, kind) =>
  (ELEM_COLUMNS[kind] ?? new Uint8Array(0)).indexOf(Name),
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
