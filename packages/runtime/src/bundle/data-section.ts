import { BundleCorruptError } from '../errors.js';
import { isNameWord, recordWords } from '../format/btf-records.js';
import { joinBtf } from '../format/btf-split.js';
import { BlobMode, BTF_HEADER_SIZE, MAX_SECTION_SIZE } from '../format/constants.js';
import { ByteReader, unzigzag } from '../format/reader.js';

interface BtfHead {
  mode: typeof BlobMode.BtfLittle | typeof BlobMode.BtfBig;
  ref: number;
  words: number;
  records: number;
  strings: number;
}

type BlobHead = { mode: typeof BlobMode.Verbatim; length: number } | BtfHead;

/** A type section in normalised form (name words hold global string ids) with record starts (+ end sentinel). */
interface Normalized {
  words: Uint32Array;
  starts: Uint32Array;
}

/**
 * Decodes the inflated data section into the distinct blobs, byte for byte (the inverse of core's
 * `encodeDataSection`; layout in docs/bundle-format.md). `blobSizes` (from the index) must match every blob.
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
  const btf = (i: number) => {
    const h = heads[i]!;
    return h.mode === BlobMode.Verbatim ? undefined : h;
  };
  const ids: Uint32Array[] = new Array(blobCount);
  for (let i = 0; i < blobCount; i++) {
    const h = btf(i);
    if (!h) continue;
    ids[i] = readDeltas(r, h.strings, h.ref ? ids[i - h.ref] : undefined);
    for (const id of ids[i]!) if (id >= stringCount) throw r.corrupt(`string id ${id} out of range`);
  }
  const codes: Uint32Array[] = new Array(blobCount);
  for (let i = 0; i < blobCount; i++) {
    const h = btf(i);
    if (!h) continue;
    if (h.records > r.remaining)
      throw r.corrupt(`${h.records} record codes cannot fit in ${r.remaining} bytes`);
    codes[i] = new Uint32Array(h.records);
    for (let j = 0; j < h.records; j++) codes[i]![j] = r.varint();
  }
  const norm: Normalized[] = new Array(blobCount);
  const blobs: Uint8Array[] = new Array(blobCount);
  for (let i = 0; i < blobCount; i++) {
    const h = btf(i);
    if (!h) continue;
    norm[i] = readRecords(r, h, codes[i]!, h.ref ? norm[i - h.ref] : undefined);
    let size = BTF_HEADER_SIZE + 4 * h.words;
    for (const id of ids[i]!) size += strings[id]!.length + 1;
    if (size !== blobSizes[i])
      throw r.corrupt(`blob ${i} would decode to ${size} bytes, not ${blobSizes[i]}`);
    const list = Array.from(ids[i]!, (id) => strings[id]!);
    blobs[i] = joinBtf({
      littleEndian: h.mode === BlobMode.BtfLittle,
      words: denormalize(norm[i]!, ids[i]!, list, r),
      strings: list,
    });
  }
  for (let i = 0; i < blobCount; i++) {
    const h = heads[i]!;
    if (h.mode !== BlobMode.Verbatim) continue;
    if (h.length !== blobSizes[i])
      throw r.corrupt(`verbatim blob ${i} is ${h.length} bytes, not ${blobSizes[i]}`);
    blobs[i] = r.take(h.length);
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
  // Each word, record code and string id is at least one varint byte: bound them by the section size.
  const words = r.count(r.remaining, 'type word count');
  const records = r.count(Math.floor(words / 3), 'record count');
  const strings = r.count(r.remaining, 'string reference count');
  return { mode, ref, words, records, strings };
}

function readDeltas(r: ByteReader, n: number, ref: Uint32Array | undefined): Uint32Array {
  if (n > r.remaining) throw r.corrupt(`${n} values cannot fit in ${r.remaining} bytes`);
  const out = new Uint32Array(n);
  for (let j = 0; j < n; j++) out[j] = ((ref && j < ref.length ? ref[j]! : 0) + unzigzag(r.varint())) >>> 0;
  return out;
}

/** Rebuilds normalised records: each record's words are deltas against its paired record in `ref`. */
function readRecords(r: ByteReader, h: BtfHead, codes: Uint32Array, ref: Normalized | undefined): Normalized {
  if (h.words > r.remaining) throw r.corrupt(`${h.words} words cannot fit in ${r.remaining} bytes`);
  const words = new Uint32Array(h.words);
  const starts = new Uint32Array(h.records + 1);
  const refRecords = ref ? ref.starts.length - 1 : 0;
  let at = 0;
  let prev = -1;
  let nextName = 0;
  for (let rec = 0; rec < h.records; rec++) {
    const code = codes[rec]!;
    let refStart = 0;
    let refLen = 0;
    if (code !== 0) {
      const p = prev + 1 + unzigzag(code - 1);
      if (!ref || p < 0 || p >= refRecords)
        throw r.corrupt(`record ${rec} pairs with missing reference record ${p}`);
      prev = p;
      refStart = ref.starts[p]!;
      refLen = ref.starts[p + 1]! - refStart;
    }
    starts[rec] = at;
    let n = 2;
    for (let j = 0; j < n; j++) {
      if (at + j >= h.words) throw r.corrupt(`record ${rec} runs past ${h.words} type words`);
      // Word 0 is always a name; later name words are known once `info` (word 1) is decoded.
      const named = j === 0 || (j > 1 && isNameWord(words[at + 1]!, j));
      const base = j < refLen ? ref!.words[refStart + j]! : named ? nextName : 0;
      const w = (base + unzigzag(r.varint())) >>> 0;
      words[at + j] = w;
      if (named && w >= nextName) nextName = w + 1;
      if (j === 1) {
        const size = recordWords(words[at + 1]!);
        if (size === undefined) throw r.corrupt(`record ${rec} has an unknown BTF kind`);
        n = size;
      }
    }
    at += n;
  }
  if (at !== h.words) throw r.corrupt(`records cover ${at} of ${h.words} type words`);
  starts[h.records] = at;
  return { words, starts };
}

/** Replaces global string ids in name words by the string's offset in this blob's string section. */
function denormalize(n: Normalized, ids: Uint32Array, list: Uint8Array[], r: ByteReader): Uint32Array {
  const offsetOf = new Map<number, number>();
  let off = 0;
  list.forEach((s, k) => {
    if (!offsetOf.has(ids[k]!)) offsetOf.set(ids[k]!, off);
    off += s.length + 1;
  });
  const words = Uint32Array.from(n.words);
  for (let rec = 0; rec + 1 < n.starts.length; rec++) {
    const start = n.starts[rec]!;
    const info = words[start + 1]!;
    for (let j = 0; j < n.starts[rec + 1]! - start; j++) {
      if (!isNameWord(info, j)) continue;
      const o = offsetOf.get(words[start + j]!);
      if (o === undefined) throw r.corrupt(`name refers to string ${words[start + j]} absent from its blob`);
      words[start + j] = o;
    }
  }
  return words;
}
