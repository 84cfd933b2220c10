/**
 * ELF reader and BPF object parsing: 64- and 32-bit, little- and big-endian containers give the same BTF and
 * CO-RE relocations; objects without .BTF / .BTF.ext fail with a typed error naming the file; linked objects;
 * `readBpfObject` of a FIFO, a device or a directory is refused without waiting for a writer.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readElf } from '../src/elf/elf.js';
import { FileSource } from '../src/elf/file.js';
import { BtfBundleError, FormatError } from '../src/errors.js';
import { parseBpfObject, readBpfObject } from '../src/object.js';
import { typedOrOk } from './bad-input-helpers.js';
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

describe('objects read by positioned reads', () => {
  const path = join(testdata, 'biolatency.bpf.o');
  const whole = new Uint8Array(readFileSync(path));
  const tmp = mkdtempSync(join(tmpdir(), 'elf-file-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('give the same sections, BTF and relocations as the whole file, reading a small part of it', () => {
    const reads: number[] = [];
    const source = new FileSource(path);
    const counting = {
      size: source.size,
      read: (o: number, n: number) => {
        reads.push(n);
        return source.read(o, n);
      },
    };
    const fromFile = parseBpfObject(counting, path);
    source.close();
    const fromBytes = parseBpfObject(whole, path);
    expect(fromFile.elf.sections).toEqual(fromBytes.elf.sections);
    expect(fromFile.sections).toEqual(fromBytes.sections);
    expect(fromFile.ext.coreRelos).toEqual(fromBytes.ext.coreRelos);
    expect(readBpfObject(path).sections).toEqual(fromBytes.sections);
    // This object is ~750 KB, mostly DWARF: header, section table, names, .BTF and .BTF.ext are a few percent.
    const read = reads.reduce((a, b) => a + b, 0);
    expect(read).toBeLessThan(whole.length / 10);
  });

  it('a FIFO, a device or a directory is refused, not waited on (the built module, in a child with a deadline)', () => {
    const fifo = join(tmp, 'fifo.o');
    execFileSync('mkfifo', [fifo]);
    // A synchronous open that waited for a writer would hang this very thread: the check runs in a child process.
    const objectModule = new URL('../dist/object.js', import.meta.url).href;
    const script = `import { readBpfObject } from ${JSON.stringify(objectModule)};
      for (const path of process.argv.slice(1)) {
        try { readBpfObject(path); console.log('read ' + path); } catch (err) { console.log(err.name + ': ' + err.message); }
      }`;
    const r = spawnSync('node', ['--input-type=module', '-e', script, fifo, '/dev/null', tmp], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.signal, 'blocked on the FIFO').toBe(null);
    expect(r.stdout.trim().split('\n')).toEqual([
      `FormatError: ${fifo}: not a regular file (a FIFO): not read`,
      'FormatError: /dev/null: not a regular file (a character device): not read',
      `FormatError: ${tmp}: not a regular file (a directory): not read`,
    ]);
  });

  it('symbols and other sections are still read on demand after the file is released', () => {
    const object = readBpfObject(path);
    const fromBytes = parseBpfObject(whole, path);
    expect(object.elf.symbols()).toEqual(fromBytes.elf.symbols());
    expect(object.elf.sectionData('.symtab')).toEqual(fromBytes.elf.sectionData('.symtab'));
  });

  it('a truncated or garbled file is a FormatError naming it, as the same bytes in memory are', () => {
    const shoff = Number(new DataView(whole.buffer, whole.byteOffset).getBigUint64(40, true));
    const cases: [string, Uint8Array][] = [0, 1, 16, 63, 64, shoff, shoff + 10, whole.length - 1].map((n) => [
      `length ${n}`,
      whole.subarray(0, n),
    ]);
    const shnum = whole.slice();
    shnum.set([0xff, 0xff], 60);
    cases.push(['e_shnum 65535', shnum]);
    for (const [name, bytes] of cases) {
      const file = join(tmp, 'bad.o');
      writeFileSync(file, bytes);
      const inMemory = typedOrOk(() => parseBpfObject(bytes, file), file);
      expect(
        typedOrOk(() => readBpfObject(file), file),
        name,
      ).toBe(inMemory);
      expect(inMemory, name).not.toBe('ok');
    }
  });

  it('a file that shrinks while read is a FormatError naming it', () => {
    const file = join(tmp, 'shrinking.o');
    writeFileSync(file, whole);
    const source = new FileSource(file);
    truncateSync(file, 100);
    expect(() => parseBpfObject(source, file)).toThrow(FormatError);
    expect(() => parseBpfObject(source, file)).toThrow(/shrinking\.o.*did it change while read/);
    source.close();
  });
});

describe('parseBpfObject: what libbpf opens', () => {
  it('refuses an ELF that is not a relocatable BPF object, naming the header fields', () => {
    const bytes = new Uint8Array(readFileSync(new URL('../testdata/execsnoop.bpf.o', import.meta.url)));
    expect(() => parseBpfObject(bytes, 'ok.bpf.o')).not.toThrow();
    const x86 = bytes.slice();
    new DataView(x86.buffer).setUint16(0x12, 62, true); // EM_X86_64
    expect(() => parseBpfObject(x86, 'x86.o')).toThrow(
      'x86.o (ELF header): not a BPF object: e_type 1, e_machine 62 (libbpf opens only ET_REL files for EM_BPF)',
    );
    const exec = bytes.slice();
    new DataView(exec.buffer).setUint16(0x10, 2, true); // ET_EXEC
    expect(() => parseBpfObject(exec, 'exec.o')).toThrow(FormatError);
    const noMachine = bytes.slice();
    new DataView(noMachine.buffer).setUint16(0x12, 0, true); // EM_NONE: accepted, as libbpf does
    expect(() => parseBpfObject(noMachine, 'none.o')).not.toThrow();
  });
});
