import { BundleCorruptError } from '../errors.js';
import { COLUMN_COUNTS, headerRecord } from './btf-columns.js';
import { HISTORICAL_KIND_BITS } from './btf-layout.js';
import { BTF_COLUMNS, BtfColumn } from './constants.js';

/**
 * Where each record's values start in each column, records taken in the order the columns hold them:
 * `starts[c][r]`, with `starts[c][records]` the column's end. Work is linear in `records`; a column whose length
 * does not match what the headers require is a {@link BundleCorruptError} naming `what` and the column.
 */
export function recordStarts(
  cols: readonly ArrayLike<number>[],
  records: number,
  what: string,
): Int32Array[] {
  const header = cols[BtfColumn.Header]!;
  if (records * 2 > header.length)
    throw new BundleCorruptError(
      `${what}: column Header: ${records} records need ${records * 2} values, it ends at value ${header.length}`,
    );
  const starts = Array.from({ length: BTF_COLUMNS }, () => new Int32Array(records + 1));
  const pos = new Float64Array(BTF_COLUMNS); // sums of counts times vlens: may pass 2^32 on hostile input
  for (let r = 0; r < records; r++) {
    const kb = header[pos[BtfColumn.Header]!]!;
    const vlen = header[pos[BtfColumn.Header]! + 1]!;
    if (headerRecord(kb, vlen) === undefined)
      throw new BundleCorruptError(
        `${what}: column Header: record ${r} has an invalid header at value ${pos[BtfColumn.Header]}`,
      );
    const counts = COLUMN_COUNTS[kb & ((1 << HISTORICAL_KIND_BITS) - 1)]!;
    const fixed = counts[0];
    const perElem = counts[1];
    for (let c = 0; c < BTF_COLUMNS; c++) {
      starts[c]![r] = pos[c]!;
      pos[c]! += fixed[c]! + vlen * perElem[c]!;
    }
  }
  for (let c = 0; c < BTF_COLUMNS; c++) {
    if (pos[c] !== cols[c]!.length)
      throw new BundleCorruptError(
        `${what}: column ${Object.keys(BtfColumn)[c]} holds ${cols[c]!.length} values, the records need ${pos[c]} ` +
          `(they part at value ${Math.min(pos[c]!, cols[c]!.length)})`,
      );
    starts[c]![records] = pos[c]!;
  }
  return starts;
}

/** Record indices sorted by their schema id (the order the data section stores records in). */
function byId(ids: ArrayLike<number>): number[] {
  return Array.from({ length: ids.length }, (_, r) => r).sort((a, b) => ids[a]! - ids[b]!);
}

/**
 * Encoder side of the schema order: `cols` hold a blob's records in blob order, `ids[r]` the schema id of
 * record r (distinct, from 1). Returns the columns with the records sorted by schema id and every type id
 * `t` (a blob-local id, 1..records) replaced by `ids[t - 1]`; undefined when a type id is outside the blob.
 */
export function toSchemaOrder(
  cols: readonly ArrayLike<number>[],
  ids: readonly number[],
  what: string,
): number[][] | undefined {
  const starts = recordStarts(cols, ids.length, what);
  const sorted = byId(ids);
  const out = cols.map(() => [] as number[]);
  for (const r of sorted)
    for (let c = 0; c < cols.length; c++)
      for (let i = starts[c]![r]!; i < starts[c]![r + 1]!; i++) {
        const v = cols[c]![i]!;
        if (c !== BtfColumn.Type || v === 0) out[c]!.push(v);
        else if (v <= ids.length) out[c]!.push(ids[v - 1]!);
        else return undefined;
      }
  return out;
}

/**
 * Codes a blob's schema ids (blob order) as the Order column: 0 where an id is the previous one + 1 (0 before
 * the first), else the id itself.
 */
export function encodeOrder(ids: readonly number[]): number[] {
  let prev = 0;
  return ids.map((id) => {
    const predicted = (prev + 1) >>> 0;
    prev = id;
    return id === predicted ? 0 : id;
  });
}
