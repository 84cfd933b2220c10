import { BundleCorruptError } from '../errors.js';
import { buildBtf } from '../format/btf-columns.js';
import { readColumnValues } from '../format/column-values.js';
import { BlobMode, BtfColumn, MAX_SECTION_SIZE, ORDER_COLUMN, STORED_COLUMNS } from '../format/constants.js';
import type { ByteReader } from '../format/reader.js';
import { decodeOrder, storedOrder } from '../format/record-order.js';

const COLUMN_NAMES = [...Object.keys(BtfColumn), 'Order'];

/** Where one blob is in the data section and how it is coded. */
interface BlobHead {
  mode: number;
  /** Type records (BTF modes). */
  records: number;
  /** Start of each column's bytes (BTF modes; while parsing the heads: each column's length), or of the
   * verbatim bytes (at [0]). */
  starts: number[];
  /** End of each range of {@link starts}. */
  ends: number[];
}

/**
 * The data part of the payload (layout in docs/bundle-format.md), parsed only as far as its string table and
 * per-blob heads. {@link get} rebuilds one blob from its own columns (records stored in schema order, put back
 * in blob order by its Order column); nothing else is decoded. Every failure is a typed bundle error naming the
 * blob, the column and the place.
 */
export class DataSection {
  private readonly bytes: Uint8Array;
  private readonly strings: Uint8Array[];
  private readonly heads: BlobHead[];
  private readonly sizes: readonly number[];
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
    const heads: BlobHead[] = [];
    for (let i = 0; i < blobSizes.length; i++) {
      const mode = r.varint();
      if (mode === BlobMode.Verbatim) {
        heads.push({ mode, records: 0, starts: [], ends: [] });
        continue;
      }
      if (mode !== BlobMode.BtfLittle && mode !== BlobMode.BtfBig)
        throw r.corrupt(`blob ${i}: unknown mode ${mode}`);
      const records = r.count(r.remaining, 'record count');
      const lengths: number[] = [];
      for (let c = 0; c < STORED_COLUMNS; c++) lengths.push(r.count(r.remaining, 'column length'));
      heads.push({ mode, records, starts: lengths, ends: [] });
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
    const columns = h.starts.map((start, c) =>
      readColumnValues(this.bytes, start, h.ends[c]!, `bundle blob ${i} column ${COLUMN_NAMES[c]}`),
    );
    const ids = decodeOrder(columns[ORDER_COLUMN]!);
    if (ids.length !== h.records)
      throw new BundleCorruptError(
        `bundle blob ${i} column Order: ${ids.length} schema ids for ${h.records} records (it ends at value ${ids.length})`,
      );
    const records = columns.slice(0, ORDER_COLUMN);
    return buildBtf(
      records,
      (c) => `bundle blob ${i} column ${COLUMN_NAMES[c]}`,
      h.records,
      this.strings,
      h.mode === BlobMode.BtfLittle,
      this.sizes[i]!,
      this.seen,
      storedOrder(records, ids, `bundle blob ${i}`),
    );
  }
}
