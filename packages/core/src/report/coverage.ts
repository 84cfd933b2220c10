import { parseKernelId } from '@btf-bundle/runtime';
import { type KernelRun, kernelRuns } from '@btf-bundle/runtime/internal';
import type { ObjectRelocationSummary, RelocationVerdict } from './relocations.js';
import type { BuildReport, KernelReport } from './report.js';

/** How an object fared on a kernel: the worst verdict of its relocations there. */
export function objectVerdict(summary: ObjectRelocationSummary): RelocationVerdict {
  if (summary.errors > 0) return 'error';
  if (summary.poisoned > summary.guarded) return 'poisoned';
  return summary.poisoned > 0 ? 'guarded' : 'relocated';
}

/** One object across the kernels of a build. */
export interface ObjectCoverage {
  /** Object file name. */
  name: string;
  /** The arch it applies to (`*` for all). */
  arch: string;
  /** Its CO-RE relocation count. */
  relocations: number;
  /** Covered kernels it was minimized for. */
  kernels: number;
  /** Kernel ids per verdict, in kernel order (`error`: kernels that failed because of this object). */
  byVerdict: Record<RelocationVerdict, string[]>;
}

/**
 * The object a failed kernel's reason blames: minimizer errors name the object first (`<object> (<place>): …`).
 * Undefined for failures of the kernel itself.
 */
export function blamedObject(kernel: KernelReport, names: readonly string[]): string | undefined {
  if (kernel.status !== 'failed' || kernel.failure !== 'error' || !kernel.reason) return undefined;
  const reason = kernel.reason;
  return names.find((n) => reason.startsWith(`${n} `) || reason.startsWith(`${n}:`));
}

/** Per object of `report`: the kernels where it is fully relocated, only guarded-poisoned, poisoned or in error. */
export function objectCoverage(report: BuildReport): ObjectCoverage[] {
  const rows = new Map<string, ObjectCoverage>();
  const rowOf = (name: string, arch = '*') => {
    let row = rows.get(name);
    if (!row) {
      row = {
        name,
        arch,
        relocations: 0,
        kernels: 0,
        byVerdict: { relocated: [], guarded: [], poisoned: [], error: [] },
      };
      rows.set(name, row);
    }
    return row;
  };
  for (const o of report.objects) {
    const row = rowOf(o.name, o.arch);
    if (row.arch !== o.arch) row.arch = `${row.arch},${o.arch}`;
  }
  const names = [...rows.keys()];
  for (const k of report.kernels) {
    for (const s of k.objects ?? []) {
      const row = rowOf(s.object);
      row.relocations = s.total;
      row.kernels++;
      row.byVerdict[objectVerdict(s)].push(k.id);
    }
    const blamed = blamedObject(k, names);
    if (blamed) rowOf(blamed).byVerdict.error.push(k.id);
  }
  return [...rows.values()];
}

/** The runs of identical reduced BTFs among the covered kernels of `report` (see {@link kernelRuns}). */
export function reportRuns(report: BuildReport): KernelRun[] {
  return kernelRuns(
    report.kernels.flatMap((k) =>
      k.status === 'covered' && k.btfSha256 ? [{ key: parseKernelId(k.id), blob: k.btfSha256 }] : [],
    ),
  );
}
