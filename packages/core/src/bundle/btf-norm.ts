import { isNameWord, recordWords, type SplitBtf } from '@btf-bundle/runtime/format';

/** A BTF type section with string offsets replaced by global string ids, cut into records. */
export interface NormalizedBtf {
  /** Type-section words; every name word holds the global id of its string instead of its offset. */
  words: Uint32Array;
  /** Word index where each record starts. */
  starts: number[];
  /** Per record: `kind:nameId`, used to pair records of two blobs. */
  keys: string[];
}

/**
 * Normalises a split BTF whose strings have global ids `ids`. Returns undefined unless every record has a
 * known kind, the records tile the section exactly, and every name word points at the first occurrence of a
 * string in the section (so the runtime can invert the mapping).
 */
export function normalizeBtf(split: SplitBtf, ids: Uint32Array): NormalizedBtf | undefined {
  const byOffset = new Map<number, number>();
  const firstOf = new Set<number>();
  let off = 0;
  split.strings.forEach((s, k) => {
    if (!firstOf.has(ids[k]!)) {
      firstOf.add(ids[k]!);
      byOffset.set(off, ids[k]!);
    }
    off += s.length + 1;
  });
  const words = Uint32Array.from(split.words);
  const starts: number[] = [];
  const keys: string[] = [];
  for (let at = 0; at < words.length; ) {
    const info = words[at + 1];
    const n = info === undefined ? undefined : recordWords(info);
    if (n === undefined || at + n > words.length) return undefined;
    for (let j = 0; j < n; j++) {
      if (!isNameWord(info!, j)) continue;
      const id = byOffset.get(words[at + j]!);
      if (id === undefined) return undefined;
      words[at + j] = id;
    }
    starts.push(at);
    keys.push(`${(info! >>> 24) & 0x7f}:${words[at]}`);
    at += n;
  }
  return { words, starts, keys };
}
