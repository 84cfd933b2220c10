import { BundleCorruptError } from '../errors.js';
import { buildBtf } from '../format/btf-columns.js';
import { addReference, readColumnValues } from '../format/column-values.js';
import {
  BlobMode,
  BTF_COLUMNS,
  BtfColumn,
  MAX_REF_DEPTH,
  MAX_SECTION_SIZE,
  ORDER_COLUMN,
  STORED_COLUMNS,
} from '../format/constants.js';
import type { ByteReader } from '../format/reader.js';
import { decodeOrder, fromSchemaOrder } from '../format/record-order.js';

const COLUMN_NAMES = [...Object.keys(BtfColumn), 'Order'];

/** A BTF blob's stored columns, references applied: records sorted by schema id, and its schema ids. */
interface StoredBlob {
  columns: Uint32Array[];
  ids: Uint32Array;
}

/** Where one blob is in the data section and how it is coded. */
interface BlobHead {
  mode: number;
  /** Type records (BTF modes). */
  records: number;
  /** Index of the reference blob, or -1. */
  ref: number;
  /** Bit c set: record column c holds differences from the reference's column c. */
  deltaMask: number;
  /** Start of each column's bytes (BTF modes; while parsing the heads: each column's length), or of the
   * verbatim bytes (at [0]). */
  starts: number[];
  /** End of each range of {@link starts}. */
  ends: number[];
}

/**
 * The data part of the payload (layout in docs/bundle-format.md), parsed only as far as its string table and
 * per-blob heads. {@link get} rebuilds one blob from its columns (and those of the blobs it is coded against,
 * at most {@link MAX_REF_DEPTH} in all): records stored in schema order, put back in blob order by its Order
 * column; nothing else is decoded. Every failure is a typed bundle error naming
 * the blob, the column and the place.
 */
export class DataSection {
  private readonly bytes: Uint8Array;
  private readonly strings: Uint8Array[];
  private readonly heads: BlobHead[];
  private readonly sizes: readonly number[];
  private readonly stored = new Map<number, StoredBlob>();
  private seen: Int32Array | undefined;

  /** Reads the string table and blob heads from `r` (to its end); `blobSizes` come from the index. */
  constructor(r: ByteReader, blobSizes: readonly number[]) {
    this.bytes = r.bytes;
    this.sizes = blobSizes;
    const total = blobSizes.reduce((a, b) => a + b, 0);
    if (total > MAX_SECTION_SIZE) throw r.corrupt(`index declares ${total} bytes of blobs`);
    // Every entry takes at least one byte, so counts are bounded by the bytes left before allocating.
    const stringCount = r.count(r.remaining, 'string count');
    if (stringCount === 0) throw r.corrupt('empty string table');
    this.strings = new Array(stringCount);
    for (let i = 0; i < stringCount; i++) this.strings[i] = r.cstring();
    const depth: number[] = [];
    const heads: BlobHead[] = [];
    for (let i = 0; i < blobSizes.length; i++) {
      const mode = r.varint();
      if (mode === BlobMode.Verbatim) {
        heads.push({ mode, records: 0, ref: -1, deltaMask: 0, starts: [], ends: [] });
        depth.push(1);
        continue;
      }
      if (mode !== BlobMode.BtfLittle && mode !== BlobMode.BtfBig)
        throw r.corrupt(`blob ${i}: unknown mode ${mode}`);
      const records = r.count(r.remaining, 'record count');
      const back = r.count(i, 'reference distance');
      const ref = back === 0 ? -1 : i - back;
      const deltaMask = r.count(back === 0 ? 0 : (1 << BTF_COLUMNS) - 1, 'delta mask');
      if (ref >= 0 && heads[ref]!.mode === BlobMode.Verbatim)
        throw r.corrupt(`blob ${i}: refers to verbatim blob ${ref}`);
      const d = ref < 0 ? 1 : depth[ref]! + 1;
      if (d > MAX_REF_DEPTH) throw r.corrupt(`blob ${i}: reference chain longer than ${MAX_REF_DEPTH}`);
      depth.push(d);
      const lengths: number[] = [];
      for (let c = 0; c < STORED_COLUMNS; c++) lengths.push(r.count(r.remaining, 'column length'));
      heads.push({ mode, records, ref, deltaMask, starts: lengths, ends: [] });
    }
    // Columns follow the heads, each the concatenation of every BTF blob's part; then the verbatim blobs.
    for (let c = 0; c < STORED_COLUMNS; c++) {
      for (const h of heads) {
        if (h.mode === BlobMode.Verbatim) continue;
        const start = r.pos;
        r.take(h.starts[c]!);
        h.starts[c] = start;
        h.ends[c] = r.pos;
      }
    }
    heads.forEach((h, i) => {
      if (h.mode !== BlobMode.Verbatim) return;
      const start = r.pos;
      r.take(blobSizes[i]!);
      h.starts.push(start);
      h.ends.push(r.pos);
    });
    if (r.remaining !== 0) throw r.corrupt(`${r.remaining} unused bytes`);
    this.heads = heads;
  }

  /** Rebuilds distinct blob `i` (an index the caller has range-checked against the index's blob count). */
  get(i: number): Uint8Array {
    const h = this.heads[i]!;
    if (h.mode === BlobMode.Verbatim) return this.bytes.subarray(h.starts[0]!, h.ends[0]!);
    this.seen ??= new Int32Array(this.strings.length);
    const { columns, ids } = this.storedBlob(i);
    if (ids.length !== h.records)
      throw new BundleCorruptError(`bundle blob ${i}: ${ids.length} schema ids for ${h.records} records`);
    return buildBtf(
      fromSchemaOrder(columns, ids, `bundle blob ${i}`),
      (c) => `bundle blob ${i} column ${COLUMN_NAMES[c]}`,
      h.records,
      this.strings,
      h.mode === BlobMode.BtfLittle,
      this.sizes[i]!,
      this.seen,
    );
  }

  /** The stored columns of BTF blob `i`, references applied; kept for blobs others are coded against. */
  private storedBlob(i: number): StoredBlob {
    const cached = this.stored.get(i);
    if (cached) return cached;
    const h = this.heads[i]!;
    const ref = h.ref >= 0 ? this.storedBlob(h.ref) : undefined;
    const values = h.starts.map((start, c) => {
      const v = readColumnValues(this.bytes, start, h.ends[c]!, `bundle blob ${i} column ${COLUMN_NAMES[c]}`);
      if (ref && h.deltaMask & (1 << c)) addReference(v, ref.columns[c]!);
      return v;
    });
    const ids = decodeOrder(values[ORDER_COLUMN]!, ref?.ids);
    // Kept: blobs of one series are coded against the same few references. Nobody writes to these arrays.
    const out = { columns: values.slice(0, ORDER_COLUMN), ids };
    this.stored.set(i, out);
    return out;
  }
}
