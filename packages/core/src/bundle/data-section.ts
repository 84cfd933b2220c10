import {
  BlobMode,
  BTF_COLUMNS,
  BtfColumn,
  ByteWriter,
  buildBtf,
  columnOf,
  INFO_RESERVED,
  infoKind,
  infoVlen,
  MAX_REF_DEPTH,
  recordHeaderValue,
  recordWords,
  type SplitBtf,
  splitBtf,
  zigzag,
} from '@btf-bundle/runtime/internal';

/** The global string table: strings in first-use order, the empty string first. */
class StringTable {
  readonly list: Uint8Array[] = [new Uint8Array(0)];
  private readonly ids = new Map<string, number>([['', 0]]);

  /** The id of `s`, adding it (tentatively, see {@link rollback}) when new. */
  id(s: Uint8Array): number {
    const key = Buffer.from(s.buffer, s.byteOffset, s.length).toString('latin1');
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.list.length;
      this.ids.set(key, id);
      this.list.push(s);
    }
    return id;
  }

  /** Forgets the strings added after the table had `size` entries. */
  rollback(size: number): void {
    for (const s of this.list.splice(size)) this.ids.delete(Buffer.from(s).toString('latin1'));
  }
}

/** Column values of one BTF blob (indexed by {@link BtfColumn}) and its record count. */
interface BlobColumns {
  values: number[][];
  records: number;
  littleEndian: boolean;
}

/**
 * Splits one canonical BTF into column values (docs/bundle-format.md), or returns undefined when its records
 * cannot be represented (unknown kind, reserved info bits, a name that is not the start of a string).
 */
function encodeColumns(split: SplitBtf, table: StringTable): BlobColumns | undefined {
  const byOffset = new Map<number, Uint8Array>();
  let off = 0;
  for (const s of split.strings) {
    byOffset.set(off, s);
    off += s.length + 1;
  }
  const cols: number[][] = Array.from({ length: BTF_COLUMNS }, () => []);
  const name = (w: number) => {
    const s = byOffset.get(w);
    return s && table.id(s);
  };
  const { words } = split;
  let records = 0;
  for (let at = 0; at < words.length; records++) {
    const info = words[at + 1];
    const n = info === undefined || info & INFO_RESERVED ? undefined : recordWords(info);
    const id0 = name(words[at]!);
    if (n === undefined || at + n > words.length || id0 === undefined) return undefined;
    const kind = infoKind(info!);
    cols[BtfColumn.Header]!.push(recordHeaderValue(info!), infoVlen(info!));
    cols[BtfColumn.Name]!.push(id0);
    let prevOff = 0;
    for (let j = 2; j < n; j++) {
      const w = words[at + j]!;
      const col = columnOf(kind, j);
      let v: number;
      if (col === BtfColumn.Name) {
        const id = name(w);
        if (id === undefined) return undefined;
        v = id;
      } else if (col === BtfColumn.Offset) {
        v = zigzag((w - prevOff) | 0);
        prevOff = w;
      } else v = w;
      cols[col]!.push(v);
    }
    at += n;
  }
  return { values: cols, records, littleEndian: split.littleEndian };
}

/** Whether `cols` rebuild exactly `blob` (names imply the string section only for bpftool-like BTF). */
function roundTrips(cols: BlobColumns, blob: Uint8Array, table: StringTable): boolean {
  try {
    const out = buildBtf(
      cols.values.map((v) => Uint32Array.from(v)),
      () => 'check',
      cols.records,
      table.list,
      cols.littleEndian,
      blob.length,
      new Int32Array(table.list.length),
    );
    return Buffer.from(out).equals(Buffer.from(blob));
  } catch {
    return false;
  }
}

/** How many earlier BTF blobs are tried as the reference of the next one. */
const REFERENCE_WINDOW = 32;

/** Share of a column's values that must equal the reference's for the column to be coded as differences. */
const DELTA_MIN_SAME = 0.98;

