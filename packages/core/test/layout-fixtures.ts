/**
 * Fixture generator for BTF in the newer encoders' format (kernel headers that define `struct btf_layout`,
 * libbpf >= 1.7, pahole >= 1.31): a 32-byte header whose `layout_off`/`layout_len` point at a kind-layout
 * section placed between the type and the string sections, one 4-byte entry `{u8 info_sz, u8 elem_sz,
 * u16 flags}` per kind number, and info words with a 24-bit vlen and a 7-bit kind.
 *
 * Everything is deterministic: the same base kernel always gives the same bytes. The kernel-like fixture starts
 * from a real kernel BTF of sample-snapshot/ and adds what new encoders may produce: a record of a kind no reader
 * knows (described only by the layout section) inserted early, so that every later type id moves, and a struct and
 * an enum with more than 65,535 members or values.
 */
import { Btf } from '../src/btf/btf.js';
import {
  BTF_LAYOUT_HEADER_LEN,
  KIND_LAYOUTS,
  Kind,
  packInfo,
  readBtfHeader,
  vlenCountsElements,
  wordRole,
  writeBtfHeader,
} from '../src/btf/format.js';
import { BtfWriter } from '../src/btf/writer.js';
import { readKernelBtf } from '../src/snapshot/input.js';
import { referenceKernel } from './btf-helpers.js';

/** One entry of a kind-layout section. */
export interface LayoutEntry {
  /** Bytes of the single object that follows the 12-byte record header. */
  infoSize: number;
  /** Bytes of each of the record's vlen elements. */
  elemSize: number;
  /** Reserved; encoders write 0. */
  flags?: number;
}

/** A kind number past every kind any reader knows today (the info word has room for 0..127). */
export const FUTURE_KIND = 25;
/** Layout of {@link FUTURE_KIND} records in the fixtures: one 4-byte object, then 8 bytes per vlen element. */
export const FUTURE_KIND_ENTRY: LayoutEntry = { infoSize: 4, elemSize: 8 };
/** Members of the wide struct and values of the wide enum: more than a 16-bit vlen can count. */
export const WIDE_COUNT = 70_000;
/** Name of the wide struct (members `m0` … `m69999`, each an `int` at byte offset 4 × index). */
export const WIDE_STRUCT = 'wide_struct';
/** Name of the wide enum (enumerators `WIDE_0` … `WIDE_69999`, value 3 × index). */
export const WIDE_ENUM = 'wide_enum';
/** Name of the future-kind record. */
export const FUTURE_NAME = 'future_kind_record';

/** The entries a current encoder writes for kinds 0..19 (what our own KIND_LAYOUTS says of each kind). */
export function knownKindEntries(): LayoutEntry[] {
  return KIND_LAYOUTS.map((layout, kind) => ({
    infoSize: 4 * (layout?.info.length ?? 0),
    elemSize: layout && vlenCountsElements(kind) ? 4 * layout.element.length : 0,
  }));
}

/** {@link knownKindEntries}, zero entries up to `kind`, and `entry` for `kind`. */
export function entriesWith(kind: number, entry: LayoutEntry): LayoutEntry[] {
  const entries = knownKindEntries();
  while (entries.length <= kind) entries.push({ infoSize: 0, elemSize: 0 });
  entries[kind] = entry;
  return entries;
}

/**
 * Re-packs a classic blob (24-byte header, types then strings, as {@link BtfWriter} writes) into the layout
 * format, in the blob's byte order: 32-byte header, the same type section, the layout entries, the same strings.
 */
