import { BlobMode, ByteWriter, type SplitBtf, splitBtf, zigzag } from '@btf-bundle/runtime/format';

/** How many previously stored BTF blobs are scored when choosing a delta reference. */
const REFERENCE_WINDOW = 32;

interface Stored {
  split: SplitBtf;
  ids: Uint32Array;
}

/** Number of positions where `a` and `b` agree (the score of `b` as a delta reference for `a`). */
function agreement(a: Uint32Array, b: Uint32Array): number {
  const n = Math.min(a.length, b.length);
  let same = 0;
  for (let i = 0; i < n; i++) if (a[i] === b[i]) same++;
  return same;
}

function writeDeltas(w: ByteWriter, values: Uint32Array, ref: Uint32Array | undefined): void {
  for (let j = 0; j < values.length; j++) {
    const base = ref && j < ref.length ? ref[j]! : 0;
    w.varint(zigzag((values[j]! - base) | 0));
  }
}

/**
 * Encodes distinct blobs (already in their final order) into the uncompressed data section described in
 * docs/bundle-format.md: a global string table, per-blob heads, type-section words as zigzag varint deltas
 * against a similar earlier blob, string ids likewise, then verbatim blobs (anything not canonical BTF).
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
    return { split, ids };
  });
  const refs = stored.map((s, i) => (s ? chooseReference(stored, i) : 0));

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
    out.varint(s.split.littleEndian ? BlobMode.BtfLittle : BlobMode.BtfBig);
    out.varint(refs[i]!);
    out.varint(s.split.words.length);
    out.varint(s.ids.length);
  });
  const refOf = (i: number) => (refs[i] ? stored[i - refs[i]!] : undefined);
  stored.forEach((s, i) => {
    if (s) writeDeltas(out, s.split.words, refOf(i)?.split.words);
  });
  stored.forEach((s, i) => {
    if (s) writeDeltas(out, s.ids, refOf(i)?.ids);
  });
  blobs.forEach((blob, i) => {
    if (!stored[i]) out.bytes(blob);
  });
  return out.finish();
}

/** Distance back to the best reference among the last REFERENCE_WINDOW BTF blobs (same byte order), or 0. */
function chooseReference(stored: readonly (Stored | undefined)[], i: number): number {
  const me = stored[i]!;
  let best = 0;
  let bestScore = 0;
  for (let d = 1, seen = 0; d <= i && seen < REFERENCE_WINDOW; d++) {
    const other = stored[i - d];
    if (!other || other.split.littleEndian !== me.split.littleEndian) continue;
    seen++;
    const score = agreement(me.split.words, other.split.words) + agreement(me.ids, other.ids);
    if (score > bestScore) {
      best = d;
      bestScore = score;
    }
  }
  return best;
}
