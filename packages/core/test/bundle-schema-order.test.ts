import { decodeBundle, kernelId } from '@btf-bundle/runtime';
import {
  BlobMode,
  type BtfColumn,
  ByteReader,
  ByteWriter,
  encodeOrder,
  Kind,
  packInfo,
  recordStarts,
  toSchemaOrder,
} from '@btf-bundle/runtime/internal';
import { describe, expect, it } from 'vitest';
import { DataSection } from '../../runtime/src/bundle/data-section.js';
import { BundleCorruptError } from '../../runtime/src/errors.js';
import { loadSet } from '../../runtime/test/helpers.js';
import { encodeBundle } from '../src/bundle/encode.js';

// A two-record BTF in columns: [1] INT 'int' size 4 (signed, 32 bits), [2] PTR to [1].
const INT_ENCODING = 0x01000020;
const HEADER = [Kind.INT, 0, Kind.PTR, 0];
const BLOB_SIZE = 24 + 16 + 12 + 5; // header, INT, PTR, "\0int\0"

const INT_WORDS = [1, packInfo(Kind.INT, 0, false), 4, INT_ENCODING];
const ptrWords = (target: number) => [0, packInfo(Kind.PTR, 0, false), target];

/** A little-endian BTF of these type words (28 bytes of them) and the strings "\0int\0". */
function btfOf(words: number[]): Uint8Array {
  const w = new DataView(new ArrayBuffer(BLOB_SIZE));
  w.setUint16(0, 0xeb9f, true);
  w.setUint8(2, 1);
  for (const [at, v] of [
    [4, 24],
    [8, 0],
    [12, 28],
    [16, 28],
    [20, 5],
  ] as const)
    w.setUint32(at, v, true);
  words.forEach((v, i) => {
    w.setUint32(24 + 4 * i, v, true);
  });
  new Uint8Array(w.buffer).set(new TextEncoder().encode('\0int\0'), 52);
  return new Uint8Array(w.buffer);
}

/** The two records above, the PTR pointing at type `target`. */
const twoRecordBtf = (target: number) => btfOf([...INT_WORDS, ...ptrWords(target)]);

/** The same two types the other way round: [1] PTR to [2], [2] INT. */
const swappedBtf = () => btfOf([...ptrWords(2), ...INT_WORDS]);

/**
 * A data section holding one BTF blob of the two records, stored with these column values (record columns in
 * schema order, then the order column), decoded with `DataSection`.
 */
function decodeStored(
  columns: Partial<Record<keyof typeof BtfColumn | 'Order', number[]>>,
  records = 2,
  { size = BLOB_SIZE, mode = 1 } = {},
) {
  const w = new ByteWriter();
  w.varint(2);
  w.bytes(new TextEncoder().encode('\0int\0'));
  const full = {
    Header: HEADER,
    Name: [1, 0],
    Type: [1],
    Size: [4],
    Offset: [],
    Value: [],
    Misc: [INT_ENCODING],
    Order: [0, 0],
    ...columns,
  };
  const parts = Object.values(full).map((values) => {
    const c = new ByteWriter();
    for (const v of values) c.varint(v);
    return c.finish();
  });
  for (const v of [mode, records]) w.varint(v);
  for (const p of parts) w.varint(2 * p.length);
  for (const p of parts) w.bytes(p);
  return new DataSection(new ByteReader(w.finish(), 'test data'), [size]).get(0);
}

/**
 * A data section of the INT + PTR blob, then a second blob whose heads give `second` for each of its eight
 * columns (2 × distance + 1: the column of the blob that many places before it), optionally a verbatim blob
 * between them.
 */
function sharedSection(second: number[], verbatimBetween = false): DataSection {
  const w = new ByteWriter();
  w.varint(2);
  w.bytes(new TextEncoder().encode('\0int\0'));
  const parts = [HEADER, [1, 0], [1], [4], [], [], [INT_ENCODING], [0, 0]].map((values) => {
    const c = new ByteWriter();
    for (const v of values) c.varint(v);
    return c.finish();
  });
  for (const v of [BlobMode.BtfLittle, 2]) w.varint(v);
  for (const p of parts) w.varint(2 * p.length);
  if (verbatimBetween) w.varint(BlobMode.Verbatim);
  for (const v of [BlobMode.BtfLittle, 2, ...second]) w.varint(v);
  for (const p of parts) w.bytes(p);
  if (verbatimBetween) w.bytes(new Uint8Array(3));
  const sizes = verbatimBetween ? [BLOB_SIZE, 3, BLOB_SIZE] : [BLOB_SIZE, BLOB_SIZE];
  return new DataSection(new ByteReader(w.finish(), 'test data'), sizes);
}

/** The error `f` throws, if any. */
function thrown(f: () => unknown): unknown {
  try {
    f();
    return undefined;
  } catch (e) {
    return e;
  }
}

