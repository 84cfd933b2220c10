/**
 * What the kernel's BTF verifier (and libbpf's sizing) refuses is refused by Btf.parse too, with the type id, and
 * the boundary cases they accept are accepted: INT bits and encodings, ENUM sizes, ARRAY types, member offsets,
 * bitfields and sizes inside their struct, union members at 0, and typedef/modifier/pointer chains judged by
 * depth (the kernel's limit of 32) apart from loops.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bpfSyscallMissing, oracleSkipReason } from '../../../test/oracle/availability.js';
import { oracleTempDir } from '../../../test/oracle/btf-files.js';
import { kernelBtfVerdicts } from '../../../test/oracle/libbpf.js';
import { Btf } from '../src/btf/btf.js';
import { Kind } from '../src/btf/format.js';
import { MAX_RESOLVE_DEPTH, validateTypes } from '../src/btf/validate.js';
import { BtfWriter } from '../src/btf/writer.js';
import { FormatError } from '../src/errors.js';
import { minimizeBtf } from '../src/minimize/minimize.js';
import { readKernelBtf } from '../src/snapshot/input.js';
import { fixture, referenceKernel } from './btf-helpers.js';
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
  /** A chain of `links` typedefs/modifiers/pointers ending in an INT: forward (each refers to the next id) or back. */
  const chainBtf = (w: BtfWriter, links: number, forward: boolean, kinds: number[] = [Kind.TYPEDEF]) => {
    const first = w.typeCount;
    const kindAt = (k: number) => kinds[k % kinds.length] as number;
    const name = (k: number) => (kindAt(k) === Kind.TYPEDEF ? w.addString(`t${k}`) : 0);
    if (forward) {
      for (let k = 0; k < links; k++) w.addRecord([name(k), info(kindAt(k)), first + k + 1]);
      int(w, 'int', 4);
    } else {
      let id = int(w, 'int', 4);
      for (let k = 0; k < links; k++) id = w.addRecord([name(k), info(kindAt(k)), id]);
    }
  };
  const chain = (links: number, forward: boolean, kinds?: number[]) =>
    verdict((w) => chainBtf(w, links, forward, kinds));

  it(`accepts ${MAX_RESOLVE_DEPTH} forward links and refuses ${MAX_RESOLVE_DEPTH + 1}, naming where it starts`, () => {
    expect(chain(MAX_RESOLVE_DEPTH, true)).toBe('ok');
    expect(chain(MAX_RESOLVE_DEPTH + 1, true)).toMatch(
      /type id 1\): \[1\] TYPEDEF 't0': chain of typedefs, modifiers or pointers through more than 32 later types/,
    );
    const mixed = [Kind.PTR, Kind.CONST, Kind.VOLATILE, Kind.RESTRICT, Kind.TYPE_TAG];
    expect(chain(MAX_RESOLVE_DEPTH + 1, true, mixed)).toMatch(/through more than 32 later types/);
    expect(chain(MAX_RESOLVE_DEPTH + 1, false, mixed)).toBe('ok'); // in id order: one step each, as in the kernel
  });

  it('calls a 200,000-deep typedef chain deep, never a cycle, in one pass', () => {
    const forward = chain(200_000, true);
    expect(forward).toMatch(/through more than 32 later types/);
    expect(forward).not.toMatch(/cycle|loop/);
    // In id order the kernel takes it; walking it whole is where we stop, with a depth message.
    const w = new BtfWriter();
    chainBtf(w, 200_000, false);
    const btf = Btf.parse(w.toBytes());
    expect(() => btf.skipModsAndTypedefs(btf.typeCount - 1)).toThrow(
      /typedef\/modifier chain longer than 65536 links/,
    );
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
      expect(message).toMatch(/loop of typedefs, modifiers or pointers back to type id 1/);
    }
  });
});

