import { escapeControls } from '../errors.js';
import { formatBytes } from '../util/bytes.js';
import { objectCoverage, objectVerdict, reportRuns } from './coverage.js';
import { count, describeCount, describeKernels } from './kernel-list.js';
import type { ObjectRelocationSummary, RelocationVerdict } from './relocations.js';
import type { BuildReport, KernelReport } from './report.js';

/**
 * `696 relocations: 690 relocated (12 absent), 6 poisoned (4 guarded), 0 errors` — the counts of one object, then
 * `, 2 skipped` when libbpf skips some of its records.
 */
export function formatCounts(s: Omit<ObjectRelocationSummary, 'object'>): string {
  return (
    `${count(s.total)} relocations: ${count(s.resolved)} relocated (${count(s.absent)} absent), ` +
    `${count(s.poisoned)} poisoned (${count(s.guarded)} guarded), ${count(s.errors)} errors` +
    (s.skipped > 0 ? `, ${count(s.skipped)} skipped` : '')
  );
}

const VERDICT_WORDS: Record<RelocationVerdict, string> = {
  relocated: 'relocated',
  guarded: 'guarded',
  poisoned: 'unguarded',
  error: 'error',
};

/** `50 relocated, 3 guarded, 1 unguarded` — how many objects of a covered kernel got each verdict. */
function objectsCell(objects: readonly ObjectRelocationSummary[]): string {
  const tally = new Map<RelocationVerdict, number>();
  for (const s of objects) {
    const v = objectVerdict(s);
    tally.set(v, (tally.get(v) ?? 0) + 1);
  }
  const parts = (Object.keys(VERDICT_WORDS) as RelocationVerdict[]).flatMap((v) =>
    tally.has(v) ? [`${count(tally.get(v)!)} ${VERDICT_WORDS[v]}`] : [],
  );
  return parts.join(', ') || 'no objects';
}

/** `9 (8 guarded)` — poisoned relocations of a covered kernel over all its objects. */
function poisonedCell(objects: readonly ObjectRelocationSummary[]): string {
  const poisoned = objects.reduce((n, s) => n + s.poisoned, 0);
  const guarded = objects.reduce((n, s) => n + s.guarded, 0);
  return poisoned === 0 ? 'none' : `${count(poisoned)} (${count(guarded)} guarded)`;
}

/** The cells of each list of per-object counts described so far (kernels replayed from a build share lists). */
const countCells = new WeakMap<readonly ObjectRelocationSummary[], { poisoned: string; objects: string }>();

/** The poisoned-relocations and objects cells of a kernel. */
function countCellsOf(kernel: KernelReport): { poisoned: string; objects: string } {
  if (kernel.status !== 'covered') return { poisoned: '', objects: kernel.reason ?? '' };
  const list = kernel.objects ?? [];
  let cells = countCells.get(list);
  if (!cells) {
    cells = { poisoned: poisonedCell(list), objects: objectsCell(list) };
    countCells.set(list, cells);
  }
  return cells;
}

function sizeCell(kernel: KernelReport): string {
  if (kernel.sourceBytes === undefined) return '';
  const after = kernel.btfBytes === undefined ? '-' : formatBytes(kernel.btfBytes);
  return `${formatBytes(kernel.sourceBytes)} → ${after}`;
}

/**
 * Lay out rows as left-aligned columns, each cell one printable line (an object's or a kernel file's name may hold
 * a newline or a terminal escape).
 */
