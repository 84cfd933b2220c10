import { type KernelKey, kernelId } from './key.js';
import { releaseSeries, sortByKernelKey } from './order.js';

/** A kernel and the identity of its reduced BTF (a bundle blob index, or a hash). */
export interface KernelBlob {
  /** The kernel. */
  key: KernelKey;
  /** Equal values mean byte-identical reduced BTFs. */
  blob: string | number;
}

/** Consecutive kernels of one release series whose reduced BTFs are identical. */
export interface KernelRun {
  /** `distro/version/arch/flavour` (see {@link releaseSeries}). */
  series: string;
  /** Kernel ids of the run, oldest release first (at least two). */
  kernels: string[];
}

/**
 * The maximal stretch `[start, end]` of positions around `i` (within `0 … length - 1`) whose members all join
 * position `i`'s run: `joins(j)` says whether position `j` has the same series and the same BTF as `i`. Runs are
 * found this way at build time ({@link kernelRuns}) and at run time (the lookup walks out from a neighbour).
 */
export function runAround(i: number, length: number, joins: (j: number) => boolean): [number, number] {
  let start = i;
  let end = i;
  while (start > 0 && joins(start - 1)) start--;
  while (end + 1 < length && joins(end + 1)) end++;
  return [start, end];
}

/**
 * The runs of `kernels`: each series is put in release order (the bundle's kernel order) and cut wherever the
 * reduced BTF changes; stretches of two or more kernels are runs.
 */
export function kernelRuns(kernels: readonly KernelBlob[]): KernelRun[] {
  const sorted = sortByKernelKey(kernels, (k) => k.key).map((k) => ({
    id: kernelId(k.key),
    series: releaseSeries(k.key),
    blob: k.blob,
  }));
  const runs: KernelRun[] = [];
  for (let i = 0; i < sorted.length; ) {
    const { series, blob } = sorted[i]!;
    const [start, end] = runAround(
      i,
      sorted.length,
      (j) => sorted[j]!.series === series && sorted[j]!.blob === blob,
    );
    if (end > start) runs.push({ series, kernels: sorted.slice(start, end + 1).map((k) => k.id) });
    i = end + 1;
  }
  return runs;
}
