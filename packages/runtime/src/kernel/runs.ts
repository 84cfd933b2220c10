import { type KernelKey, kernelId } from './key.js';
import { compareKernelKeys, releaseSeries } from './order.js';

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
 * The index range `[start, end]` of the run around position `i` of `blobs` (blob identities of one series in
 * release order): the maximal stretch of equal neighbours containing `i`.
 */
export function runBounds(blobs: readonly (string | number)[], i: number): [number, number] {
  let start = i;
  let end = i;
  while (start > 0 && blobs[start - 1] === blobs[i]) start--;
  while (end + 1 < blobs.length && blobs[end + 1] === blobs[i]) end++;
  return [start, end];
}

/**
 * The runs of `kernels`: each series is put in release order (the bundle's kernel order) and cut wherever the
 * reduced BTF changes; stretches of two or more kernels are runs. The same derivation serves the build report
 * and the run-time `bracketed` match, so both agree on what a run is.
 */
export function kernelRuns(kernels: readonly KernelBlob[]): KernelRun[] {
  const sorted = [...kernels].sort((a, b) => compareKernelKeys(a.key, b.key));
  const runs: KernelRun[] = [];
  let current: { series: string; blob: string | number; kernels: string[] } | undefined;
  const close = () => {
    if (current && current.kernels.length > 1)
      runs.push({ series: current.series, kernels: current.kernels });
  };
  for (const { key, blob } of sorted) {
    const series = releaseSeries(key);
    if (current && current.series === series && current.blob === blob) {
      current.kernels.push(kernelId(key));
      continue;
    }
    close();
    current = { series, blob, kernels: [kernelId(key)] };
  }
  close();
  return runs;
}
