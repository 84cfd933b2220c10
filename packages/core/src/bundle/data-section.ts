import {
  BlobMode,
  BTF_COLUMNS,
  BtfColumn,
  ByteWriter,
  columnOf,
  encodeOrder,
  INFO_RESERVED,
  infoKind,
  infoVlen,
  rebuildBtf,
  recordHeaderValue,
  recordStarts,
  recordWords,
  type SplitBtf,
  STORED_COLUMNS,
  splitBtf,
  tableOfStrings,
  toSchemaOrder,
  zigzag,
} from '@btf-bundle/runtime/internal';
import { schemaKeys } from './schema-keys.js';

/** Numbers keys in first-use order; additions can be taken back ({@link rollback}). */
class Interner<T> {
  readonly list: T[] = [];
  private readonly keys: string[] = [];
  private readonly ids = new Map<string, number>();

  /** The id of `key` (standing for `value`), adding it when new. */
  id(key: string, value: T): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.list.length;
      this.ids.set(key, id);
      this.keys.push(key);
      this.list.push(value);
    }
    return id;
  }

  /** Forgets the keys added after the table had `size` entries. */
  rollback(size: number): void {
    for (const key of this.keys.splice(size)) this.ids.delete(key);
    this.list.length = size;
  }
}

/** The global string table: strings in first-use order, the empty string first (id 0). */
function stringTable(): Interner<Uint8Array> {
  const table = new Interner<Uint8Array>();
  table.id('', new Uint8Array(0));
  return table;
}

/** The id of string `s` in `table`. */
const stringId = (table: Interner<Uint8Array>, s: Uint8Array) =>
  table.id(Buffer.from(s.buffer, s.byteOffset, s.length).toString('latin1'), s);

/** Column values of one BTF blob (indexed by {@link BtfColumn}) and its record count. */
interface BlobColumns {
  values: ArrayLike<number>[];
  records: number;
  littleEndian: boolean;
}

/**
 * A BTF blob as stored: the bytes of its record columns (records sorted by schema id) and of its Order column
 * (its schema ids in blob order), indexed by stored column.
 */
interface StoredBlob {
  columns: Uint8Array[];
  records: number;
  littleEndian: boolean;
}

/**
 * Splits one canonical BTF into column values (docs/bundle-format.md), or returns undefined when its records
 * cannot be represented (unknown kind, reserved info bits, a name that is not the start of a string).
 */
function encodeColumns(split: SplitBtf, table: Interner<Uint8Array>): BlobColumns | undefined {
  const byOffset = new Map<number, Uint8Array>();
  let off = 0;
  for (const s of split.strings) {
    byOffset.set(off, s);
    off += s.length + 1;
  }
  const cols: number[][] = Array.from({ length: BTF_COLUMNS }, () => []);
  const name = (w: number) => {
    const s = byOffset.get(w);
    return s && stringId(table, s);
  };
  const { words } = split;
  let records = 0;
  for (let at = 0; at < words.length; records++) {
    const info = words[at + 1];
    const n = info === undefined || info & INFO_RESERVED ? undefined : recordWords(info);
    const id0 = name(words[at]!);
    if (n === undefined || at + n > words.length || id0 === undefined) return undefined;
    const kind = infoKind(info!);
    cols[BtfColumn.Header]!.push(recordHeaderValue(info!), infoVlen(info!));
    cols[BtfColumn.Name]!.push(id0);
    let prevOff = 0;
    for (let j = 2; j < n; j++) {
      const w = words[at + j]!;
      const col = columnOf(kind, j);
      let v: number;
      if (col === BtfColumn.Name) {
        const id = name(w);
        if (id === undefined) return undefined;
        v = id;
      } else if (col === BtfColumn.Offset) {
        v = zigzag((w - prevOff) | 0);
        prevOff = w;
      } else v = w;
      cols[col]!.push(v);
    }
    at += n;
  }
  return { values: cols, records, littleEndian: split.littleEndian };
}

/**
 * `cols` with the records sorted by schema id (keys from {@link schemaKeys}, numbered from 1 in `schema`) and
 * coded as column bytes, or undefined when a type id points outside the blob.
 */
