/**
 * `build` and `explain` count relocations the same way (one function, docs/coverage-report.md): on real kernels
 * and objects with relocated, absent, guarded, unguarded-poisoned and skipped relocations, the counts `explain` prints
 * equal the build report's per-kernel × object counts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { BuildReport } from '../src/report/report.js';
import { formatCounts } from '../src/report/table.js';
import { testdata } from './btf-helpers.js';
import { SAMPLE_SNAPSHOT } from './build-fixtures.js';

const CLI = fileURLToPath(new URL('../dist/bin/btf-bundle.cjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'btf-counts-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const OBJECTS = [
  'biolatency.bpf.o',
  'bitfields.bpf.o',
  'enums.bpf.o',
  'opensnoop.bpf.o',
  'weak_linked.bpf.o',
];
const KERNELS = ['debian/12/x86_64/6.1.0-54-amd64', 'debian/12/x86_64/6.12.117+deb12-amd64'];
const run = (...args: string[]) =>
  execFileSync('node', [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });

describe('relocation counts', () => {
  it('are the same in the build report and in explain', () => {
    const reportFile = join(dir, 'report.json');
    run(
      'build',
      '--snapshot',
      SAMPLE_SNAPSHOT,
      ...OBJECTS.flatMap((o) => ['--objects', join(testdata, o)]),
      ...KERNELS.flatMap((k) => ['--include', `${k}.btf*`]),
      '--out',
      join(dir, 'bundle'),
      '--report',
      reportFile,
      '--no-cache',
      '--quiet',
    );
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as BuildReport;
    expect(report.kernels.map((k) => [k.id, k.status])).toEqual(KERNELS.map((k) => [k, 'covered']));
    const seen = { absent: 0, guarded: 0, unguarded: 0, skipped: 0 };
    for (const kernel of report.kernels) {
      const text = run(
        'explain',
        ...OBJECTS.map((o) => join(testdata, o)),
        '--btf',
        join(SAMPLE_SNAPSHOT, `${kernel.id}.btf.tar.xz`),
      );
      for (const summary of kernel.objects ?? []) {
        const { object, ...counts } = summary;
        const line = text.split('\n').find((l) => l.startsWith(join(testdata, object)));
        expect(line, object).toBe(`${join(testdata, object)}: ${formatCounts(counts)}`);
        seen.absent += summary.absent;
        seen.guarded += summary.guarded;
        seen.unguarded += summary.poisoned - summary.guarded;
        seen.skipped += summary.skipped;
      }
    }
    // The objects exercise every count, so the comparison above is not vacuous.
    expect(seen.absent).toBeGreaterThan(0);
    expect(seen.guarded).toBeGreaterThan(0);
    expect(seen.unguarded).toBeGreaterThan(0);
    expect(seen.skipped).toBeGreaterThan(0); // weak_linked's dropped weak subprogram
  });
});
