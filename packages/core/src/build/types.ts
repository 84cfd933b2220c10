import type { BundleManifest } from '@btf-bundle/runtime';
import type { MinimizeMode } from '../minimize/minimize.js';
import type { BuildReport, BuildStats } from '../report/report.js';

/** A kernel's identity, as the runtime defines it. */
export type { KernelKey } from '@btf-bundle/runtime';

/** When a build fails instead of reporting and skipping. */
export type FailOn =
  /** Never: unreadable snapshot files and failed kernels are reported and skipped (default). */
  | 'never'
  /** A corrupt or unreadable snapshot file fails the build. */
  | 'unreadable'
  /** Any kernel that cannot be covered (unreadable, or a relocation libbpf would reject) fails the build. */
  | 'error';

/** Objects to minimize for: one list for every arch, or a list per arch (keys are BTFHub arch names). */
export type ObjectsOption = string[] | Partial<Record<string, string[]>>;

/** Progress of a build, emitted after each kernel. */
export interface BuildProgress {
  /** Kernels finished (covered, failed or cached). */
  done: number;
  /** Kernels to process. */
  total: number;
  /** Id (`distro/version/arch/release`) of the kernel just finished. */
  current: string;
  /** Milliseconds since the build started. */
  elapsedMs: number;
  /** Estimated milliseconds left, once it can be estimated. */
  etaMs?: number;
}

/** Options of {@link buildBundle}. */
export interface BuildBundleOptions {
  /**
   * Snapshot in BTFHub archive layout: a directory, or a git remote as `git+<url>[#ref]` (fetched blobless and
   * sparse into the cache dir: only the kernels that `include`/`exclude` and the objects' arches select).
   */
  snapshot: string;
  /** `.bpf.o` files (paths) to minimize for. bpf2go names (`*_x86_bpfel.o`, `*_arm64_bpfel.o`) pick their arch. */
  objects: ObjectsOption;
  /** Globs (relative to the snapshot dir) of kernel files to include; default all. */
  include?: string[];
  /** Globs of kernel files to exclude. */
  exclude?: string[];
  /** Read kernel files through symbolic links that lead out of the snapshot (default: reported and skipped). */
  followLinksOut?: boolean;
  /**
   * Largest kernel file or `.btf.tar.xz` member read, in bytes (default 64 MiB); a larger one fails that kernel
   * before it is read or decompressed. Memory of a build is bounded by this times the worker count.
   */
  maxKernelBytes?: number;
  /** Cache directory; false disables the cache. Default `node_modules/.cache/btf-bundle` under the cwd. */
  cacheDir?: string | false;
  /** Size bound of the cache; least recently used entries are evicted after the build. Default 1 GiB. */
  cacheMaxBytes?: number;
  /** Directory relative object globs are resolved against; default the cwd. */
  cwd?: string;
  /**
   * Kernels minimized at once, each on its own lane; default one per core, fewer when there are few kernels. More
   * than the cores are capped at the cores, with a warning.
   */
  workers?: number;
  /**
   * Let the calling thread minimize kernels too, as one of the `workers` lanes (less memory, but it blocks the
   * caller's event loop while it works): for command-line use. Default false.
   */
  useMainThread?: boolean;
  /** When to fail instead of skipping (default 'never'). */
  failOn?: FailOn;
  /** Minimizer mode (default 'robust'). */
  mode?: MinimizeMode;
  /** Called after each kernel. */
  onProgress?: (progress: BuildProgress) => void;
  /** Called for each warning (failed kernel, arch without objects, ...). */
  onWarning?: (message: string) => void;
}

/** Output of {@link buildBundle}. */
export interface BuildResult {
  /** The encoded bundle. */
  bundle: Uint8Array;
  /** What decoding the bundle would tell: kernel ids, objects and sizes (as the runtime's `bundleManifest`). */
  manifest: BundleManifest;
  /** Per-kernel, per-object coverage. */
  report: BuildReport;
  /** Totals (same object as `report.stats`). */
  stats: BuildStats;
  /** The commit built from, when the snapshot is a git remote. */
  snapshotRevision?: string;
}
