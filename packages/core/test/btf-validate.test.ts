/**
 * What the kernel's BTF verifier (and libbpf's sizing) refuses is refused by Btf.parse too, with the type id, and
 * the boundary cases they accept are accepted: INT bits and encodings, ENUM sizes, ARRAY types, member offsets,
 * bitfields and sizes inside their struct, union members at 0, and typedef/modifier/pointer chains judged by
 * depth (the kernel's limit of 32) apart from loops.
 */
import { describe, expect, it } from 'vitest';
import { Btf } from '../src/btf/btf.js';
import { Kind } from '../src/btf/format.js';
import { MAX_RESOLVE_DEPTH } from '../src/btf/validate.js';
import { BtfWriter } from '../src/btf/writer.js';
import { FormatError } from '../src/errors.js';
import { readKernelBtf } from '../src/snapshot/input.js';
import { sampleKernels } from './build-fixtures.js';

const info = (kind: number, vlen = 0, kflag = false) =>
  ((kflag ? 0x80000000 : 0) | (kind << 24) | vlen) >>> 0;
const int = (w: BtfWriter, name: string, size: number, bits = size * 8, encoding = 0, offset = 0) =>
  w.addRecord([w.addString(name), info(Kind.INT), size, ((encoding << 24) | (offset << 16) | bits) >>> 0]);
/** A struct of `size` bytes with members `[name, type, offset word]`. */
const struct = (
  w: BtfWriter,
  size: number,
  members: [string, number, number][],
  kflag = false,
  kind: number = Kind.STRUCT,
) =>
  w.addRecord([
    w.addString('s'),
    info(kind, members.length, kflag),
    size,
    ...members.flatMap(([n, t, o]) => [w.addString(n), t, o >>> 0]),
  ]);
const array = (w: BtfWriter, type: number, index: number, n: number) =>
  w.addRecord([0, info(Kind.ARRAY), 0, type, index, n]);

/** Build a BTF with `build`, parse it, and return the error message (or 'ok'). */
function verdict(build: (w: BtfWriter) => void): string {
  const w = new BtfWriter();
  build(w);
  try {
    Btf.parse(w.toBytes(), { file: 't.btf' });
    return 'ok';
  } catch (err) {
    expect(err).toBeInstanceOf(FormatError);
    return (err as FormatError).message;
  }
}

