/**
 * CO-RE records libbpf never applies: a record whose instruction no program of its section holds (past the end of
 * the section, in a section without programs, in the code of a weak subprogram the linker dropped) or whose group
 * names a section the object does not have. libbpf 1.1 and 1.4.6 skip them silently, so they are no relocation:
 * `explain` says why they are skipped, the counts keep them apart, robust mode keeps no type for them (bpftool mode
 * keeps bpftool's), and a failure they would have is no failure. A group with no section name is refused, as libbpf
 * fails the load. Objects: real clang-built ones, `weak_linked.bpf.o` as the linker made it and copies of
 * `execsnoop.bpf.o` mutated in place (test/oracle/ext-patch.ts); test/core/skipped-relos-oracle.test.ts shows the
 * same with libbpf and bpftool.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withGroupSection, withoutSymbolTable, withRecordField } from '../../../test/oracle/ext-patch.js';
import { Btf } from '../src/btf/btf.js';
import { FormatError } from '../src/errors.js';
import { minimizeBtf } from '../src/minimize/minimize.js';
import { type BpfObject, parseBpfObject, parseObjectSections } from '../src/object.js';
import { relocationSignature } from '../src/object-signature.js';
import { CoreResolver } from '../src/relo/resolver.js';
import { summarizeRelocations } from '../src/report/relocations.js';
import { readKernelBtf } from '../src/snapshot/input.js';
import { referenceKernel, targetBtf, testdata } from './btf-helpers.js';
import { runCli } from './cli-run.js';
import { tempDirs } from './temp-dirs.js';

const read = (name: string) => new Uint8Array(readFileSync(join(testdata, name)));
const execsnoop = read('execsnoop.bpf.o');
/** execsnoop's first record (task_struct.tgid) pointing past the end of its section. */
const pastEnd = withRecordField(execsnoop, 0, 0, 'insnOff', 0x7ffffff8);
const parse = (bytes: Uint8Array, file = 'x.bpf.o') => parseBpfObject(bytes, file);
const skipped = (o: BpfObject) => o.ext.coreRelos.filter((r) => r.skipped !== undefined);
const kernel = async () => Btf.parse(await readKernelBtf(referenceKernel), { file: 'k.btf' });

describe('records libbpf skips are marked with why', () => {
  it('the dropped weak subprogram of a linked object: its record lies between programs', () => {
    const o = parse(read('weak_linked.bpf.o'));
    expect(o.ext.coreRelos.map((r) => [r.section, r.insnOff / 8, r.skipped])).toEqual([
      ['.text', 1, undefined],
      ['.text', 10, "no program of section '.text' holds instruction #10"],
    ]);
  });

  it('past the end of the section, in a section without programs, in a section the object lacks', () => {
    expect(skipped(parse(pastEnd)).map((r) => [r.indexInGroup, r.skipped])).toEqual([
      [
        0,
        "instruction #268435455 is past the end of section 'tracepoint/syscalls/sys_enter_execve' (176 instructions)",
      ],
    ]);
    const missing = parse(withGroupSection(execsnoop, 0, 'task_struct'));
    expect(skipped(missing)).toHaveLength(24);
    expect(new Set(skipped(missing).map((r) => r.skipped))).toEqual(
      new Set(["the object has no section 'task_struct'"]),
    );
    const data = parse(withGroupSection(execsnoop, 0, '.maps'));
    expect(new Set(skipped(data).map((r) => r.skipped))).toEqual(
      new Set(["section '.maps' holds no program"]),
    );
    expect(skipped(parse(execsnoop))).toEqual([]);
  });

  it('survive the trip to a batch lane (the sections are structured-cloned and parsed there)', () => {
    const lane = parseObjectSections(structuredClone(parse(pastEnd).sections));
    expect(lane.ext.coreRelos.map((r) => r.skipped)).toEqual(
      parse(pastEnd).ext.coreRelos.map((r) => r.skipped),
    );
  });

  it('change the relocation signature (the cache key)', () => {
    expect(relocationSignature(parse(execsnoop))).toBe(relocationSignature(parse(execsnoop.slice())));
    expect(relocationSignature(parse(pastEnd))).not.toBe(relocationSignature(parse(execsnoop)));
    // a record moved onto another instruction (what libbpf checks of it changes)
    const moved = withRecordField(execsnoop, 0, 0, 'insnOff', 19 * 8);
    expect(relocationSignature(parse(moved))).not.toBe(relocationSignature(parse(execsnoop)));
  });

  it('an object without a symbol table (no programs) is a FormatError: libbpf does not open it', () => {
    expect(() => parse(withoutSymbolTable(execsnoop))).toThrow(FormatError);
    expect(() => parse(withoutSymbolTable(execsnoop))).toThrow(
      /^x\.bpf\.o: no symbol table \(stripped with --strip-all\?\): libbpf opens no object without one$/,
    );
  });

  it('a core_relo group naming no section is a FormatError at its place (libbpf fails the load: EINVAL)', () => {
    const bytes = withGroupSection(execsnoop, 1, '');
    expect(() => parse(bytes)).toThrow(FormatError);
    expect(() => parse(bytes)).toThrow(
      /^x\.bpf\.o \(\.BTF\.ext, offset \d+\): core_relo group names no section$/,
    );
  });
});

