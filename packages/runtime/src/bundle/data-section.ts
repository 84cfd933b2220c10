import { decodeBtfColumns } from '../format/btf-columns.js';
import { BlobMode, BTF_COLUMNS, MAX_SECTION_SIZE } from '../format/constants.js';
import { ByteReader } from '../format/reader.js';

/**
 * Decodes the data part of the payload (from `r`'s position to its end) into the distinct blobs, byte for byte:
 * the inverse of core's `encodeDataSection` (layout in docs/bundle-format.md). `blobSizes` (from the index)
 * gives every blob's exact size.
 */
export function decodeDataSection(r: ByteReader, blobSizes: readonly number[]): Uint8Array[] {
  const total = blobSizes.reduce((a, b) => a + b, 0);
  if (total > MAX_SECTION_SIZE) throw r.corrupt(`index declares ${total} bytes of blobs`);
  // Every entry takes at least one byte, so counts are bounded by the bytes left before allocating.
  const stringCount = r.count(r.remaining, 'string count');
  if (stringCount === 0) throw r.corrupt('empty string table');
  const strings: Uint8Array[] = new Array(stringCount);
  for (let i = 0; i < stringCount; i++) strings[i] = r.cstring();
  const modes: number[] = [];
  const records: number[] = [];
  for (let i = 0; i < blobSizes.length; i++) {
    const mode = r.varint();
    if (mode !== BlobMode.Verbatim && mode !== BlobMode.BtfLittle && mode !== BlobMode.BtfBig)
      throw r.corrupt(`unknown blob mode ${mode}`);
    modes.push(mode);
    records.push(mode === BlobMode.Verbatim ? 0 : r.count(r.remaining, 'record count'));
  }
  const lengths: number[] = [];
  for (let c = 0; c < BTF_COLUMNS; c++) lengths.push(r.count(r.remaining, 'column length'));
  const cols = lengths.map((n, c) => {
    const start = r.pos;
    r.take(n);
    return new ByteReader(r.bytes, `bundle column ${c}`, start, start + n);
  });
  const seen = new Int32Array(stringCount);
  const blobs = blobSizes.map((size, i) =>
    modes[i] === BlobMode.Verbatim
      ? r.take(size)
      : decodeBtfColumns(cols, records[i]!, strings, modes[i] === BlobMode.BtfLittle, size, seen),
  );
  for (const c of cols) if (c.remaining !== 0) throw c.corrupt(`${c.remaining} unused bytes`);
  if (r.remaining !== 0) throw r.corrupt(`${r.remaining} unused bytes`);
  return blobs;
}
