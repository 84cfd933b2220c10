import { BlobMode, ByteWriter, isNameWord, splitBtf, zigzag } from '@btf-bundle/runtime/format';
import { type NormalizedBtf, normalizeBtf } from './btf-norm.js';

/** How many previously stored BTF blobs are scored when choosing a delta reference. */
const REFERENCE_WINDOW = 32;

interface Stored {
  littleEndian: boolean;
  ids: Uint32Array;
  norm: NormalizedBtf;
}

/** For each record of `me`, the index of the paired record of `ref` (same kind and name), or -1. */
function pairRecords(me: NormalizedBtf, ref: NormalizedBtf): number[] {
  const byKey = new Map<string, number[]>();
  ref.keys.forEach((k, i) => {
    const list = byKey.get(k);
    if (list) list.push(i);
    else byKey.set(k, [i]);
  });
  let prev = -1;
  return me.keys.map((k) => {
    const list = byKey.get(k);
    if (!list) return -1;
    prev = list.find((i) => i > prev) ?? list[0]!;
    return prev;
  });
}

const recordEnd = (n: NormalizedBtf, r: number) => n.starts[r + 1] ?? n.words.length;

/** Number of records of `me` identical to their paired record in `ref`: the score of `ref` as a reference. */
function score(me: NormalizedBtf, ref: NormalizedBtf): number {
  let same = 0;
  pairRecords(me, ref).forEach((r, i) => {
    if (r < 0) return;
    const a = me.words.subarray(me.starts[i], recordEnd(me, i));
    const b = ref.words.subarray(ref.starts[r], recordEnd(ref, r));
    if (a.length === b.length && a.every((w, j) => w === b[j])) same++;
  });
  return same;
}

/** Distance back to the best reference among the last REFERENCE_WINDOW BTF blobs (same byte order), or 0. */
function chooseReference(stored: readonly (Stored | undefined)[], i: number): number {
  const me = stored[i]!;
  let best = 0;
  let bestScore = 0;
  for (let d = 1, seen = 0; d <= i && seen < REFERENCE_WINDOW; d++) {
    const other = stored[i - d];
    if (!other || other.littleEndian !== me.littleEndian) continue;
    seen++;
    const s = score(me.norm, other.norm);
    if (s > bestScore) {
      best = d;
      bestScore = s;
    }
  }
  return best;
}

/** Writes record pairing codes and word deltas of `me` against `ref` (see docs/bundle-format.md). */
function writeRecords(
  codes: ByteWriter,
  deltas: ByteWriter,
  me: NormalizedBtf,
  ref: NormalizedBtf | undefined,
): void {
  const pairs = ref ? pairRecords(me, ref) : me.keys.map(() => -1);
  let prev = -1;
  let nextName = 0;
  pairs.forEach((r, i) => {
    codes.varint(r < 0 ? 0 : zigzag(r - (prev + 1)) + 1);
    if (r >= 0) prev = r;
    const start = me.starts[i]!;
    const end = recordEnd(me, i);
    const refStart = r < 0 ? 0 : ref!.starts[r]!;
    const refLen = r < 0 ? 0 : recordEnd(ref!, r) - refStart;
    const info = me.words[start + 1]!;
    for (let j = 0; j < end - start; j++) {
      const w = me.words[start + j]!;
      const named = isNameWord(info, j);
      const base = j < refLen ? ref!.words[refStart + j]! : named ? nextName : 0;
      deltas.varint(zigzag((w - base) | 0));
      if (named && w >= nextName) nextName = w + 1;
    }
  });
}

/**
 * Encodes distinct blobs (already in their final order) into the uncompressed data section described in
 * docs/bundle-format.md: a global string table, per-blob heads, per-blob string-id lists, record pairing
 * codes and type-section word deltas against a similar earlier blob, then verbatim blobs.
 */
export function encodeDataSection(blobs: readonly Uint8Array[]): Uint8Array {
  const stringIds = new Map<string, number>();
  const table = new ByteWriter();
  const stored: (Stored | undefined)[] = blobs.map((blob) => {
    const split = splitBtf(blob);
    if (!split) return undefined;
    const ids = Uint32Array.from(split.strings, (s) => {
      const key = Buffer.from(s.buffer, s.byteOffset, s.length).toString('latin1');
      let id = stringIds.get(key);
      if (id === undefined) {
        id = stringIds.size;
        stringIds.set(key, id);
        table.bytes(s);
        table.byte(0);
      }
      return id;
    });
    const norm = normalizeBtf(split, ids);
    return norm && { littleEndian: split.littleEndian, ids, norm };
  });
  const refs = stored.map((s, i) => (s ? chooseReference(stored, i) : 0));
  const refOf = (i: number) => (refs[i] ? stored[i - refs[i]!] : undefined);

  const out = new ByteWriter();
  out.varint(stringIds.size);
  out.bytes(table.finish());
  out.varint(blobs.length);
  blobs.forEach((blob, i) => {
    const s = stored[i];
    if (!s) {
      out.varint(BlobMode.Verbatim);
      out.varint(blob.length);
      return;
    }
    out.varint(s.littleEndian ? BlobMode.BtfLittle : BlobMode.BtfBig);
    out.varint(refs[i]!);
    out.varint(s.norm.words.length);
    out.varint(s.norm.starts.length);
    out.varint(s.ids.length);
  });
  stored.forEach((s, i) => {
    if (!s) return;
    const ref = refOf(i)?.ids;
    s.ids.forEach((id, j) => {
      out.varint(zigzag((id - (ref && j < ref.length ? ref[j]! : 0)) | 0));
    });
  });
  const codes = new ByteWriter();
  const deltas = new ByteWriter();
  stored.forEach((s, i) => {
    if (s) writeRecords(codes, deltas, s.norm, refOf(i)?.norm);
  });
  out.bytes(codes.finish());
  out.bytes(deltas.finish());
  blobs.forEach((blob, i) => {
    if (!stored[i]) out.bytes(blob);
  });
  return out.finish();
}