function columns(cells: string[][]): string {
  const rows = cells.map((row) => row.map(escapeControls));
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(i === row.length - 1 ? 0 : (widths[i] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function kernelTable(report: BuildReport): string {
  const rows = [['kernel', 'status', 'size', 'time', 'poisoned relocations', 'objects / reason']];
  for (const k of report.kernels) {
    const time = k.ms === undefined ? '' : `${Math.round(k.ms)} ms${k.cached ? ' (cached)' : ''}`;
    const status = k.status === 'failed' && k.failure === 'unreadable' ? 'unreadable' : k.status;
    const cells = countCellsOf(k);
    rows.push([k.id, status, sizeCell(k), time, cells.poisoned, cells.objects]);
  }
  return columns(rows);
}

function objectTable(report: BuildReport): string {
  const rows = [
    [
      'object',
      'arch',
      'relocations',
      'fully relocated',
      'guarded only',
      'unguarded',
      'errors',
      'will not load on',
    ],
  ];
  const order = new Map(report.kernels.map((k, i) => [k.id, i]));
  const inKernelOrder = (a: string, b: string) => (order.get(a) ?? 0) - (order.get(b) ?? 0);
  for (const o of objectCoverage(report)) {
    const { relocated, guarded, poisoned, error } = o.byVerdict;
    // Each list is in kernel order already, and a kernel is in at most one of them.
    const failingIds = error.length === 0 ? poisoned : [...poisoned, ...error].sort(inKernelOrder);
    const of = o.kernels + error.length;
    rows.push([
      o.name,
      o.arch,
      count(o.relocations),
      describeCount(relocated.length, of),
      describeCount(guarded.length, of),
      describeCount(poisoned.length, of),
      describeCount(error.length, of),
      describeKernels(failingIds, of),
    ]);
  }
  return columns(rows);
}

function runsLine(report: BuildReport): string {
  const runs = reportRuns(report);
  const kernels = runs.reduce((n, r) => n + r.kernels.length, 0);
  const longest = runs.reduce((n, r) => Math.max(n, r.kernels.length), 0);
  if (runs.length === 0) return 'no runs: no two consecutive kernels of a release series share a reduced BTF';
  return (
    `${count(runs.length)} run${runs.length === 1 ? '' : 's'} of consecutive releases with identical reduced BTFs cover ${count(kernels)} kernels ` +
    `(longest ${count(longest)}); a release missing inside a run matches as 'bracketed'`
  );
}

/** What the words of the table mean, printed under it. */
export const LEGEND = `legend (per object and kernel; docs/coverage-report.md):
  relocated  every CO-RE relocation gets the kernel's value (existence checks answer 0 or 1): the object loads
  guarded    some instructions are poisoned (the kernel lacks a field, type or enum value they use), but an
             existence check in the same program answered 0 for each: that code is dead, the object loads
  unguarded  a poisoned instruction no failed existence check guards: the verifier rejects its program if it
             can reach it, so expect the load to fail unless the program is not loaded
  error      libbpf refuses the object on this kernel: the kernel fails and is recorded as failed in the bundle
per-kernel × object counts: --report FILE (JSON) or --report-html FILE`;

/**
 * A coverage table that reads at any size: one line per kernel (status, sizes before → after, time, poisoned
 * relocations, how many objects got each verdict or the failure reason), one line per object (on how many kernels
 * it is fully relocated, only guarded-poisoned, unguarded-poisoned or in error, and the kernels where it will not
 * load, summarised), the runs of
 * identical BTFs, totals and a legend. Per-kernel × object detail stays in the JSON report.
 */
export function formatReport(report: BuildReport): string {
  const s = report.stats;
  const summary = [
    `${count(s.kernels.total)} kernels: ${count(s.kernels.covered)} covered, ${count(s.kernels.failed)} failed, ${count(s.kernels.skipped)} skipped`,
    `${count(s.distinctBlobs)} distinct BTFs (dedup ratio ${s.dedupRatio.toFixed(2)})`,
    runsLine(report),
    `raw ${formatBytes(s.rawBytes)} → minimized ${formatBytes(s.minimizedBytes)} → bundle ${formatBytes(s.bundleBytes)}`,
    `cache hits ${count(s.cacheHits)}/${count(s.kernels.covered + s.kernels.failed)}, ${(s.ms / 1000).toFixed(1)} s`,
  ];
  return [kernelTable(report), objectTable(report), summary.join('\n'), LEGEND].join('\n\n');
}
