/**
 * CO-RE records libbpf never applies, shown with libbpf (Debian's 1.1, upstream 1.4.6) and bpftool (7.1, 7.5): the
 * dropped weak subprogram's record of `weak_linked.bpf.o`, and copies of execsnoop.bpf.o whose records point past
 * the end of their section, into a section without programs, or whose group names a section the object lacks
 * (test/oracle/ext-patch.ts). libbpf skips exactly the records we mark skipped and relocates the object against our
 * robust output as against the full BTF; bpftool keeps their types and our bpftool mode is byte-identical to it,
 * except where bpftool fails on a skipped record that libbpf never applies (we succeed). A group naming no section
 * fails libbpf's load, and our parse, and so does an object without a symbol table (bpftool reduces both without a
 * word).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FormatError, minimizeBtf, parseBpfObject } from '../../packages/core/dist/index.js';
import { oracleSkipReason } from '../oracle/availability.js';
import { bpftoolMinCoreBtf } from '../oracle/bpftool.js';
import { oracleTempDir, writeTempBtf } from '../oracle/btf-files.js';
import { withGroupSection, withoutSymbolTable, withRecordField } from '../oracle/ext-patch.js';
import { formatRelocationDifferences, libbpfCompare, libbpfRelocate } from '../oracle/libbpf.js';
import { BPFTOOLS, LIBBPFS } from '../oracle/upstream.js';
import { loadObject, referenceKernel, targetBtf, testdata } from './corpus.js';
import { resolverMismatches } from './resolver-check.js';

const dir = oracleTempDir('btf-bundle-skipped-');
const execsnoop = new Uint8Array(readFileSync(join(testdata, 'execsnoop.bpf.o')));
const pastEnd = withRecordField(execsnoop, 0, 0, 'insnOff', 0x7ffffff8);
const write = (name: string, bytes: Uint8Array) => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};

/** Objects with records libbpf skips, each with its target and how many records it skips. */
const cases = () => [
  { object: join(testdata, 'weak_linked.bpf.o'), target: join(testdata, 'targets/objects.o'), skips: 1 },
  { object: write('pastend.bpf.o', pastEnd), target: referenceKernel(), skips: 1 },
  {
    object: write('nosection.bpf.o', withGroupSection(execsnoop, 0, 'task_struct')),
    target: referenceKernel(),
    skips: 24,
  },
  {
    object: write('maps.bpf.o', withGroupSection(execsnoop, 0, '.maps')),
    target: referenceKernel(),
    skips: 24,
  },
];
/** A skipped record that bpftool fails on (unknown kind 99) and libbpf never applies. */
const failingSkipped = () => write('pastend-kind99.bpf.o', withRecordField(pastEnd, 0, 0, 'kind', 99));

describe('records libbpf skips', () => {
  for (const lib of LIBBPFS) {
    const libSkip = oracleSkipReason(lib.missing());
    it.skipIf(libSkip !== undefined)(
      `${lib.label} skips exactly our skipped records and relocates against our robust output as against the full BTF${libSkip ? ` (skipped: ${libSkip})` : ''}`,
      async () => {
        for (const { object, target, skips } of [
          ...cases(),
          { object: failingSkipped(), target: referenceKernel(), skips: 1 },
        ]) {
          const run = await libbpfRelocate(object, target, { libbpf: lib.build });
          expect(run.object.relocated, `${object}: ${run.object.message}`).toBe(true);
          expect(run.relocations.filter((r) => r.outcome === 'skipped')).toHaveLength(skips);
          expect(resolverMismatches(await targetBtf(target), object, run, lib.label).problems).toEqual([]);
          const reduced = writeTempBtf(minimizeBtf(await targetBtf(target), [loadObject(object)]).btf);
          const { differences } = await libbpfCompare(object, target, reduced, { libbpf: lib.build });
          expect(formatRelocationDifferences(differences), object).toBe('');
        }
      },
    );

    it.skipIf(libSkip !== undefined)(
      `${lib.label} fails the load of an object whose CO-RE group names no section; we refuse to parse it${libSkip ? ` (skipped: ${libSkip})` : ''}`,
      async () => {
        const bytes = withGroupSection(execsnoop, 1, '');
        const run = await libbpfRelocate(write('noname.bpf.o', bytes), referenceKernel(), {
          libbpf: lib.build,
        });
        expect(run.object.relocated).toBe(false);
        expect(run.object.message).toBe('failed to perform CO-RE relocations');
        expect(() => parseBpfObject(bytes, 'noname.bpf.o')).toThrow(FormatError);
      },
    );

    it.skipIf(libSkip !== undefined)(
      `${lib.label} does not open an object without a symbol table; we refuse it${libSkip ? ` (skipped: ${libSkip})` : ''}`,
      async () => {
        const bytes = withoutSymbolTable(execsnoop);
        const run = await libbpfRelocate(write('nosymtab.bpf.o', bytes), referenceKernel(), {
          libbpf: lib.build,
        });
        expect(run.object.message).toBe('bpf_object__open_file failed');
        expect(() => parseBpfObject(bytes, 'nosymtab.bpf.o')).toThrow(FormatError);
      },
    );
  }

  for (const tool of BPFTOOLS) {
    const toolSkip = oracleSkipReason(tool.missing());
    it.skipIf(toolSkip !== undefined)(
      `${tool.label} keeps their types and bpftool mode is byte-identical; on a skipped record it fails on, bpftool fails and we do not; it reduces objects with an unnamed group or no symbol table${toolSkip ? ` (skipped: ${toolSkip})` : ''}`,
      async () => {
        for (const { object, target } of cases()) {
          const upstream = await bpftoolMinCoreBtf(target, [object], tool.bin);
          if (!upstream.ok) throw new Error(`${object}: ${upstream.message}`);
          const ours = minimizeBtf(await targetBtf(target), [loadObject(object)], { mode: 'bpftool' }).btf;
          expect(Buffer.compare(ours, upstream.bytes), object).toBe(0);
        }
        // bpftool needs no symbol table, nor a CO-RE group's section name: it reduces objects libbpf cannot load (above)
        expect(
          (
            await bpftoolMinCoreBtf(
              referenceKernel(),
              [write('nosymtab.bpf.o', withoutSymbolTable(execsnoop))],
              tool.bin,
            )
          ).ok,
        ).toBe(true);
        expect(
          (
            await bpftoolMinCoreBtf(
              referenceKernel(),
              [write('noname.bpf.o', withGroupSection(execsnoop, 1, ''))],
              tool.bin,
            )
          ).ok,
        ).toBe(true);
        const failing = failingSkipped();
        expect((await bpftoolMinCoreBtf(referenceKernel(), [failing], tool.bin)).ok).toBe(false);
        const btf = await targetBtf(referenceKernel());
        expect(() => minimizeBtf(btf, [loadObject(failing)], { mode: 'bpftool' })).not.toThrow();
      },
    );
  }
});
