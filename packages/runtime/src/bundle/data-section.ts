import { BundleCorruptError, BundleTruncatedError } from '../errors.js';
import type { StringTable } from '../format/btf-columns.js';
import { rebuildBtf } from '../format/btf-rebuild.js';
import { BlobMode, MAX_SECTION_SIZE, STORED_COLUMNS } from '../format/constants.js';
import type { ByteReader } from '../format/reader.js';

/** The error for the head of blob `i` at offset `at`: read again with `r`'s checks, which name what is wrong. */
function badHead(r: ByteReader, at: number, i: number, modes: Int32Array): Error {
  r.pos = at;
  const mode = r.varint();
  if (mode !== BlobMode.BtfLittle && mode !== BlobMode.BtfBig)
    return r.corrupt(`blob ${i}: unknown mode ${mode}`);
  r.count(r.remaining, 'record count');
  for (let c = 0; c < STORED_COLUMNS; c++) {
    const v = r.varint();
    const target = i - 1 - (v - 1) / 2;
    if (v % 2 === 0 && v / 2 > r.remaining)
      return r.corrupt(`blob ${i} column ${c}: length ${v / 2} exceeds the ${r.remaining} bytes left`);
    if (v % 2 === 1 && (target < 0 || modes[target] === BlobMode.Verbatim))
      return r.corrupt(`blob ${i} column ${c}: refers to blob ${target}, not an earlier BTF blob`);
  }
  return r.corrupt(`blob ${i}: unreadable head`);
}

/**
 * Turns the heads' column lengths and references (in `ranges`, see the constructor) into byte ranges, the columns
 * starting at `at`: each region the concatenation of every BTF blob's own column, then the verbatim blobs (of
 * `sizes`); a shared column takes the range of the earlier blob's, placed before it. Returns where the last one
 * ends (each length is bounded by the section, so the sum is exact: the caller checks it before using a range).
 */
function placeColumns(ranges: Int32Array, modes: Int32Array, sizes: readonly number[], at: number): number {
  const blobs = modes.length;
  for (let c = 0; c < STORED_COLUMNS; c++) {
    for (let i = 0; i < blobs; i++) {
      if (modes[i] === BlobMode.Verbatim) continue;
      const k = 2 * (i * STORED_COLUMNS + c);
      const shared = -1 - ranges[k]!;
      if (shared >= 0) {
        const from = 2 * (shared * STORED_COLUMNS + c);
        ranges[k] = ranges[from]!;
        ranges[k + 1] = ranges[from + 1]!;
        continue;
      }
      ranges[k] = at;
      at += ranges[k + 1]!;
      ranges[k + 1] = at;
    }
  }
  for (let i = 0; i < blobs; i++) {
    if (modes[i] !== BlobMode.Verbatim) continue;
    const k = 2 * i * STORED_COLUMNS;
    ranges[k] = at;
    at += sizes[i]!;
    ranges[k + 1] = at;
  }
  return at;
}

/**
 * The data part of the payload (layout in docs/bundle-format.md), parsed only as far as where its strings and
 * per-blob columns are. {@link get} rebuilds one blob from its own columns (records stored in schema order, put
 * back in blob order by its Order column); nothing else is decoded, and a string only when a rebuilt blob uses it.
 * Every failure is a typed bundle error naming the blob, the column and the place.
 */
export class DataSection {
  private readonly bytes: Uint8Array;
  private readonly strings: StringTable;
  /** Per blob: its {@link BlobMode}. */
  private readonly modes: Int32Array;
  /** Per blob: its type records (BTF modes). */
  private readonly records: Int32Array;
  /**
   * Per blob `i` and column `c`: start and end of the column's bytes at `2 * (i * STORED_COLUMNS + c)` and the
   * next entry (BTF modes), or of the verbatim bytes at `2 * i * STORED_COLUMNS`.
   */
  private readonly ranges: Int32Array;
  private readonly sizes: readonly number[];
  private seen: Int32Array | undefined;

