/**
 * ELF reader and BPF object parsing: 64- and 32-bit, little- and big-endian containers give the same BTF and
 * CO-RE relocations; objects without .BTF / .BTF.ext fail with a typed error naming the file; linked objects.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readElf } from '../src/elf/elf.js';
import { BtfBundleError, FormatError } from '../src/errors.js';
import { parseBpfObject } from '../src/object.js';
import { buildElf, fixture, testdata } from './btf-helpers.js';

const relos = (o: ReturnType<typeof fixture>) =>
  o.ext.coreRelos.map(
    (r) => `${r.section}#${r.indexInGroup} ${r.kind} ${o.btf.describe(r.typeId)} ${r.accessStr}`,
  );

describe('ELF containers', () => {
  const enums = fixture('enums.bpf.o');
  const btf = enums.elf.sectionData('.BTF') as Uint8Array;
  const ext = enums.elf.sectionData('.BTF.ext') as Uint8Array;

  it('reads the real objects: 64-bit little-endian and big-endian (bpfeb)', () => {
    expect(enums.elf.bits).toBe(64);
    expect(enums.elf.littleEndian).toBe(true);
    const be = fixture('enums_bpfeb.bpf.o');
    expect(be.elf.littleEndian).toBe(false);
    expect(be.btf.littleEndian).toBe(false);
    expect(relos(be)).toEqual(relos(enums));
  });

  it.each([
    [32, true],
    [64, true],
  ] as const)(
    'a %i-bit ELF (little-endian %s) with the same .BTF/.BTF.ext gives the same object',
    (bits, le) => {
      const sections = [
        { name: '.text', data: new Uint8Array(16) },
        {
          name: 'raw_tp/sys_enter',
          data: new Uint8Array(enums.elf.sectionData('raw_tp/sys_enter') as Uint8Array),
        },
        { name: '.BTF', data: btf },
        { name: '.BTF.ext', data: ext },
      ];
      const bytes = buildElf(sections, { bits, littleEndian: le });
      const elf = readElf(bytes, 'built.o');
      expect(elf.bits).toBe(bits);
      const obj = parseBpfObject(bytes, 'built.o');
      expect(relos(obj)).toEqual(relos(enums));
      expect(obj.btf.pointerSize()).toBe(bits / 8);
    },
  );

  it('a 32-bit big-endian ELF holding the bpfeb object sections parses', () => {
    const be = fixture('enums_bpfeb.bpf.o');
    const bytes = buildElf(
      [
        { name: '.BTF', data: be.elf.sectionData('.BTF') as Uint8Array },
        { name: '.BTF.ext', data: be.elf.sectionData('.BTF.ext') as Uint8Array },
      ],
      { bits: 32, littleEndian: false },
    );
    const obj = parseBpfObject(bytes, 'be32.o');
    expect(obj.elf.bits).toBe(32);
    expect(relos(obj)).toEqual(relos(enums));
  });

  it('objects without .BTF / .BTF.ext raise a FormatError naming the file', () => {
    const path = join(testdata, 'no_btf.bpf.o');
    expect(() => parseBpfObject(new Uint8Array(readFileSync(path)), path)).toThrow(FormatError);
    expect(() => parseBpfObject(new Uint8Array(readFileSync(path)), path)).toThrow(/no_btf\.bpf\.o.*\.BTF/);
    const onlyBtf = buildElf([{ name: '.BTF', data: btf }], { bits: 64, littleEndian: true });
    expect(() => parseBpfObject(onlyBtf, 'only-btf.o')).toThrow(/only-btf\.o.*\.BTF\.ext/);
    const nobits = buildElf(
      [
        { name: '.BTF', data: btf, type: 8 },
        { name: '.BTF.ext', data: ext },
      ],
      { bits: 64, littleEndian: true },
    );
    expect(() => parseBpfObject(nobits, 'nobits.o')).toThrow(BtfBundleError);
    const compressed = buildElf(
      [
        { name: '.BTF', data: btf, flags: 0x800 },
        { name: '.BTF.ext', data: ext },
      ],
      { bits: 64, littleEndian: true },
    );
    expect(() => parseBpfObject(compressed, 'compressed.o')).toThrow(/compressed/);
  });

  it('a bpftool-linked object has the relocations of its parts', () => {
    const linked = fixture('linked.bpf.o');
    const parts = [fixture('link_a.bpf.o'), fixture('link_b.bpf.o')];
    expect(linked.ext.coreRelos.length).toBe(parts.reduce((n, p) => n + p.ext.coreRelos.length, 0));
  });
});