describe('records libbpf skips are no relocation', () => {
  it('resolved to nothing and counted apart, even when applying them would fail', async () => {
    const target = await kernel();
    const failing = parse(withRecordField(pastEnd, 0, 0, 'kind', 99));
    const outcomes = new CoreResolver(target).resolveObject(failing);
    expect(outcomes[0]).toMatchObject({ matches: [] });
    expect(outcomes[0]?.result).toBeUndefined();
    expect(outcomes[0]?.error).toBeUndefined();
    expect(summarizeRelocations('x', outcomes)).toMatchObject({
      total: 26,
      resolved: 25,
      errors: 0,
      skipped: 1,
    });
    // applied, the same record fails the object
    const applied = new CoreResolver(target).resolveObject(
      parse(withRecordField(execsnoop, 0, 0, 'kind', 99)),
    );
    expect(applied[0]?.error?.message).toMatch(/relocation #0/);
  });

  it('robust mode keeps no type for them; bpftool mode keeps what bpftool keeps', async () => {
    const target = await kernel();
    // The same object with the skipped record turned into a copy of record 1 (applied): what remains applied.
    const rec1 = parse(execsnoop).ext.coreRelos[1]!;
    let sameAsRest = withRecordField(execsnoop, 0, 0, 'typeId', rec1.typeId);
    sameAsRest = withRecordField(sameAsRest, 0, 0, 'accessStrOff', rec1.accessStrOff);
    sameAsRest = withRecordField(sameAsRest, 0, 0, 'insnOff', rec1.insnOff);
    expect(minimizeBtf(target, [parse(pastEnd)]).btf).toEqual(minimizeBtf(target, [parse(sameAsRest)]).btf);
    expect(minimizeBtf(target, [parse(pastEnd)]).btf).not.toEqual(
      minimizeBtf(target, [parse(execsnoop)]).btf,
    );
    // bpftool resolves every record, skipped or not: its output is the unmutated object's
    expect(minimizeBtf(target, [parse(pastEnd)], { mode: 'bpftool' }).btf).toEqual(
      minimizeBtf(target, [parse(execsnoop)], { mode: 'bpftool' }).btf,
    );
    // a skipped record that would fail fails neither mode
    const failing = parse(withRecordField(pastEnd, 0, 0, 'kind', 99));
    for (const mode of ['robust', 'bpftool'] as const)
      expect(() => minimizeBtf(target, [failing], { mode })).not.toThrow();
  });

  it("weak_linked: robust output keeps weak_shared.a only, bpftool's keeps the dropped copy's b too", () => {
    const target = targetBtf('objects.o');
    const members = (mode: 'robust' | 'bpftool') => {
      const out = Btf.parse(minimizeBtf(target, [parse(read('weak_linked.bpf.o'))], { mode }).btf);
      const id = Array.from({ length: out.typeCount }, (_, i) => i).find(
        (i) => out.name(i) === 'weak_shared',
      )!;
      return Array.from({ length: out.vlen(id) }, (_, i) => out.memberName(id, i));
    };
    expect(members('robust')).toEqual(['a']);
    expect(members('bpftool')).toEqual(['a', 'b']);
  });
});

describe('btf-bundle explain', () => {
  const tmp = tempDirs();

  it('prints a skipped record with the reason and counts it apart; exit 0', () => {
    const r = runCli([
      'explain',
      join(testdata, 'weak_linked.bpf.o'),
      '--btf',
      join(testdata, 'targets/objects.o'),
    ]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /weak_linked\.bpf\.o: 2 relocations: 1 relocated \(0 absent\), 0 poisoned \(0 guarded\), 0 errors, 1 skipped\n/,
    );
    expect(r.stdout).toMatch(
      /\.text prog '\?' relo #1 insn #10 <byte_off> \[2\] \+ 0:1: skipped: no program of section '\.text' holds instruction #10 \(libbpf does not apply it\)/,
    );
  });

  it('--json: outcome skipped with the reason, no value', () => {
    const dir = tmp('btf-bundle-skipped-');
    const object = join(dir, 'pastend.bpf.o');
    writeFileSync(object, withRecordField(pastEnd, 0, 0, 'kind', 99));
    const r = runCli(['explain', object, '--btf', referenceKernel, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const first = JSON.parse(r.stdout.split('\n')[0]!) as Record<string, unknown>;
    expect(first).toMatchObject({ index: 0, outcome: 'skipped' });
    expect(first.reason).toMatch(/^instruction #268435455 is past the end of section/);
    expect(first.value).toBeUndefined();
    expect(first.error).toBeUndefined();
  });
});
