/**
 * BTF reader and writer: every kind (incl. ENUM64, DECL_TAG, TYPE_TAG), both byte orders (a real kernel BTF
 * byte-swapped to big-endian minimizes to the same little-endian bytes), writer round-trip on bpftool-layout
 * outputs, essential names (docs/core-relocations.md#essential-names-and-flavors).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Btf } from '../src/btf/btf.js';
import { Kind } from '../src/btf/format.js';
import { IndexBuffer } from '../src/btf/parse.js';
import { minimizeBtf } from '../src/minimize/minimize.js';
import { essentialName, essentialNameLength, namesMatch } from '../src/relo/names.js';
import { readKernelBtf } from '../src/snapshot/input.js';
import {
  allKindsBtf,
  byteSwapBtf,
  fixture,
  reemit,
  referenceKernel,
  targetBtf,
  testdata,
} from './btf-helpers.js';

/** The reference kernel's raw BTF, decompressed once for the whole file. */
let kernelRaw: Uint8Array;
beforeAll(async () => {
  kernelRaw = await readKernelBtf(referenceKernel);
});
const realObjects = ['execsnoop', 'opensnoop', 'tcpstates', 'biolatency'].map((n) => fixture(`${n}.bpf.o`));

describe('Btf.parse: every kind', () => {
  const { bytes, ids } = allKindsBtf();
  const btf = Btf.parse(bytes, { file: 'all-kinds.btf' });

  it('decodes each of kinds 1..19', () => {
    expect(btf.typeCount).toBe(20);
    for (let id = 1; id < btf.typeCount; id++) expect(btf.kind(id)).toBe(id);
    expect(btf.name(ids.int!)).toBe('int');
    expect(btf.intBits(ids.int!)).toBe(32);
    expect(btf.intEncoding(ids.int!)).toBe(1);
    expect(btf.arrayNelems(ids.array!)).toBe(7);
    expect(btf.memberName(ids.struct!, 1)).toBe('b');
    expect(btf.memberBitOffset(ids.struct!, 1)).toBe(32);
    expect(btf.memberBitfieldSize(ids.struct!, 1)).toBe(3);
    expect(btf.enumValue(ids.enum!, 1)).toBe(-5n);
    expect(btf.kindFlag(ids.fwd!)).toBe(true);
    expect(btf.paramType(ids.proto!, 1)).toBe(0); // variadic
    expect(btf.vlen(ids.func!)).toBe(1); // linkage, not elements
    expect(btf.type(ids.decl_tag!)).toBe(ids.struct);
    expect(btf.name(ids.type_tag!)).toBe('rcu');
    expect(btf.enumValue(ids.enum64!, 0)).toBe(0x1_2345_6789n);
    expect(btf.enumValue(ids.enum64!, 1)).toBe(-0x1_0000_0001n);
    expect(btf.resolveSize(ids.typedef!)).toBe(8);
    expect(btf.skipMods(ids.const!)).toBe(ids.int);
  });

  it('round-trips through the writer and through a byte swap', () => {
    expect(Buffer.compare(reemit(btf), bytes)).toBe(0);
    const be = Btf.parse(byteSwapBtf(bytes));
    expect(be.littleEndian).toBe(false);
    for (let id = 1; id < btf.typeCount; id++) expect(be.describe(id)).toBe(btf.describe(id));
    expect(be.enumValue(ids.enum64!, 1)).toBe(-0x1_0000_0001n);
    expect(Buffer.compare(reemit(be), bytes)).toBe(0);
    expect(Buffer.compare(byteSwapBtf(byteSwapBtf(bytes)), bytes)).toBe(0);
  });
});