describe('schema order', () => {
  it('decodes a hand-built blob stored in schema order exactly', () => {
    expect(Buffer.from(decodeStored({}))).toEqual(Buffer.from(twoRecordBtf(1)));
    // Stored the other way round: the PTR has schema id 1, the INT 2; the order column says INT first.
    const swapped = decodeStored({
      Header: [Kind.PTR, 0, Kind.INT, 0],
      Name: [0, 1],
      Type: [2],
      Order: [2, 1],
    });
    expect(Buffer.from(swapped)).toEqual(Buffer.from(twoRecordBtf(1)));
  });

  it('rejects inconsistent schema ids and columns with typed errors naming the blob', () => {
    const cases: [string, Parameters<typeof decodeStored>[0], number?][] = [
      ['given twice', { Order: [1, 1] }],
      ['is zero', { Order: [4294967295, 0] }],
      ['not in the blob', { Order: [5, 0] }],
      ['schema ids for', { Order: [0] }],
      ['the records need', { Misc: [INT_ENCODING, 7] }],
      ['the records need', { Type: [] }],
      ['invalid header', { Header: [Kind.INT, 0, 99, 0] }],
      ['schema ids for', {}, 3],
      ['3 records need 6 values', { Order: [0, 0, 0] }, 3],
    ];
    for (const [message, columns, records] of cases) {
      const e = thrown(() => decodeStored(columns, records));
      expect(e, message).toBeInstanceOf(BundleCorruptError);
      expect((e as Error).message, message).toContain('blob 0');
      expect((e as Error).message, message).toContain(message);
    }
  });

  it('refuses a vlen that would need more values than the columns hold, before allocating for it', () => {
    const e = thrown(() => decodeStored({ Header: [Kind.INT, 0, Kind.STRUCT, 0xffff] }));
    expect(e).toBeInstanceOf(BundleCorruptError);
    expect((e as Error).message).toContain('record 1 runs past a 56-byte blob');
  });

  it('refuses a declared size the columns cannot produce before allocating for it', () => {
    // 512 MiB declared for two records: rebuilding would need 1 GiB of words; refused at once.
    const e = thrown(() => decodeStored({}, 2, { size: 512 << 20 }));
    expect(e).toBeInstanceOf(BundleCorruptError);
    expect((e as Error).message).toContain(
      'blob 0 column Header: 2 records cannot make a 536870912-byte blob',
    );
  });

  it('names the fault of a blob head: an unknown mode, a head cut short', () => {
    expect(() => decodeStored({}, 2, { mode: 7 })).toThrow(/blob 0: unknown mode 7 at offset \d+/);
    const w = new ByteWriter();
    w.varint(1);
    w.byte(0);
    for (const v of [1, 2, 0]) w.varint(v); // mode, records, then one of the eight columns (empty: 2 × 0)
    const cut = () => new DataSection(new ByteReader(w.finish(), 'test data'), [BLOB_SIZE]);
    // (The reader comes from the package build, its error class from there: compared by name.)
    expect((thrown(cut) as Error).name).toBe('BundleTruncatedError');
    expect(cut).toThrow(/runs past the end at offset 5/);
  });

  it('a column shared with an earlier blob is read from that blob; a reference elsewhere is a typed error', () => {
    const one = Buffer.from(twoRecordBtf(1));
    const shared = sharedSection(Array(8).fill(1));
    expect(Buffer.from(shared.get(0))).toEqual(one);
    expect(Buffer.from(shared.get(1))).toEqual(one);
    expect(Buffer.from(sharedSection(Array(8).fill(3), true).get(2))).toEqual(one);
    expect(() => sharedSection([...Array(7).fill(1), 3])).toThrow(
      /blob 1 column 7: refers to blob -1, not an earlier BTF blob at offset \d+/,
    );
    expect(() => sharedSection(Array(8).fill(1), true)).toThrow(
      /blob 2 column 0: refers to blob 1, not an earlier BTF blob at offset \d+/,
    );
  });

  it('toSchemaOrder sorts records by schema id and writes type words as schema ids', () => {
    const cols = [HEADER, [1, 0], [1], [4], [], [], [INT_ENCODING]];
    expect(toSchemaOrder(cols, [1, 2], 'test')).toEqual(cols);
    expect(toSchemaOrder(cols, [9, 3], 'test')).toEqual([
      [Kind.PTR, 0, Kind.INT, 0],
      [0, 1],
      [9],
      [4],
      [],
      [],
      [INT_ENCODING],
    ]);
    // A type id past the blob's records has no schema id.
    expect(toSchemaOrder([HEADER, [1, 0], [3], [4], [], [], [INT_ENCODING]], [1, 2], 'test')).toBeUndefined();
    expect(recordStarts(cols, 2, 'test').map((s) => [...s])).toEqual([
      [0, 2, 4],
      [0, 1, 2],
      [0, 0, 1],
      [0, 1, 1],
      [0, 0, 0],
      [0, 0, 0],
      [0, 1, 1],
    ]);
  });

  it('codes the record order as runs', () => {
    // Runs that count up cost zeros.
    expect(encodeOrder([7, 8, 9, 4, 5, 6])).toEqual([7, 0, 0, 4, 0, 0]);
    expect(encodeOrder([1, 2, 3])).toEqual([0, 0, 0]);
  });

  it('stores a BTF with a type id past its records verbatim, byte for byte', () => {
    const key = { distro: 'x', version: '1', arch: 'x86_64', release: '1.0' };
    const blob = twoRecordBtf(3);
    const bundle = decodeBundle(encodeBundle({ kernels: [{ key, blob }], objects: [], meta: {} }).bytes);
    expect(Buffer.from(bundle.get(kernelId(key))!)).toEqual(Buffer.from(blob));
  });

  it('round-trips blobs whose record order differs from their reference (the same types, permuted)', () => {
    const btf = loadSet('a')[0]!.blob;
    const kernels = [btf, twoRecordBtf(1), btf.slice(0, 40), swappedBtf()].map((blob, i) => ({
      key: { distro: 'x', version: '1', arch: 'x86_64', release: `1.0.${i}` },
      blob,
    }));
    const bundle = decodeBundle(encodeBundle({ kernels, objects: [], meta: {} }).bytes);
    for (const k of kernels) expect(Buffer.from(bundle.get(kernelId(k.key))!)).toEqual(Buffer.from(k.blob));
  });
});
