import {
  BlobMode,
  BTF_COLUMNS,
  BtfColumn,
  ByteReader,
  ByteWriter,
  columnOf,
  decodeBtfColumns,
  INFO_RESERVED,
  kindOf,
  recordWords,
  type SplitBtf,
  splitBtf,
  zigzag,
} from '@btf-bundle/runtime/format';

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

/**
 * Splits one canonical BTF into column values (docs/bundle-format.md), or returns undefined when its records
 * cannot be represented (unknown kind, reserved info bits, a name that is not the start of a string).
 */
function encodeColumns(
  split: SplitBtf,
  table: StringTable,
): { cols: ByteWriter[]; records: number } | undefined {
  const byOffset = new Map<number, Uint8Array>();
  let off = 0;
  for (const s of split.strings) {
    byOffset.set(off, s);
    off += s.length + 1;
  }
  const cols = Array.from({ length: BTF_COLUMNS }, () => new ByteWriter());
  const name = (w: number) => {
    const s = byOffset.get(w);
    return s && table.id(s);
  };
  const { words } = split;
  let tid = 1;
  for (let at = 0; at < words.length; tid++) {
    const info = words[at + 1];
    const n = info === undefined || info & INFO_RESERVED ? undefined : recordWords(info);
    const id0 = name(words[at]!);
    if (n === undefined || at + n > words.length || id0 === undefined) return undefined;
    const kind = kindOf(info!);
    cols[BtfColumn.Header]!.byte(kind | ((info! >>> 31) << 7));
    cols[BtfColumn.Header]!.varint(info! & 0xffff);
    cols[BtfColumn.Name]!.varint(id0);
    let prevOff = 0;
    let prevVal = -1;
    for (let j = 2; j < n; j++) {
      const w = words[at + j]!;
      const col = columnOf(kind, j);
      let v: number;
      if (col === BtfColumn.Name) {
        const id = name(w);
        if (id === undefined) return undefined;
        v = id;
      } else if (col === BtfColumn.Type) v = zigzag((w - tid) | 0);
      else if (col === BtfColumn.Offset) {
        v = zigzag((w - prevOff) | 0);
        prevOff = w;
      } else if (col === BtfColumn.Value) {
        v = zigzag((w - prevVal - 1) | 0);
        prevVal = w;
      } else v = w;
      cols[col]!.varint(v);
    }
    at += n;
  }
  return { cols, records: tid - 1 };
}

/** Whether `cols` decode back to exactly `blob` (names imply the string section only for bpftool-like BTF). */
function roundTrips(
  cols: ByteWriter[],
  records: number,
  blob: Uint8Array,
  split: SplitBtf,
  table: StringTable,
) {
  const readers = cols.map((c) => new ByteReader(c.finish(), 'check'));
  try {
    const out = decodeBtfColumns(
      readers,
      records,
      table.list,
      split.littleEndian,
      blob.length,
      new Int32Array(table.list.length),
    );
    return readers.every((r) => r.remaining === 0) && Buffer.from(out).equals(Buffer.from(blob));
  } catch {
    return false;
  }
}

/**
 * Encodes distinct blobs (already in their final order) into the uncompressed data part described in
 * docs/bundle-format.md: a global string table, per-blob mode and record count, the type records of every BTF
 * blob split into columns, then the verbatim blobs. A blob is stored as BTF only if it decodes back exactly.
 */
export function encodeDataSection(blobs: readonly Uint8Array[]): Uint8Array {
  const table = new StringTable();
  const cols = Array.from({ length: BTF_COLUMNS }, () => new ByteWriter());
  const heads = new ByteWriter();
  const verbatim: Uint8Array[] = [];
  for (const blob of blobs) {
    const split = splitBtf(blob);
    const before = table.list.length;
    const mine = split && encodeColumns(split, table);
    if (split && mine && roundTrips(mine.cols, mine.records, blob, split, table)) {
      heads.varint(split.littleEndian ? BlobMode.BtfLittle : BlobMode.BtfBig);
      heads.varint(mine.records);
      mine.cols.forEach((c, i) => {
        cols[i]!.bytes(c.finish());
      });
    } else {
      table.rollback(before);
      heads.varint(BlobMode.Verbatim);
      verbatim.push(blob);
    }
  }
  const out = new ByteWriter();
  out.varint(table.list.length);
  for (const s of table.list) {
    out.bytes(s);
    out.byte(0);
  }
  out.bytes(heads.finish());
  for (const c of cols) out.varint(c.length);
  for (const c of cols) out.bytes(c.finish());
  for (const v of verbatim) out.bytes(v);
  return out.finish();
}