export function withLayoutSection(classic: Uint8Array, entries: readonly LayoutEntry[]): Uint8Array {
  const header = readBtfHeader(classic);
  if (!header) throw new Error('withLayoutSection: not BTF');
  const { littleEndian: le, hdrLen, typeOff, typeLen, strOff, strLen } = header;
  const types = classic.subarray(hdrLen + typeOff, hdrLen + typeOff + typeLen);
  const strings = classic.subarray(hdrLen + strOff, hdrLen + strOff + strLen);
  const layoutLen = 4 * entries.length;
  const out = new Uint8Array(BTF_LAYOUT_HEADER_LEN + typeLen + layoutLen + strLen);
  const view = new DataView(out.buffer);
  writeBtfHeader(view, { typeLen, strLen, layoutLen }, le);
  out.set(types, BTF_LAYOUT_HEADER_LEN);
  entries.forEach((e, kind) => {
    const at = BTF_LAYOUT_HEADER_LEN + typeLen + 4 * kind;
    view.setUint8(at, e.infoSize);
    view.setUint8(at + 1, e.elemSize);
    view.setUint16(at + 2, e.flags ?? 0, le);
  });
  out.set(strings, BTF_LAYOUT_HEADER_LEN + typeLen + layoutLen);
  return out;
}

/**
 * The words of an unknown-kind record named `nameOff` with `vlen` elements, sized by `entry` (rounded up to whole
 * words) and filled with recognisable values.
 */
export function futureRecord(
  nameOff: number,
  vlen: number,
  kind = FUTURE_KIND,
  entry: LayoutEntry = FUTURE_KIND_ENTRY,
): number[] {
  const body = Math.ceil((entry.infoSize + vlen * entry.elemSize) / 4);
  return [nameOff, packInfo(kind, vlen, false), 7, ...Array.from({ length: body }, (_, i) => 0xdead0000 + i)];
}

/** What to add to a base kernel in {@link extendKernel}. */
export interface KernelExtras {
  /** Insert a {@link FUTURE_KIND} record (vlen 3) right after this type id (every later id moves by one). */
  futureAfter?: number;
  /** Append {@link WIDE_STRUCT} and {@link WIDE_ENUM}. */
  wide?: boolean;
}

/** Ids of the added types in an {@link extendKernel} result (ids of the base kernel's types are `newId(old)`). */
export interface ExtendedKernel {
  /** Classic blob (24-byte header); unreadable without a layout section when it holds the future record. */
  classic: Uint8Array;
  future?: number;
  wideStruct?: number;
  wideEnum?: number;
  /** New id of base type `old`. */
  newId: (old: number) => number;
}

/**
 * Re-emits every type of `base` with the writer (strings re-interned in record order, type ids moved past the
 * inserted record) and adds `extras`. The base kernel's types keep their words otherwise.
 */
export function extendKernel(base: Btf, extras: KernelExtras): ExtendedKernel {
  const w = new BtfWriter();
  const after = extras.futureAfter;
  const newId = (old: number) => (after !== undefined && old > after ? old + 1 : old);
  const result: ExtendedKernel = { classic: new Uint8Array(), newId };
  if (after === 0) result.future = w.addRecord(futureRecord(w.addString(FUTURE_NAME), 3));
  for (let id = 1; id < base.typeCount; id++) {
    const layout = KIND_LAYOUTS[base.kind(id)];
    if (!layout) throw new Error(`base kernel type ${id} has a kind we cannot copy`);
    const words = base.recordWords(id);
    for (let at = 0; at < words.length; at++) {
      const role = wordRole(layout, at);
      if (role === 's') words[at] = w.addString(base.string(words[at] as number));
      else if (role === 't') words[at] = newId(words[at] as number);
    }
    w.addRecord(words);
    if (id === after) result.future = w.addRecord(futureRecord(w.addString(FUTURE_NAME), 3));
  }
  if (extras.wide) {
    const int = newId(findInt(base, 'int'));
    result.wideStruct = w.addRecord(wideStructRecord(w, int));
    result.wideEnum = w.addRecord(wideEnumRecord(w));
  }
  result.classic = w.toBytes(base.littleEndian);
  return result;
}

function findInt(btf: Btf, name: string): number {
  for (let id = 1; id < btf.typeCount; id++)
    if (btf.kind(id) === Kind.INT && btf.name(id) === name) return id;
  throw new Error(`no INT '${name}' in the base kernel`);
}