  /** Finds the strings, blob heads and columns of `r` (to its end); `blobSizes` come from the index. */
  constructor(r: ByteReader, blobSizes: readonly number[]) {
    const bytes = r.bytes;
    this.bytes = bytes;
    this.sizes = blobSizes;
    const blobs = blobSizes.length;
    let total = 0;
    for (let i = 0; i < blobs; i++) total += blobSizes[i]!;
    if (total > MAX_SECTION_SIZE) throw r.corrupt(`index declares ${total} bytes of blobs`);
    const end = r.pos + r.remaining;
    // Every entry takes at least one byte, so counts are bounded by the bytes left before allocating.
    const stringCount = r.count(r.remaining, 'string count');
    if (stringCount === 0) throw r.corrupt('empty string table');
    const starts = new Int32Array(stringCount + 1);
    let p = r.pos;
    for (let i = 0; i < stringCount; i++) {
      starts[i] = p;
      const nul = bytes.indexOf(0, p);
      if (nul < 0 || nul >= end)
        throw new BundleTruncatedError(`bundle data: unterminated string at offset ${p}`);
      p = nul + 1;
    }
    starts[stringCount] = p;
    r.pos = p;
    this.strings = { bytes, starts };
    const modes = new Int32Array(blobs);
    const records = new Int32Array(blobs);
    const ranges = new Int32Array(2 * blobs * STORED_COLUMNS);
    // The heads, varints read in place: each blob's mode, then for a BTF blob its record count and per column
    // either its length (2 × length, kept in the column's end slot until the columns are found; at most the bytes
    // left) or the earlier BTF blob whose equal column it shares (2 × distance + 1, kept as -1 - that blob in the
    // start slot).
    for (let i = 0; i < blobs; i++) {
      const head = p;
      for (let k = -2; k < STORED_COLUMNS; k++) {
        let v = 0;
        for (let scale = 1; ; scale *= 0x80) {
          if (p >= end || scale > 0x10000000) throw badHead(r, head, i, modes);
          const b = bytes[p++]!;
          v += (b & 0x7f) * scale;
          if (b < 0x80) break;
        }
        if (k === -2) {
          modes[i] = v;
          if (v === BlobMode.Verbatim) break;
          if (v !== BlobMode.BtfLittle && v !== BlobMode.BtfBig) throw badHead(r, head, i, modes);
        } else if (k === -1) {
          if (v > end - p) throw badHead(r, head, i, modes);
          records[i] = v;
        } else if (v % 2 === 0) {
          if (v / 2 > end - p) throw badHead(r, head, i, modes);
          ranges[2 * (i * STORED_COLUMNS + k) + 1] = v / 2;
        } else {
          const target = i - 1 - (v - 1) / 2;
          if (target < 0 || modes[target] === BlobMode.Verbatim) throw badHead(r, head, i, modes);
          ranges[2 * (i * STORED_COLUMNS + k)] = -1 - target;
        }
      }
    }
    r.pos = p;
    const at = placeColumns(ranges, modes, blobSizes, p);
    if (at > end)
      throw new BundleTruncatedError(
        `bundle data: columns and blobs need ${at - r.pos} bytes at offset ${r.pos}, have ${end - r.pos}`,
      );
    if (at < end) throw new BundleCorruptError(`bundle data: ${end - at} unused bytes at offset ${at}`);
    this.modes = modes;
    this.records = records;
    this.ranges = ranges;
  }

  /** Rebuilds distinct blob `i` (an index the caller has range-checked against the index's blob count). */
  get(i: number): Uint8Array {
    const ranges = this.ranges;
    const at = 2 * i * STORED_COLUMNS;
    const mode = this.modes[i];
    // A copy: a blob the app keeps must not keep the whole inflated section alive with it.
    if (mode === BlobMode.Verbatim) return this.bytes.slice(ranges[at]!, ranges[at + 1]!);
    this.seen ??= new Int32Array(this.strings.starts.length - 1);
    const blob = {
      bytes: this.bytes,
      ranges,
      at,
      records: this.records[i]!,
      littleEndian: mode === BlobMode.BtfLittle,
      size: this.sizes[i]!,
    };
    return rebuildBtf(blob, this.strings, this.seen, `bundle blob ${i}`);
  }
}
