/**
 * Hostile inputs: truncated/garbled ELF, BTF and .BTF.ext, out-of-range type ids and string offsets, reference
 * cycles built by patching bytes, absurd vlen and sizes, relocations that cannot resolve. Each must fail with a
 * typed BtfBundleError naming the file and the place (section, offset, type id, relocation index) — never a
 * hang, a bare TypeError/RangeError or an unbounded allocation.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withRecordField } from '../../../test/oracle/ext-patch.js';
import { Btf } from '../src/btf/btf.js';
import { Kind, packInfo } from '../src/btf/format.js';
import { BtfWriter } from '../src/btf/writer.js';
import { readElf } from '../src/elf/elf.js';
import { CoreRelocationError, FormatError } from '../src/errors.js';
import { minimizeBtf } from '../src/minimize/minimize.js';
import { parseBpfObject } from '../src/object.js';
import { CoreResolver } from '../src/relo/resolver.js';
import { typedOrOk } from './bad-input-helpers.js';
import { allKindsBtf, buildElf, fixture, targetBtf, testdata } from './btf-helpers.js';

const { bytes: allKinds } = allKindsBtf();
const parse = (b: Uint8Array) => () => Btf.parse(b, { file: 'bad.btf' });
const setU32 = (b: Uint8Array, off: number, v: number) => {
  const out = b.slice();
  new DataView(out.buffer).setUint32(off, v >>> 0, true);
  return out;
};
const TYPES = 24; // type section start in writer output

describe('bad BTF', () => {
  it('every truncation of a BTF is a FormatError naming the file', () => {
    for (let n = 0; n < allKinds.length; n++) {
      const msg = typedOrOk(parse(allKinds.subarray(0, n)), 'bad.btf');
      expect(msg, `length ${n}`).not.toBe('ok');
    }
  });

  it('garbled header fields', () => {
    const cases: [string, Uint8Array][] = [
      ['bad magic', setU32(allKinds, 0, 0x1234)],
      ['hdr_len huge', setU32(allKinds, 4, 0xffffff00)],
      ['type_len beyond data', setU32(allKinds, 12, 0x7fffffff)],
      ['str_off overlapping types', setU32(allKinds, 16, 8)],
      ['str_len huge', setU32(allKinds, 20, 0xffffffff)],
      [
        'type_len not a record boundary',
        setU32(allKinds, 12, new DataView(allKinds.buffer).getUint32(12, true) - 4),
      ],
    ];
    for (const [what, b] of cases) {
      expect(() => parse(b)(), what).toThrow(FormatError);
      expect(typedOrOk(parse(b), 'bad.btf'), what).toMatch(/bad\.btf/);
    }
  });

  it('out-of-range type id and string offset name the type id', () => {
    // [2] PTR -> type 0xffff; [1] INT name offset past the string section.
    expect(() => parse(setU32(allKinds, TYPES + 16 + 8, 0xffff))()).toThrow(/type id 2/);
    expect(() => parse(setU32(allKinds, TYPES, 0xfffff))()).toThrow(/type id 1/);
    expect(typedOrOk(parse(setU32(allKinds, TYPES + 16 + 8, 0xffff)), 'bad.btf')).toMatch(/\.BTF/);
  });

  it('unknown kinds and absurd vlen', () => {
    expect(() => parse(setU32(allKinds, TYPES + 4, packInfo(31, 0, false)))()).toThrow(FormatError);
    // struct [4] claims 0xffff members: record runs past the type section.
    const structOff = TYPES + 16 + 12 + 24;
    expect(() => parse(setU32(allKinds, structOff + 4, packInfo(Kind.STRUCT, 0xffff, true)))()).toThrow(
      /type id 4/,
    );
    // vlen on ENUM64 beyond data, on FUNC_PROTO beyond data
    const w = new BtfWriter();
    w.addRecord([0, packInfo(Kind.FUNC_PROTO, 0xffffff, false), 0]);
    expect(() => parse(w.toBytes())()).toThrow(FormatError);
  });

  it('absurd sizes: huge array nelems and struct sizes resolve without overflow or allocation', () => {
    const w = new BtfWriter();
    const int = w.addRecord([w.addString('int'), packInfo(Kind.INT, 0, false), 4, 32]);
    const arr = w.addRecord([0, packInfo(Kind.ARRAY, 0, false), 0, int, int, 0xffffffff]);
    const arr2 = w.addRecord([0, packInfo(Kind.ARRAY, 0, false), 0, arr, int, 0xffffffff]);
    w.addRecord([w.addString('big'), packInfo(Kind.STRUCT, 1, false), 0xffffffff, w.addString('a'), arr2, 0]);
    const btf = Btf.parse(w.toBytes(), { file: 'big.btf' });
    const r = typedOrOk(() => btf.resolveSize(arr2), 'big.btf');
    expect(r).not.toBe('ok'); // > u32: libbpf's -E2BIG
  });
});

describe('reference cycles', () => {
  function cyclic(): Uint8Array {
    // [1] int, [2] typedef t -> [3], [3] const -> [2], [4] struct s { t a; }, [5] volatile -> [5]
    const w = new BtfWriter();
    w.addRecord([w.addString('int'), packInfo(Kind.INT, 0, false), 4, 32]);
    w.addRecord([w.addString('t'), packInfo(Kind.TYPEDEF, 0, false), 3]);
    w.addRecord([0, packInfo(Kind.CONST, 0, false), 2]);
    w.addRecord([w.addString('s'), packInfo(Kind.STRUCT, 1, false), 4, w.addString('a'), 2, 0]);
    w.addRecord([0, packInfo(Kind.VOLATILE, 0, false), 5]);
    return w.toBytes();
  }

  it('typedef/const loops are reported (at parse or when followed) as FormatErrors naming the type id', () => {
    const msg = typedOrOk(() => {
      const btf = Btf.parse(cyclic(), { file: 'cycle.btf' });
      btf.skipModsAndTypedefs(2);
    }, 'cycle.btf');
    expect(msg).toMatch(/cycle|loop/);
    expect(msg).toMatch(/type id [235]/);
  });

  it('a target whose typedefs are patched into self-loops: the minimizer and resolver fail typed, fast', () => {
    const src = readElf(new Uint8Array(readFileSync(join(testdata, 'targets/modifiers.o')))).sectionData(
      '.BTF',
    ) as Uint8Array;
    const base = Btf.parse(src);
    const patched = src.slice();
    const v = new DataView(patched.buffer, patched.byteOffset);
    let loops = 0;
    for (let id = 1; id < base.typeCount; id++) {
      const k = base.kind(id);
      if (k === Kind.TYPEDEF || k === Kind.CONST || k === Kind.VOLATILE) {
        v.setUint32(base.recordOffset(id) + 8, id, true);
        loops++;
      }
    }
    expect(loops).toBeGreaterThan(0);
    const obj = fixture('modifiers.bpf.o');
    const t0 = performance.now();
    const msg = typedOrOk(() => {
      const target = Btf.parse(patched, { file: 'loops.btf' });
      new CoreResolver(target).resolveObject(obj);
      minimizeBtf(target, [obj]);
    }, 'loops.btf');
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(msg).not.toBe('ok');
  });
});

describe('bad objects', () => {
  const enums = fixture('enums.bpf.o');
  const original = new Uint8Array(readFileSync(join(testdata, 'enums.bpf.o')));

  it('every truncation of the ELF header and section table is a FormatError naming the file', () => {
    const shoff = Number(new DataView(original.buffer, original.byteOffset).getBigUint64(40, true));
    const lengths = [0, 1, 4, 16, 52, 63, 64, shoff, shoff + 10, original.length - 1];
    for (const n of lengths) {
      expect(
        typedOrOk(() => parseBpfObject(original.subarray(0, n), 'trunc.o'), 'trunc.o'),
        `length ${n}`,
      ).not.toBe('ok');
    }
  });

  it('garbled ELF fields: class, byte order, shoff, shnum, shstrndx, section offsets', () => {
    const le = new DataView(original.buffer, original.byteOffset);
    const shoff = Number(le.getBigUint64(40, true));
    const patch = (off: number, bytes: number[]) => {
      const b = original.slice();
      b.set(bytes, off);
      return b;
    };
    const cases: Uint8Array[] = [
      patch(4, [3]), // EI_CLASS
      patch(5, [7]), // EI_DATA
      patch(40, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0]), // e_shoff
      patch(60, [0xff, 0xff]), // e_shnum
      patch(62, [0xff, 0xff]), // e_shstrndx
      patch(shoff + 64 + 24, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]), // section 1 sh_offset
      patch(shoff + 64 + 32, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), // section 1 sh_size
    ];
    for (const [i, b] of cases.entries()) {
      const msg = typedOrOk(() => parseBpfObject(b, 'garbled.o'), 'garbled.o');
      expect(msg, `case ${i}`).not.toBe('ok');
    }
  });

  function withExt(ext: Uint8Array): Uint8Array {
    return buildElf(
      [
        { name: '.BTF', data: enums.elf.sectionData('.BTF') as Uint8Array },
        { name: '.BTF.ext', data: ext },
      ],
      { bits: 64, littleEndian: true },
    );
  }
  const ext = enums.elf.sectionData('.BTF.ext') as Uint8Array;
  const extView = new DataView(ext.buffer, ext.byteOffset, ext.byteLength);
  const hdrLen = extView.getUint32(4, true);
  const coreOff = hdrLen + extView.getUint32(24, true);

  it('garbled .BTF.ext headers and record sizes name the .BTF.ext section', () => {
    for (const [off, value] of [
      [4, 0xffff], // hdr_len
      [8, 0x7fffffff], // func_info_off
      [28, 0x7fffffff], // core_relo_len
      [coreOff, 0], // core_relo rec_size 0
      [coreOff, 0xfffffff], // core_relo rec_size absurd
      [coreOff + 4 + 4, 0xffffff], // first group: num_info absurd
    ] as const) {
      const msg = typedOrOk(() => parseBpfObject(withExt(setU32(ext, off, value)), 'ext.o'), 'ext.o');
      expect(msg, `offset ${off}`).toMatch(/\.BTF\.ext/);
    }
  });

  it('a relocation with an out-of-range type id or access string: typed, with the relocation index', () => {
    // the first core_relo record, in the real object (its programs kept, so libbpf would apply the record)
    for (const [field, value] of [
      ['typeId', 0xffff],
      ['accessStrOff', 0xfffffff],
      ['kind', 99],
    ] as const) {
      const msg = typedOrOk(() => {
        const o = parseBpfObject(withRecordField(original, 0, 0, field, value), 'relo.o');
        const target = targetBtf('enums.o');
        const outcomes = new CoreResolver(target).resolveObject(o);
        if (outcomes[0]?.error) throw outcomes[0].error;
        minimizeBtf(target, [o]);
      }, 'relo.o');
      expect(msg, `field ${field}`).toMatch(/relocation #0|\.BTF\.ext/);
    }
  });

  it('a relocation that cannot resolve: CoreRelocationError with section and relocation index', () => {
    const target = targetBtf('candidates.o');
    const o = fixture('err_ambiguity.bpf.o');
    const outcome = new CoreResolver(target).resolveObject(o)[0]!;
    expect(outcome.error).toBeInstanceOf(CoreRelocationError);
    expect(outcome.error!.place).toMatchObject({ section: 'raw_tp/sys_enter', relocation: 0 });
    expect(() => minimizeBtf(target, [o])).toThrow(
      /err_ambiguity\.bpf\.o \(raw_tp\/sys_enter.*relocation #0\)/,
    );
    const e2big = fixture('err_bitfield_e2big.bpf.o');
    const r = new CoreResolver(targetBtf('bitfields.o')).resolveObject(e2big).find((x) => x.error);
    expect(r?.error?.code).toBe('E2BIG');
  });
});