function wideStructRecord(w: BtfWriter, int: number): number[] {
  const words = [w.addString(WIDE_STRUCT), packInfo(Kind.STRUCT, WIDE_COUNT, false), 4 * WIDE_COUNT];
  for (let i = 0; i < WIDE_COUNT; i++) words.push(w.addString(`m${i}`), int, 32 * i);
  return words;
}

function wideEnumRecord(w: BtfWriter): number[] {
  const words = [w.addString(WIDE_ENUM), packInfo(Kind.ENUM, WIDE_COUNT, false), 4];
  for (let i = 0; i < WIDE_COUNT; i++) words.push(w.addString(`WIDE_${i}`), 3 * i);
  return words;
}

/** The kernel fixtures built from one real base kernel. */
export interface LayoutKernels {
  /** The real kernel as read from sample-snapshot/ (classic header; libbpf 1.1 reads it). */
  plain: Uint8Array;
  /** The same types in the layout format (32-byte header, entries for kinds 0..19), nothing else. */
  layoutOnly: Uint8Array;
  /** Layout format, a future-kind record after type id 1 and the wide struct and enum at the end. */
  full: Uint8Array;
  /** `full` without its layout section and future record (classic header): what our reader sees minus the new kind. */
  wideClassic: Uint8Array;
  /** Ids in `full`. */
  ids: { future: number; wideStruct: number; wideEnum: number };
}

let kernels: Promise<LayoutKernels> | undefined;

/** The kernel fixtures from the reference kernel (built once per process). */
export function layoutKernels(): Promise<LayoutKernels> {
  kernels ??= buildLayoutKernels();
  return kernels;
}

async function buildLayoutKernels(): Promise<LayoutKernels> {
  const plain = (await readKernelBtf(referenceKernel)).slice();
  const base = Btf.parse(plain, { file: referenceKernel });
  const full = extendKernel(base, { futureAfter: 1, wide: true });
  const wide = extendKernel(base, { wide: true });
  return {
    plain,
    layoutOnly: withLayoutSection(plain, knownKindEntries()),
    full: withLayoutSection(full.classic, entriesWith(FUTURE_KIND, FUTURE_KIND_ENTRY)),
    wideClassic: wide.classic,
    ids: {
      future: full.future as number,
      wideStruct: full.wideStruct as number,
      wideEnum: full.wideEnum as number,
    },
  };
}

/** Options of {@link smallLayoutBtf}. */
export interface SmallLayoutOptions {
  /** Kind number of the unknown record (default {@link FUTURE_KIND}). */
  kind?: number;
  /** Its layout entry (default {@link FUTURE_KIND_ENTRY}). */
  entry?: LayoutEntry;
  /** vlen of the unknown record (default 3). */
  vlen?: number;
  littleEndian?: boolean;
}

/**
 * A small BTF in the layout format: [1] INT 'int', [2] the unknown-kind record {@link FUTURE_NAME} (its words from
 * {@link futureRecord}, sized by its entry), [3] TYPEDEF 'after_future' → int, [4] STRUCT 'pair'
 * { int a; int b; }. The layout section has entries for kinds 0..19 and for the unknown kind.
 */
export function smallLayoutBtf(opts: SmallLayoutOptions = {}): Uint8Array {
  const kind = opts.kind ?? FUTURE_KIND;
  const w = new BtfWriter();
  const int = w.addRecord([w.addString('int'), packInfo(Kind.INT, 0, false), 4, (1 << 24) | 32]);
  w.addRecord(futureRecord(w.addString(FUTURE_NAME), opts.vlen ?? 3, kind, opts.entry));
  w.addRecord([w.addString('after_future'), packInfo(Kind.TYPEDEF, 0, false), int]);
  w.addRecord([
    w.addString('pair'),
    packInfo(Kind.STRUCT, 2, false),
    8,
    w.addString('a'),
    int,
    0,
    w.addString('b'),
    int,
    32,
  ]);
  return withLayoutSection(
    w.toBytes(opts.littleEndian ?? true),
    entriesWith(kind, opts.entry ?? FUTURE_KIND_ENTRY),
  );
}