/** Per column, how many values of `a` equal the value at the same place in `b`. */
function alignedEqual(a: BlobColumns, b: BlobColumns): number[] {
  return a.values.map((col, c) => {
    const ref = b.values[c]!;
    const n = Math.min(col.length, ref.length);
    let same = 0;
    for (let i = 0; i < n; i++) if (col[i] === ref[i]) same++;
    return same;
  });
}

/** A BTF blob's reference (distance back, 0 for none) and which of its columns are coded as differences. */
interface Reference {
  back: number;
  mask: number;
}

/**
 * Picks the reference of each BTF blob: of the last {@link REFERENCE_WINDOW} BTF blobs whose chain is shorter
 * than {@link MAX_REF_DEPTH}, the one with the most values equal at the same place; columns where nearly all
 * values agree ({@link DELTA_MIN_SAME}) are coded as differences from it: zeros but for the few members that
 * moved. Elsewhere brotli's window, which spans the whole payload, finds the repeats itself (measured: coding
 * columns that agree less as differences makes the bundle larger).
 */
function chooseReferences(blobs: readonly (BlobColumns | undefined)[]): Reference[] {
  const depth: number[] = [];
  const seen: number[] = [];
  return blobs.map((cur, i) => {
    if (!cur) return { back: 0, mask: 0 };
    let best = -1;
    let bestSame: number[] = [];
    let bestScore = 0;
    for (const j of seen.slice(Math.max(0, seen.length - REFERENCE_WINDOW))) {
      if (depth[j]! >= MAX_REF_DEPTH) continue;
      const same = alignedEqual(cur, blobs[j]!);
      const score = same.reduce((a, b) => a + b, 0);
      if (score > bestScore) [best, bestSame, bestScore] = [j, same, score];
    }
    seen.push(i);
    let mask = 0;
    bestSame.forEach((same, c) => {
      if (same > 0 && same >= DELTA_MIN_SAME * cur.values[c]!.length) mask |= 1 << c;
    });
    depth[i] = mask ? depth[best]! + 1 : 1;
    return mask ? { back: i - best, mask } : { back: 0, mask: 0 };
  });
}

/**
 * Encodes distinct blobs (already in their final order) into the uncompressed data part described in
 * docs/bundle-format.md: a global string table, per-blob heads (mode, record count, reference, column lengths),
 * the column values of every BTF blob (differences from its reference where that pays), then the verbatim
 * blobs. A blob is stored as BTF only if its columns rebuild it exactly.
 */
export function encodeDataSection(blobs: readonly Uint8Array[]): Uint8Array {
  const table = new StringTable();
  const verbatim: Uint8Array[] = [];
  const coded = blobs.map((blob) => {
    const split = splitBtf(blob);
    const before = table.list.length;
    const mine = split && encodeColumns(split, table);
    if (mine && roundTrips(mine, blob, table)) return mine;
    table.rollback(before);
    verbatim.push(blob);
    return undefined;
  });
  const refs = chooseReferences(coded);
  const heads = new ByteWriter();
  const cols = Array.from({ length: BTF_COLUMNS }, () => new ByteWriter());
  coded.forEach((cur, i) => {
    if (!cur) {
      heads.varint(BlobMode.Verbatim);
      return;
    }
    const { back, mask } = refs[i]!;
    heads.varint(cur.littleEndian ? BlobMode.BtfLittle : BlobMode.BtfBig);
    heads.varint(cur.records);
    heads.varint(back);
    heads.varint(mask);
    cur.values.forEach((values, c) => {
      const ref = mask & (1 << c) ? coded[i - back]!.values[c]! : [];
      const w = new ByteWriter();
      values.forEach((v, k) => {
        w.varint(k < ref.length ? zigzag((v - ref[k]!) | 0) : v);
      });
      heads.varint(w.length);
      cols[c]!.bytes(w.finish());
    });
  });
  const out = new ByteWriter();
  out.varint(table.list.length);
  for (const s of table.list) {
    out.bytes(s);
    out.byte(0);
  }
  out.bytes(heads.finish());
  for (const c of cols) out.bytes(c.finish());
  for (const v of verbatim) out.bytes(v);
  return out.finish();
}