function toStored(cols: BlobColumns, schema: Interner<null>): StoredBlob | undefined {
  const what = 'encodeDataSection';
  const keys = schemaKeys(cols.values, recordStarts(cols.values, cols.records, what));
  const ids = keys.map((k) => schema.id(k, null) + 1);
  const values = toSchemaOrder(cols.values, ids, what);
  if (!values) return undefined;
  const columns = [...values, encodeOrder(ids)].map((column) => {
    const w = new ByteWriter();
    for (let k = 0; k < column.length; k++) w.varint(column[k]!);
    return w.finish();
  });
  return { columns, records: cols.records, littleEndian: cols.littleEndian };
}

/** Whether `stored` rebuilds exactly `blob` (names imply the string section only for bpftool-like BTF). */
function roundTrips(stored: StoredBlob, blob: Uint8Array, strings: readonly Uint8Array[]): boolean {
  const ranges = new Int32Array(2 * STORED_COLUMNS);
  const bytes = new ByteWriter();
  stored.columns.forEach((column, c) => {
    ranges[2 * c] = bytes.length;
    bytes.bytes(column);
    ranges[2 * c + 1] = bytes.length;
  });
  const coded = { ...stored, bytes: bytes.finish(), ranges, at: 0, size: blob.length };
  try {
    const out = rebuildBtf(coded, tableOfStrings(strings), new Int32Array(strings.length), 'check');
    return Buffer.from(out).equals(Buffer.from(blob));
  } catch {
    return false;
  }
}

/** `blob` as stored (see {@link StoredBlob}), or undefined (nothing added to the tables) for a verbatim one. */
function storeBlob(
  blob: Uint8Array,
  table: Interner<Uint8Array>,
  schema: Interner<null>,
): StoredBlob | undefined {
  const split = splitBtf(blob);
  const [strings, ids] = [table.list.length, schema.list.length];
  const cols = split && encodeColumns(split, table);
  const stored = cols && toStored(cols, schema);
  if (stored && roundTrips(stored, blob, table.list)) return stored;
  table.rollback(strings);
  schema.rollback(ids);
  return undefined;
}

/**
 * Encodes distinct blobs (already in their final order) into the uncompressed data part described in
 * docs/bundle-format.md: a global string table, per-blob heads (mode, record count, each column's length or the
 * earlier blob whose equal column it shares), the columns of every BTF blob (records sorted by schema id, then the
 * order of its records; each distinct column once), then the verbatim blobs. A blob is stored as BTF only if its columns rebuild
 * it exactly.
 */
export function encodeDataSection(blobs: readonly Uint8Array[]): Uint8Array {
  const table = stringTable();
  const schema = new Interner<null>();
  const verbatim: Uint8Array[] = [];
  const coded = blobs.map((blob) => {
    const stored = storeBlob(blob, table, schema);
    if (!stored) verbatim.push(blob);
    return stored;
  });
  const heads = new ByteWriter();
  const cols = Array.from({ length: STORED_COLUMNS }, () => new ByteWriter());
  // Per column: each content seen so far → the last blob that has it. A column equal to an earlier blob's is not
  // stored again: its head refers to the nearest such blob (2 × distance + 1, mostly 1) instead of giving its length
  // (2 × length).
  const lastWith = Array.from({ length: STORED_COLUMNS }, () => new Map<string, number>());
  coded.forEach((cur, i) => {
    if (!cur) {
      heads.varint(BlobMode.Verbatim);
      return;
    }
    heads.varint(cur.littleEndian ? BlobMode.BtfLittle : BlobMode.BtfBig);
    heads.varint(cur.records);
    cur.columns.forEach((column, c) => {
      const key = Buffer.from(column.buffer, column.byteOffset, column.length).toString('latin1');
      const last = column.length > 0 ? lastWith[c]!.get(key) : undefined;
      if (column.length > 0) lastWith[c]!.set(key, i);
      if (last !== undefined) {
        heads.varint(2 * (i - 1 - last) + 1);
        return;
      }
      heads.varint(2 * column.length);
      cols[c]!.bytes(column);
    });
  });
  const out = new ByteWriter();
  out.varint(table.list.length);
  for (const s of table.list) {
    out.bytes(s);
    out.byte(0);
  }
  out.bytes(heads.finish());
  for (const c of cols) out.bytes(c.finish());
  for (const v of verbatim) out.bytes(v);
  return out.finish();
}
