import { parseKernelIdIfValid } from '@btf-bundle/runtime/internal';
import { blamedObject, objectVerdict, reportRuns } from './coverage.js';
import type { RelocationVerdict } from './relocations.js';
import type { BuildReport, KernelReport } from './report.js';

/** One letter per verdict in {@link HtmlKernel.cells}; `-` where the object does not apply to the kernel. */
const VERDICT_LETTERS: Record<RelocationVerdict, string> = {
  relocated: 'r',
  guarded: 'g',
  poisoned: 'p',
  error: 'e',
};

/** A kernel row of the HTML report. */
export interface HtmlKernel {
  /** `distro/version/arch/release`. */
  id: string;
  /** `covered`, `failed`, `unreadable` or `skipped`. */
  status: string;
  /** Failure or skip reason. */
  reason?: string;
  /** `4.2 MiB → 2.3 KiB`-style sizes, in bytes. */
  bytes?: [number, number | null];
  /** One letter per object column ({@link VERDICT_LETTERS}). */
  cells: string;
  /** Per object column: [total, resolved, absent, poisoned, guarded, errors, skipped], or 0 where it does not apply. */
  counts: ([number, number, number, number, number, number, number] | 0)[];
  /** Index of the run of identical BTFs it belongs to, and the run's length. */
  run?: [number, number];
}

/** What the HTML report page is drawn from (embedded in it as JSON). */
export interface HtmlData {
  /** Object names, one column each. */
  objects: string[];
  /** Kernel rows grouped by `distro/version`, in kernel order. */
  groups: { name: string; kernels: HtmlKernel[] }[];
  /** Build totals, as in the text report. */
  stats: BuildReport['stats'];
}

function groupName(id: string): string {
  const key = parseKernelIdIfValid(id);
  return key ? `${key.distro}/${key.version}` : 'unreadable files';
}

function statusOf(k: KernelReport): string {
  return k.status === 'failed' && k.failure === 'unreadable' ? 'unreadable' : k.status;
}

/** The data of the HTML report of `report`: verdict letters and counts per kernel × object, runs, groups. */
export function htmlData(report: BuildReport): HtmlData {
  const objects = [...new Set(report.objects.map((o) => o.name))];
  const column = new Map(objects.map((name, i) => [name, i]));
  const runOf = new Map<string, [number, number]>();
  reportRuns(report).forEach((run, i) => {
    for (const id of run.kernels) runOf.set(id, [i + 1, run.kernels.length]);
  });
  const groups = new Map<string, HtmlKernel[]>();
  for (const k of report.kernels) {
    const cells = Array<string>(objects.length).fill('-');
    const counts: HtmlKernel['counts'] = Array(objects.length).fill(0);
    for (const s of k.objects ?? []) {
      const i = column.get(s.object);
      if (i === undefined) continue;
      cells[i] = VERDICT_LETTERS[objectVerdict(s)];
      counts[i] = [s.total, s.resolved, s.absent, s.poisoned, s.guarded, s.errors, s.skipped];
    }
    const blamed = blamedObject(k, objects);
    if (blamed !== undefined) cells[column.get(blamed)!] = VERDICT_LETTERS.error;
    const row: HtmlKernel = { id: k.id, status: statusOf(k), cells: cells.join(''), counts };
    if (k.reason !== undefined) row.reason = k.reason;
    if (k.sourceBytes !== undefined) row.bytes = [k.sourceBytes, k.btfBytes ?? null];
    const run = runOf.get(k.id);
    if (run) row.run = run;
    const name = groupName(k.id);
    const list = groups.get(name);
    if (list) list.push(row);
    else groups.set(name, [row]);
  }
  return {
    objects,
    groups: [...groups].map(([name, kernels]) => ({ name, kernels })),
    stats: report.stats,
  };
}