describe('deferred type checks: only the types kept are checked', () => {
  /** int (1), a struct with a member beyond its end (2), a good struct (3), 33 forward typedefs (4..36) ending in
   *  an int (37), a const-pointer loop (38, 39), 33 typedefs in id order (40..72). */
  const w = new BtfWriter();
  const i = int(w, 'int', 4, 32, 1);
  const bad = struct(w, 4, [['a', i, 32]]);
  const good = struct(w, 8, [['a', i, 32]]);
  const chainStart = w.typeCount;
  for (let k = 0; k <= MAX_RESOLVE_DEPTH; k++)
    w.addRecord([w.addString(`f${k}`), info(Kind.TYPEDEF), w.typeCount + 1]);
  int(w, 'int2', 4);
  const loop = w.typeCount;
  w.addRecord([0, info(Kind.CONST), loop + 1]);
  w.addRecord([0, info(Kind.PTR), loop]);
  let backward = i;
  for (let k = 0; k <= MAX_RESOLVE_DEPTH; k++)
    backward = w.addRecord([w.addString(`b${k}`), info(Kind.TYPEDEF), backward]);
  const bytes = w.toBytes();
  const check = (ids: number[]) => {
    try {
      validateTypes(Btf.parse(bytes, { typeChecks: 'deferred' }), ids);
      return 'ok';
    } catch (err) {
      expect(err).toBeInstanceOf(FormatError);
      return (err as FormatError).message;
    }
  };

  it('parses what the full check refuses, and says so', () => {
    expect(() => Btf.parse(bytes)).toThrow(FormatError);
    const btf = Btf.parse(bytes, { typeChecks: 'deferred' });
    expect(btf.typesChecked).toBe(false);
    const valid = new BtfWriter();
    int(valid, 'int', 4);
    expect(Btf.parse(valid.toBytes()).typesChecked).toBe(true);
  });

  it('refuses a bad type only when it is among the ids', () => {
    expect(check([i, good, backward])).toBe('ok');
    expect(check([i, bad])).toMatch(
      /\[2\] STRUCT 's': member 0 'a' ends at byte 8, beyond the 4-byte STRUCT/,
    );
    expect(check([chainStart + 1])).toBe('ok'); // 32 forward links
    expect(check([chainStart])).toMatch(
      /type id 4: \[4\] TYPEDEF .f0.: chain .* through more than 32 later types/,
    );
    expect(check([loop])).toMatch(/loop of typedefs, modifiers or pointers back to type id 38/);
  });
});

describe('a kernel parsed with deferred checks, minimized', () => {
  it('is refused for a bad type the output keeps, and minimized as before for one it does not', async () => {
    const raw = await readKernelBtf(referenceKernel);
    const kernel = Btf.parse(raw, { file: 'k.btf' });
    const objects = ['opensnoop', 'tcpstates'].map((n) => fixture(`${n}.bpf.o`));
    const intact = minimizeBtf(kernel, objects).btf;
    const kept = new Set<string>();
    const out = Btf.parse(intact);
    for (let id = 1; id < out.typeCount; id++) if (out.kind(id) === Kind.STRUCT) kept.add(out.name(id));
    /** The kernel with STRUCT `id`'s size set to 1 byte (its members then lie beyond its end). */
    const shrunk = (id: number) => {
      const copy = raw.slice();
      new DataView(copy.buffer, copy.byteOffset).setUint32(kernel.recordOffset(id) + 8, 1, true);
      return copy;
    };
    const structs = (wantKept: boolean) => {
      for (let id = 1; id < kernel.typeCount; id++) {
        if (kernel.kind(id) !== Kind.STRUCT || kernel.vlen(id) < 2 || kernel.size(id) < 16) continue;
        if (kept.has(kernel.name(id)) === wantKept) return id;
      }
      throw new Error('no such struct');
    };
    const keptId = structs(true);
    const unkeptId = structs(false);
    for (const id of [keptId, unkeptId]) expect(() => Btf.parse(shrunk(id))).toThrow(FormatError);
    const deferred = (id: number) => Btf.parse(shrunk(id), { file: 'k.btf', typeChecks: 'deferred' });
    expect(minimizeBtf(deferred(unkeptId), objects).btf).toEqual(intact);
    expect(() => minimizeBtf(deferred(keptId), objects)).toThrow(
      new RegExp(`type id ${keptId}\\).*member \\d+ '.*' (is at|ends at) .*beyond the 1-byte STRUCT`),
    );
  });
});

describe('real kernels pass', () => {
  it('parses every sample kernel', async () => {
    for (const path of sampleKernels()) {
      expect(Btf.parse(await readKernelBtf(path), { file: path }).typeCount).toBeGreaterThan(50_000);
    }
  });
});

const kernelSkip = oracleSkipReason(bpfSyscallMissing());

