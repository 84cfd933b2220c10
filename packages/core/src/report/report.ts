import type { ObjectRelocationSummary } from './relocations.js';

/** What happened to one kernel of the snapshot. */
export interface KernelReport {
  /** `distro/version/arch/release`. */
  id: string;
  /** Kernel file. */
  path: string;
  /** `covered`: it has a BTF in the bundle; `failed`: it could not be covered; `skipped`: not attempted. */
  status: 'covered' | 'failed' | 'skipped';
  /** Why it failed or was skipped. */
  reason?: string;
  /** For failed kernels: an unreadable file, or a kernel the objects' relocations cannot be covered on. */
  failure?: 'unreadable' | 'error';
  /** Whether the result came from the cache. */
  cached?: boolean;
  /** Size of the kernel's full raw BTF. */
  sourceBytes?: number;
  /** Size of its minimized BTF. */
  btfBytes?: number;
  /** Hex sha256 of its minimized BTF: kernels with equal values share one BTF in the bundle. */
  btfSha256?: string;
  /** Per-object relocation counts (covered kernels). */
  objects?: ObjectRelocationSummary[];
  /** Milliseconds spent on it. */
  ms?: number;
}

/** Totals of a build. */
export interface BuildStats {
  /** Kernel counts. */
  kernels: { total: number; covered: number; failed: number; skipped: number };
  /** Distinct minimized BTFs (after dedup). */
  distinctBlobs: number;
  /** Sum of the covered kernels' full raw BTF sizes. */
  rawBytes: number;
  /** Sum of their minimized BTF sizes (before dedup). */
  minimizedBytes: number;
  /** Size of the encoded bundle. */
  bundleBytes: number;
  /** Covered kernels per distinct blob (1 = nothing shared). */
  dedupRatio: number;
  /** Kernels answered from the cache. */
  cacheHits: number;
  /** Wall-clock milliseconds of the build. */
  ms: number;
}

/** An object of the build. */
export interface ObjectReport {
  /** File name. */
  name: string;
  /** Hex sha256 of the file. */
  sha256: string;
  /** The arch it applies to (`*` for all). */
  arch: string;
}

/** The coverage report of a build (JSON-serializable). */
export interface BuildReport {
  /** Report format version. */
  version: 1;
  /** Objects minimized for. */
  objects: ObjectReport[];
  /** Every kernel of the snapshot, in kernel order. */
  kernels: KernelReport[];
  /** Totals. */
  stats: BuildStats;
}

/** Compute {@link BuildStats} from kernel reports and the bundle's facts. */
export function computeStats(
  kernels: readonly KernelReport[],
  facts: { distinctBlobs: number; bundleBytes: number; ms: number },
): BuildStats {
  const count = (status: KernelReport['status']) => kernels.filter((k) => k.status === status).length;
  const covered = kernels.filter((k) => k.status === 'covered');
  const sum = (pick: (k: KernelReport) => number | undefined) =>
    covered.reduce((s, k) => s + (pick(k) ?? 0), 0);
  return {
    kernels: {
      total: kernels.length,
      covered: covered.length,
      failed: count('failed'),
      skipped: count('skipped'),
    },
    distinctBlobs: facts.distinctBlobs,
    rawBytes: sum((k) => k.sourceBytes),
    minimizedBytes: sum((k) => k.btfBytes),
    bundleBytes: facts.bundleBytes,
    dedupRatio: facts.distinctBlobs === 0 ? 1 : covered.length / facts.distinctBlobs,
    cacheHits: kernels.filter((k) => k.cached).length,
    ms: facts.ms,
  };
}
