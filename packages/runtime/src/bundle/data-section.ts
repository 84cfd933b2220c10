import { BundleCorruptError } from '../errors.js';
import { joinBtf } from '../format/btf-split.js';
import { BlobMode, BTF_HEADER_SIZE, MAX_SECTION_SIZE } from '../format/constants.js';
import { ByteReader, unzigzag } from '../format/reader.js';

interface VerbatimHead {
  mode: typeof BlobMode.Verbatim;
  length: number;
}

interface BtfHead {
  mode: typeof BlobMode.BtfLittle | typeof BlobMode.BtfBig;
  ref: number;
  words: number;
  strings: number;
}

type BlobHead = VerbatimHead | BtfHead;

/**
 * Decodes the inflated data section into the distinct blobs, byte for byte (the inverse of core's
 * `encodeDataSection`). `blobSizes` (from the index) must match every decoded blob.
 */
export function decodeDataSection(data: Uint8Array, blobSizes: readonly number[]): Uint8Array[] {
  const total = blobSizes.reduce((a, b) => a + b, 0);
  if (total > MAX_SECTION_SIZE) throw new BundleCorruptError(`bundle index declares ${total} bytes of blobs`);
  const r = new ByteReader(data, 'bundle data');
  // Every entry takes at least one byte, so counts are bounded by the section size before allocating.
  const stringCount = r.count(r.remaining, 'string count');
  const strings: Uint8Array[] = new Array(stringCount);
  for (let i = 0; i < stringCount; i++) strings[i] = r.cstring();
  const blobCount = r.count(r.remaining, 'blob count');
  if (blobCount !== blobSizes.length)
    throw r.corrupt(`${blobCount} blobs but the index lists ${blobSizes.length}`);
  const heads: BlobHead[] = new Array(blobCount);
  for (let i = 0; i < blobCount; i++) heads[i] = readHead(r, i, heads);
  const words: Uint32Array[] = new Array(blobCount);
  const ids: Uint32Array[] = new Array(blobCount);
  for (let i = 0; i < blobCount; i++) {
    const h = heads[i]!;
    if (h.mode === BlobMode.Verbatim) continue;
    const ref = h.ref ? words[i - h.ref] : undefined;
    words[i] = readDeltas(r, h.words, ref);
  }
  for (let i = 0; i < blobCount; i++) {
    const h = heads[i]!;
    if (h.mode === BlobMode.Verbatim) continue;
    const out = readDeltas(r, h.strings, h.ref ? ids[i - h.ref] : undefined);
    for (const id of out) if (id >= stringCount) throw r.corrupt(`string id ${id} out of range`);
    ids[i] = out;
  }
  const blobs: Uint8Array[] = new Array(blobCount);
  for (let i = 0; i < blobCount; i++) {
    const h = heads[i]!;
    if (h.mode !== BlobMode.Verbatim) {
      let size = BTF_HEADER_SIZE + 4 * h.words;
      for (const id of ids[i]!) size += strings[id]!.length + 1;
      if (size !== blobSizes[i])
        throw r.corrupt(`blob ${i} would decode to ${size} bytes, not ${blobSizes[i]}`);
    }
    blobs[i] =
      h.mode === BlobMode.Verbatim
        ? r.take(h.length)
        : joinBtf({
            littleEndian: h.mode === BlobMode.BtfLittle,
            words: words[i]!,
            strings: Array.from(ids[i]!, (id) => strings[id]!),
          });
    if (blobs[i]!.length !== blobSizes[i])
      throw r.corrupt(`blob ${i} decodes to ${blobs[i]!.length} bytes, not ${blobSizes[i]}`);
  }
  if (r.remaining !== 0) throw r.corrupt(`${r.remaining} unused bytes`);
  return blobs;
}

function readHead(r: ByteReader, i: number, heads: BlobHead[]): BlobHead {
  const mode = r.varint();
  if (mode === BlobMode.Verbatim) return { mode, length: r.count(r.remaining, 'verbatim length') };
  if (mode !== BlobMode.BtfLittle && mode !== BlobMode.BtfBig) throw r.corrupt(`unknown blob mode ${mode}`);
  const ref = r.count(i, 'reference distance');
  if (ref && heads[i - ref]!.mode === BlobMode.Verbatim)
    throw r.corrupt(`blob ${i} references verbatim blob ${i - ref}`);
  // Each word and string id is at least one varint byte: bound them by the section size.
  const words = r.count(r.remaining, 'type word count');
  const strings = r.count(r.remaining, 'string reference count');
  return { mode, ref, words, strings };
}

function readDeltas(r: ByteReader, n: number, ref: Uint32Array | undefined): Uint32Array {
  if (n > r.remaining) throw r.corrupt(`${n} values cannot fit in ${r.remaining} bytes`);
  const out = new Uint32Array(n);
  for (let j = 0; j < n; j++) out[j] = ((ref && j < ref.length ? ref[j]! : 0) + unzigzag(r.varint())) >>> 0;
  return out;
}