describe('Btf.parse validates types like the kernel', () => {
  it('INT: value bits, offset and encoding', () => {
    expect(verdict((w) => int(w, 'int', 4, 32, 1))).toBe('ok');
    expect(verdict((w) => int(w, '__int128', 16, 128, 1))).toBe('ok');
    expect(verdict((w) => int(w, '_Bool', 1, 8, 4))).toBe('ok');
    expect(verdict((w) => int(w, 'x', 4, 33))).toMatch(
      /type id 1\): \[1\] INT 'x': 33 bits do not fit its 4 bytes/,
    );
    expect(verdict((w) => int(w, 'x', 32, 200))).toMatch(/200 bits \(offset included\), more than 128/);
    expect(verdict((w) => int(w, 'x', 16, 120, 0, 16))).toMatch(/136 bits .* more than 128/);
    expect(verdict((w) => int(w, 'x', 4, 32, 3))).toMatch(/encoding 3 is not one of SIGNED, CHAR, BOOL/);
    expect(verdict((w) => int(w, 'x', 4, 32, 8))).toMatch(/encoding 8/);
    expect(verdict((w) => w.addRecord([0, info(Kind.INT), 4, 0x10000020]))).toMatch(/sets reserved bits/);
    expect(verdict((w) => w.addRecord([0, info(Kind.INT, 1), 4, 32]))).toMatch(/vlen is 1, not 0/);
  });

  it('ENUM: sizes 1, 2, 4 or 8', () => {
    for (const size of [1, 2, 4, 8])
      expect(verdict((w) => w.addRecord([0, info(Kind.ENUM), size]))).toBe('ok');
    for (const size of [0, 3, 16, 2 ** 31]) {
      expect(verdict((w) => w.addRecord([0, info(Kind.ENUM), size]))).toMatch(
        `size ${size} is not 1, 2, 4 or 8`,
      );
      expect(verdict((w) => w.addRecord([0, info(Kind.ENUM64), size]))).toMatch(
        /ENUM64 .*is not 1, 2, 4 or 8/,
      );
    }
  });

  it('ARRAY: element and index types are not void', () => {
    expect(verdict((w) => array(w, int(w, 'int', 4), 1, 4))).toBe('ok');
    expect(verdict((w) => array(w, 0, int(w, 'int', 4), 4))).toMatch(/\[2\] ARRAY '': element type is void/);
    expect(verdict((w) => array(w, int(w, 'int', 4), 0, 4))).toMatch(/index type is void/);
  });

  it('STRUCT/UNION members: offsets and sizes inside, unions at 0, no void', () => {
    const ok = (w: BtfWriter) => {
      const i = int(w, 'int', 4, 32, 1);
      const flex = array(w, i, i, 0);
      struct(w, 8, [
        ['a', i, 0],
        ['b', i, 32],
        ['tail', flex, 64],
      ]); // flexible array at the very end
    };
    expect(verdict(ok)).toBe('ok');
    expect(verdict((w) => struct(w, 8, [['a', int(w, 'int', 4), 64 + 8]]))).toMatch(
      /\[2\] STRUCT 's': member 0 'a' is at bit 72, beyond the 8-byte STRUCT/,
    );
    expect(verdict((w) => struct(w, 8, [['a', int(w, 'int', 4), 40]]))).toMatch(
      /member 0 'a' ends at byte 9, beyond the 8-byte STRUCT/,
    );
    expect(
      verdict((w) =>
        struct(w, 7, [
          ['a', int(w, 'int', 4), 0],
          ['b', int(w, 'int', 4), 32],
        ]),
      ),
    ).toMatch(/member 1 'b' ends at byte 8, beyond the 7-byte STRUCT/);
    expect(verdict((w) => struct(w, 4, [['a', 0, 0]]))).toMatch(/member 0 'a' has type void/);
    expect(
      verdict((w) =>
        struct(
          w,
          4,
          [
            ['a', int(w, 'int', 4), 0],
            ['b', 1, 0],
          ],
          false,
          Kind.UNION,
        ),
      ),
    ).toBe('ok');
    expect(verdict((w) => struct(w, 8, [['a', int(w, 'int', 4), 32]], false, Kind.UNION))).toMatch(
      /member 0 'a' of a union is at bit 32, not 0/,
    );
    // A struct member of an array type: its whole size counts.
    expect(
      verdict((w) => {
        const i = int(w, 'int', 4);
        struct(w, 12, [['arr', array(w, i, i, 4), 0]]);
      }),
    ).toMatch(/member 0 'arr' ends at byte 16, beyond the 12-byte STRUCT/);
    // A 2^31-byte struct inside a smaller one.
    expect(
      verdict((w) => {
        const big = struct(w, 2 ** 31, []);
        struct(w, 64, [['big', big, 0]]);
      }),
    ).toMatch(/member 0 'big' ends at byte 2147483648, beyond the 64-byte STRUCT/);
  });

  it('bitfields: inside the struct, at most 128 bits copied', () => {
    const bitfield = (size: number, bitOffset: number, bits: number) =>
      verdict((w) => struct(w, size, [['f', int(w, 'int', 4), (bits << 24) | bitOffset]], true));
    expect(bitfield(4, 29, 3)).toBe('ok'); // ends exactly at the last bit
    expect(bitfield(4, 30, 3)).toMatch(/member 0 'f' ends at byte 5, beyond the 4-byte STRUCT/);
    expect(bitfield(32, 7, 128)).toMatch(/128 bits at bit 7 span over 128 bits/);
    // Legacy (no kind_flag) bitfield: an INT with fewer value bits, its own bit offset added.
    expect(verdict((w) => struct(w, 4, [['f', int(w, 'int', 4, 3), 29]]))).toBe('ok');
    expect(verdict((w) => struct(w, 4, [['f', int(w, 'int', 4, 3, 0, 1), 29]]))).toMatch(/ends at byte 5/);
  });
});

describe('reference chains are judged by depth, apart from loops', () => {
  const chain = (links: number, kinds: number[] = [Kind.TYPEDEF]) =>
    verdict((w) => {
      let id = int(w, 'int', 4);
      for (let i = 0; i < links; i++) {
        const kind = kinds[i % kinds.length] as number;
        id = w.addRecord([kind === Kind.TYPEDEF ? w.addString(`t${i}`) : 0, info(kind), id]);
      }
    });

  it(`accepts ${MAX_RESOLVE_DEPTH} links and refuses ${MAX_RESOLVE_DEPTH + 1}, naming the deep end`, () => {
    expect(chain(MAX_RESOLVE_DEPTH)).toBe('ok');
    expect(chain(MAX_RESOLVE_DEPTH + 1)).toMatch(
      /type id 34\): \[34\] TYPEDEF 't32': chain of typedefs, modifiers or pointers deeper than 32 links/,
    );
    expect(
      chain(MAX_RESOLVE_DEPTH + 1, [Kind.PTR, Kind.CONST, Kind.VOLATILE, Kind.RESTRICT, Kind.TYPE_TAG]),
    ).toMatch(/deeper than 32 links/);
  });

  it('calls a 200,000-deep typedef chain too deep, not a cycle, in one pass', () => {
    const message = chain(200_000);
    expect(message).toMatch(/deeper than 32 links/);
    expect(message).not.toMatch(/cycle|loop/);
  });

  it('calls a real loop a loop', () => {
    for (const kinds of [
      [Kind.TYPEDEF],
      [Kind.CONST, Kind.PTR],
      [Kind.TYPE_TAG, Kind.VOLATILE, Kind.TYPEDEF],
    ]) {
      const message = verdict((w) => {
        const first = w.typeCount;
        kinds.forEach((kind, i) => {
          w.addRecord([0, info(kind), i === kinds.length - 1 ? first : first + i + 1]);
        });
      });
      expect(message).toMatch(/loop of typedefs, modifiers or pointers back to itself/);
    }
  });
});

describe('real kernels pass', () => {
  it('parses every sample kernel', async () => {
    for (const path of sampleKernels()) {
      expect(Btf.parse(await readKernelBtf(path), { file: path }).typeCount).toBeGreaterThan(50_000);
    }
  });
});
