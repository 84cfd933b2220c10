// A synthetic build report at BTFHub scale, shared by bench/report.ts and the report tests (formatting and the HTML
// page do not depend on where the counts came from).
import type { ObjectRelocationSummary } from '../../packages/core/src/report/relocations.js';
import { type BuildReport, computeStats, type KernelReport } from '../../packages/core/src/report/report.js';

/** Counts of an object with 10 relocations, `poisoned` of them poisoned and `guarded` of those guarded. */
export const summary = (object: string, poisoned = 0, guarded = 0): ObjectRelocationSummary => ({
  object,
  total: 10,
  resolved: 10 - poisoned,
  absent: guarded > 0 ? 1 : 0,
  poisoned,
  guarded,
  errors: 0,
  typeIdTarget: 0,
  skipped: 0,
});

/**
 * A report of `kernelCount` Ubuntu kernels × `objectCount` objects at BTFHub scale: object j is poisoned on
 * kernel i when (i + j) % 7 == 0, guarded when (i + j) % 14 == 0; kernels share a BTF in runs of 10.
 */
export function scaleReport(kernelCount: number, objectCount: number): BuildReport {
  const names = Array.from({ length: objectCount }, (_, i) => `tool${i}.bpf.o`);
  const kernels: KernelReport[] = Array.from({ length: kernelCount }, (_, i) => ({
    id: `ubuntu/20.04/x86_64/5.4.0-${i + 1}-generic`,
    path: `/s/${i}`,
    status: 'covered',
    sourceBytes: 5_000_000,
    btfBytes: 9000,
    btfSha256: String(Math.floor(i / 10)),
    ms: 40,
    objects: names.map((n, j) => summary(n, (i + j) % 7 === 0 ? 1 : 0, (i + j) % 14 === 0 ? 1 : 0)),
  }));
  return {
    version: 1,
    objects: names.map((name) => ({ name, sha256: '0'.repeat(64), arch: '*' })),
    kernels,
    stats: computeStats(kernels, {
      distinctBlobs: Math.ceil(kernelCount / 10),
      bundleBytes: 100_000,
      ms: 60_000,
    }),
  };
}