describe.skipIf(kernelSkip !== undefined)(
  `the kernel's BTF verifier agrees${kernelSkip ? ` (skipped: ${kernelSkip})` : ''}`,
  () => {
    /** Cases on both sides of every rule, each a whole BTF (an INT 'int' first so every case has a sized type). */
    const cases: Record<string, (w: BtfWriter, i: number) => void> = {
      'int ok': () => {},
      'int 33 bits in 4 bytes': (w) => int(w, 'x', 4, 33),
      'int 128 bits': (w) => int(w, 'y', 16, 128, 1),
      'int encoding 3': (w) => int(w, 'x', 4, 32, 3),
      'int reserved bits': (w) => w.addRecord([w.addString('x'), info(Kind.INT), 4, 0x10000020]),
      'enum size 4': (w) => w.addRecord([w.addString('e'), info(Kind.ENUM), 4]),
      'enum size 3': (w) => w.addRecord([w.addString('e'), info(Kind.ENUM), 3]),
      'enum size 16': (w) => w.addRecord([w.addString('e'), info(Kind.ENUM), 16]),
      'array ok': (w, i) => array(w, i, i, 4),
      'array of void': (w, i) => array(w, 0, i, 4),
      'array index void': (w, i) => array(w, i, 0, 4),
      'struct fits': (w, i) =>
        struct(w, 8, [
          ['a', i, 0],
          ['b', i, 32],
        ]),
      'struct flexible tail': (w, i) =>
        struct(w, 4, [
          ['a', i, 0],
          ['t', array(w, i, i, 0), 32],
        ]),
      'member beyond': (w, i) => struct(w, 8, [['a', i, 72]]),
      'member overlaps end': (w, i) => struct(w, 8, [['a', i, 40]]),
      'member of void': (w) => struct(w, 4, [['a', 0, 0]]),
      'union at 0': (w, i) =>
        struct(
          w,
          4,
          [
            ['a', i, 0],
            ['b', i, 0],
          ],
          false,
          Kind.UNION,
        ),
      'union member at 32': (w, i) => struct(w, 8, [['a', i, 32]], false, Kind.UNION),
      'array member too big': (w, i) => struct(w, 12, [['a', array(w, i, i, 4), 0]]),
      'big struct in small': (w) => struct(w, 64, [['b', struct(w, 2 ** 31, []), 0]]),
      'bitfield at the end': (w, i) => struct(w, 4, [['f', i, (3 << 24) | 29]], true),
      'bitfield past the end': (w, i) => struct(w, 4, [['f', i, (3 << 24) | 30]], true),
      'legacy bitfield ok': (w) => struct(w, 4, [['f', int(w, 'x', 4, 3), 29]]),
      'legacy bitfield past': (w) => struct(w, 4, [['f', int(w, 'x', 4, 3, 0, 1), 29]]),
    };
    const chain = (links: number) => (w: BtfWriter, i: number) => {
      let id = i;
      for (let k = 0; k < links; k++) id = w.addRecord([w.addString(`t${k}`), info(Kind.TYPEDEF), id]);
    };
    for (const n of [30, 31, 32, 33, 34]) cases[`typedef chain of ${n}`] = chain(n);
    cases['const-ptr loop'] = (w) => {
      const first = w.typeCount;
      w.addRecord([0, info(Kind.CONST), first + 1]);
      w.addRecord([0, info(Kind.PTR), first]);
    };

    it('accepts and refuses the same BTFs', () => {
      const dir = oracleTempDir('btf-bundle-validate-');
      const names = Object.keys(cases);
      const paths = names.map((name, n) => {
        const w = new BtfWriter();
        const i = int(w, 'int', 4, 32, 1);
        (cases[name] as (w: BtfWriter, i: number) => void)(w, i);
        const path = join(dir, `${n}.btf`);
        writeFileSync(path, w.toBytes());
        return path;
      });
      const kernel = kernelBtfVerdicts(paths);
      const ours = paths.map((path, n) => {
        const w = new BtfWriter();
        const i = int(w, 'int', 4, 32, 1);
        (cases[names[n] as string] as (w: BtfWriter, i: number) => void)(w, i);
        try {
          Btf.parse(w.toBytes(), { file: path });
          return 'ok';
        } catch {
          return 'refused';
        }
      });
      const table = (verdicts: string[]) =>
        Object.fromEntries(names.map((name, n) => [name, verdicts[n] === 'ok' ? 'ok' : 'refused']));
      expect(table(ours)).toEqual(table(kernel));
    });
  },
);
