/** .BTF.ext reader: func/line info only objects, relocation records and indices, kinds and access strings. */
import { describe, expect, it } from 'vitest';
import { parseBtfExt } from '../src/btf/ext.js';
import { FormatError } from '../src/errors.js';
import { fixture } from './btf-helpers.js';

describe('.BTF.ext', () => {
  it('an object with only func_info/line_info has no CO-RE relocations', () => {
    const o = fixture('funcinfo_only.bpf.o');
    expect(o.ext.coreRelos).toEqual([]);
    expect(o.ext.funcInfo.flatMap((g) => g.records).length).toBeGreaterThan(0);
    expect(o.ext.lineInfo.flatMap((g) => g.records).length).toBeGreaterThan(0);
  });

  it('func_info and line_info are checked on parse, their records decoded when first read', () => {
    const o = fixture('execsnoop.bpf.o');
    const ext = new Uint8Array(o.elf.sectionData('.BTF.ext') as Uint8Array);
    const view = new DataView(ext.buffer);
    const parsed = parseBtfExt(ext, o.btf, { file: 'x.o' });
    for (const field of ['funcInfo', 'lineInfo'] as const) {
      expect(Object.getOwnPropertyDescriptor(parsed, field)?.get, field).toBeTypeOf('function');
      expect(parsed[field]).toBe(parsed[field]);
    }
    const line = parsed.lineInfo[0]?.records[0];
    // line_info_off at 16: its record size, one group header, then the first record (insn_off, file name, ...)
    const first = view.getUint32(4, true) + view.getUint32(16, true) + 4 + 8;
    expect(line).toMatchObject({
      insnOff: view.getUint32(first, true),
      fileNameOff: view.getUint32(first + 4, true),
    });
    // a bad string offset in a record fails the parse, not a later read, naming the file and the place
    view.setUint32(first + 4, 0x7fffffff, true);
    expect(() => parseBtfExt(ext, o.btf, { file: 'x.o' })).toThrow(
      `x.o (.BTF.ext, offset ${first + 4}): line_info file name has string offset 2147483647 beyond the .BTF strings`,
    );
  });

  it('only TYPE_ID_LOCAL relocations', () => {
    const o = fixture('type_id_local_only.bpf.o');
    expect(o.ext.coreRelos.length).toBeGreaterThan(0);
    expect(o.ext.coreRelos.every((r) => r.kind === 6)).toBe(true);
  });

  it('numbers relocations in file order and within their group, with valid access strings', () => {
    for (const name of ['execsnoop.bpf.o', 'bug6_first_candidate.bpf.o', 'linked.bpf.o']) {
      const o = fixture(name);
      o.ext.coreRelos.forEach((r, i) => {
        expect(r.index).toBe(i);
        expect(r.accessStr).toMatch(/^\d+(:\d+)*$/);
        expect(r.typeId).toBeLessThan(o.btf.typeCount);
        expect(r.kind).toBeLessThanOrEqual(12);
      });
      const groups = new Map<string, number>();
      for (const r of o.ext.coreRelos) {
        expect(r.indexInGroup).toBe(groups.get(r.section) ?? 0);
        groups.set(r.section, r.indexInGroup + 1);
      }
    }
  });

  it('a truncated .BTF.ext is a FormatError naming the section', () => {
    const o = fixture('enums.bpf.o');
    const ext = o.elf.sectionData('.BTF.ext') as Uint8Array;
    for (const n of [0, 4, 20, ext.length - 3]) {
      expect(() => parseBtfExt(ext.subarray(0, n), o.btf, { file: 'x.o' })).toThrow(FormatError);
      expect(() => parseBtfExt(ext.subarray(0, n), o.btf, { file: 'x.o' })).toThrow(/x\.o.*BTF\.ext/);
    }
  });

  it('a relocation whose insn_off is not on an instruction is a FormatError (libbpf refuses the object)', () => {
    const o = fixture('execsnoop.bpf.o');
    const ext = new Uint8Array(o.elf.sectionData('.BTF.ext') as Uint8Array);
    const view = new DataView(ext.buffer);
    // header length, then core_relo_off at 24: its record size, one group header, then the first record
    const first = view.getUint32(4, true) + view.getUint32(24, true) + 4 + 8;
    view.setUint32(first, view.getUint32(first, true) + 3, true);
    expect(() => parseBtfExt(ext, o.btf, { file: 'x.o' })).toThrow(FormatError);
    expect(() => parseBtfExt(ext, o.btf, { file: 'x.o' })).toThrow(
      new RegExp(
        `^x\\.o \\(\\.BTF\\.ext, offset ${first}\\): core_relo insn_off \\d+ is not a multiple of the 8-byte`,
      ),
    );
  });
});