describe('both byte orders on a real kernel', () => {
  it('a byte-swapped (big-endian) kernel BTF parses and minimizes to the same little-endian bytes', () => {
    const le = kernelRaw;
    const be = byteSwapBtf(le);
    expect(Buffer.compare(be, le)).not.toBe(0);
    const leBtf = Btf.parse(le);
    const beBtf = Btf.parse(be);
    expect(beBtf.littleEndian).toBe(false);
    expect(beBtf.typeCount).toBe(leBtf.typeCount);
    for (const mode of ['robust', 'bpftool'] as const) {
      const a = minimizeBtf(leBtf, realObjects, { mode }).btf;
      const b = minimizeBtf(beBtf, realObjects, { mode }).btf;
      expect(Buffer.compare(a, b), mode).toBe(0);
    }
    // Big-endian output on request is the byte swap of the little-endian one.
    const out = minimizeBtf(leBtf, realObjects).btf;
    expect(
      Buffer.compare(minimizeBtf(beBtf, realObjects, { littleEndian: false }).btf, byteSwapBtf(out)),
    ).toBe(0);
  });

  it('the committed big-endian raw BTF (bitfields_bpfeb.btf) equals the swapped little-endian target', () => {
    const beRaw = new Uint8Array(readFileSync(join(testdata, 'targets/bitfields_bpfeb.btf')));
    const be = Btf.parse(beRaw);
    expect(be.littleEndian).toBe(false);
    const swapped = Btf.parse(byteSwapBtf(beRaw));
    expect(swapped.littleEndian).toBe(true);
    const le = targetBtf('bitfields.o');
    expect(swapped.typeCount).toBe(le.typeCount);
    for (let id = 1; id < le.typeCount; id++) {
      expect(swapped.describe(id)).toBe(le.describe(id));
      expect(Array.from(be.recordWords(id))).toEqual(Array.from(le.recordWords(id)));
    }
  });
});

describe('IndexBuffer', () => {
  it('parses kernel after kernel into one reused index, each as a fresh parse would, growing when needed', () => {
    const small = allKindsBtf().bytes;
    const kernel = kernelRaw;
    const unaligned = new Uint8Array(small.length + 1).subarray(1); // the copying (unaligned) path too
    unaligned.set(small);
    const buffer = new IndexBuffer();
    for (const bytes of [small, kernel, unaligned, kernel]) {
      const reused = Btf.parse(bytes, { indexBuffer: buffer });
      const fresh = Btf.parse(bytes);
      expect(reused.typeCount).toBe(fresh.typeCount);
      for (let id = 1; id < fresh.typeCount; id += Math.ceil(fresh.typeCount / 500)) {
        expect(reused.describe(id)).toBe(fresh.describe(id));
        expect(Array.from(reused.recordWords(id))).toEqual(Array.from(fresh.recordWords(id)));
      }
      expect(Buffer.compare(minimizeBtf(reused, realObjects).btf, minimizeBtf(fresh, realObjects).btf)).toBe(
        0,
      );
    }
  });
});

describe('writer round-trip', () => {
  it('parse → re-emit every type of bpftool-layout outputs gives identical bytes', () => {
    const kernel = Btf.parse(kernelRaw);
    const outputs = [
      minimizeBtf(kernel, realObjects, { mode: 'bpftool' }).btf,
      minimizeBtf(kernel, realObjects).btf,
      ...['enums', 'bitfields', 'typematches', 'modifiers', 'anon', 'arrays'].map(
        (n) => minimizeBtf(targetBtf(`${n}.o`), [fixture(`${n}.bpf.o`)], { mode: 'bpftool' }).btf,
      ),
    ];
    for (const out of outputs) expect(Buffer.compare(reemit(Btf.parse(out)), out)).toBe(0);
  });

  it('re-emitting a whole kernel BTF keeps every type (strings may be reordered)', () => {
    const kernel = Btf.parse(kernelRaw);
    const again = Btf.parse(reemit(kernel));
    expect(again.typeCount).toBe(kernel.typeCount);
    for (const id of [1, 2, 100, 1000, kernel.typeCount - 1])
      expect(again.describe(id)).toBe(kernel.describe(id));
  });
});

describe('essential names (docs/core-relocations.md#essential-names-and-flavors)', () => {
  it.each([
    ['task_struct___old', 'task_struct'],
    ['a___b___c', 'a___b'],
    ['foo____bar', 'foo____bar'],
    ['foo___', 'foo___'],
    ['___x', '___x'],
    ['x___y', 'x'],
    ['FOO___x', 'FOO'],
    ['task_struct', 'task_struct'],
    ['', ''],
  ])('%s → %s', (name, essential) => {
    expect(essentialName(name)).toBe(essential);
    expect(essentialNameLength(name)).toBe(essential.length);
  });

  it('matches flavors on both sides', () => {
    expect(namesMatch('foo___v1', 'foo')).toBe(true);
    expect(namesMatch('foo___v1', 'foo___v2')).toBe(true);
    expect(namesMatch('foo', 'foobar')).toBe(false);
    expect(namesMatch('foo____bar', 'foo')).toBe(false);
  });
});

it('kind numbers are the format constants', () => {
  expect([Kind.ENUM64, Kind.DECL_TAG, Kind.TYPE_TAG]).toEqual([19, 17, 18]);
});
