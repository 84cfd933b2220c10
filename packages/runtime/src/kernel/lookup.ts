import { BundleUsageError, describeValue } from '../errors.js';
import { normalizeArch } from './arch.js';
import { type KernelKey, kernelIdIfValid, parseKernelId } from './key.js';
import { compareNumbers, naturalCompare, type ReleaseParts, splitRelease } from './release.js';
import { runAround } from './runs.js';

/** How a bundle entry was matched to the running kernel. */
export type MatchKind = 'exact' | 'normalized' | 'bracketed' | 'nearest';

/**
 * Which inexact release matches a lookup accepts: `false` none, `'bracketed'` only a release that lies inside a
 * run of identical BTFs (the closest older and newer kernels of its series share one BTF), `true` also the
 * nearest release of the series when no run brackets it.
 */
export type NearestPolicy = boolean | 'bracketed';

/** How far a release is from the kernel it was matched to: the first release number that differs. */
export interface ReleaseDistance {
  /** Index of that number in {@link ReleaseParts.numbers} (`6.1.0-27` → 3 is the ABI number). */
  part: number;
  /** The wanted release's number minus the matched one's (negative: the match is newer). */
  by: number;
}

/** The run of identical BTFs a matched kernel belongs to. */
export interface MatchRun {
  /** Oldest kernel id of the run. */
  first: string;
  /** Newest kernel id of the run. */
  last: string;
  /** Kernels in the run (1: the matched kernel shares its BTF with neither neighbour). */
  length: number;
}

/** The bundle entry chosen for a kernel and how it was chosen. */
export interface KernelMatch {
  /**
   * `exact`: same id; `normalized`: after distro alias / ID_LIKE / major-version normalisation; `bracketed`: the
   * release lies between two kernels of its series with the same BTF; `nearest`: the closest release of its series.
   */
  kind: MatchKind;
  /** The matched bundle kernel id. */
  id: string;
  /** The matched bundle kernel key. */
  key: KernelKey;
  /** `bracketed`: the closer older and newer kernel ids that agree; `nearest`: the one kernel chosen. */
  neighbours?: string[];
  /** `nearest`: how far the wanted release is from the matched one. */
  distance?: ReleaseDistance;
  /** `bracketed` and `nearest`: the run of identical BTFs behind the match. */
  run?: MatchRun;
}

/** A kernel to look up: its key plus, optionally, os-release `ID_LIKE` entries to fall back on. */
export interface LookupKernel extends KernelKey {
  /** os-release `ID_LIKE` values, most similar first. */
  idLike?: readonly string[];
}

/** Options of a lookup. */
export interface LookupOptions {
  /** Which inexact release matches are accepted (see {@link NearestPolicy}). Default false; another value is a usage error. */
  nearest?: NearestPolicy;
}

/**
 * `nearest` as a policy (undefined is false); throws {@link BundleUsageError} for anything but false,
 * `'bracketed'`, true or undefined, rather than treating an unknown value as off.
 */
export function nearestPolicy(nearest: unknown): NearestPolicy {
  if (nearest === undefined || nearest === false) return false;
  if (nearest === true || nearest === 'bracketed') return nearest;
  throw new BundleUsageError(
    `nearest is ${typeof nearest === 'string' ? JSON.stringify(nearest) : describeValue(nearest)}, ` +
      `not false, 'bracketed' or true`,
  );
}

/** One kernel of a `distro/version/arch` prefix: its release and the identity of its BTF. */
export interface PrefixEntry {
  /** `uname -r`. */
  release: string;
  /** Blob index: equal values mean identical BTFs. */
  blob: number;
}

/** What a lookup needs from a bundle. */
export interface KernelIndex {
  /** Whether the bundle has a BTF for this exact id. */
  has(id: string): boolean;
  /** The kernels under `distro/version/arch`, in bundle order (by flavour, then release: `compareKernelKeys`). */
  entries(prefix: string): readonly PrefixEntry[];
}

const DISTRO_ALIASES: Readonly<Record<string, string>> = {
  amazon: 'amzn',
  redhat: 'rhel',
  oracle: 'ol',
  suse: 'sles',
};

const unique = (xs: string[]): string[] => [...new Set(xs)];

/** The (distro, version) pairs tried for normalized and inexact matches, most specific first. */
function candidates(kernel: LookupKernel): [string, string][] {
  const alias = (d: string) => DISTRO_ALIASES[d] ?? d;
  const distros = unique([kernel.distro, alias(kernel.distro), ...(kernel.idLike ?? []).map(alias)]);
  const versions = unique([kernel.version, kernel.version.split('.')[0]!]);
  return distros.flatMap((d) => versions.map((v): [string, string] => [d, v]));
}

function distance(from: readonly number[], to: readonly number[]): ReleaseDistance {
  let part = 0;
  while (part < from.length && part < to.length && from[part] === to[part]) part++;
  return { part, by: (from[part] ?? 0) - (to[part] ?? 0) };
}

/**
 * An inexact match of `release` among one prefix's entries (in bundle order: by flavour, then release), or
 * undefined when the policy rejects all. A binary search finds the release's place in its series, so only the
 * releases it visits and those of the runs around it are parsed. An index in another order gives a worse
 * neighbour, never an error.
 */
function nearRelease(
  release: string,
  prefix: string,
  entries: readonly PrefixEntry[],
  policy: NearestPolicy,
): Omit<KernelMatch, 'key'> | undefined {
  const target = splitRelease(release);
  if (target.numbers.length === 0) return undefined;
  const parsed = new Map<number, ReleaseParts>();
  const parts = (i: number): ReleaseParts => {
    const known = parsed.get(i);
    if (known) return known;
    const p = splitRelease(entries[i]!.release);
    parsed.set(i, p);
    return p;
  };
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const p = parts(mid);
    const order = naturalCompare(p.flavour, target.flavour) || compareNumbers(p.numbers, target.numbers);
    if (order > 0) hi = mid;
    else lo = mid + 1;
  }
  const inSeries = (i: number) => i >= 0 && i < entries.length && parts(i).flavour === target.flavour;
  const below = inSeries(lo - 1) ? lo - 1 : -1;
  const above = inSeries(lo) ? lo : -1;
  const id = (i: number) => `${prefix}/${entries[i]!.release}`;
  const run = (i: number): MatchRun => {
    const blob = entries[i]!.blob;
    const [start, end] = runAround(i, entries.length, (j) => entries[j]!.blob === blob && inSeries(j));
    return { first: id(start), last: id(end), length: end - start + 1 };
  };
  if (below !== -1 && above !== -1 && entries[below]!.blob === entries[above]!.blob) {
    return { kind: 'bracketed', id: id(below), neighbours: [id(below), id(above)], run: run(below) };
  }
  const chosen = below !== -1 ? below : above;
  if (policy !== true || chosen === -1) return undefined;
  return {
    kind: 'nearest',
    id: id(chosen),
    neighbours: [id(chosen)],
    distance: distance(target.numbers, parts(chosen).numbers),
    run: run(chosen),
  };
}

/**
 * Finds the entry of `index` for `kernel`: exact id, then normalised ids, then (as `nearest` allows) a
 * `bracketed` release inside a run of identical BTFs, then the `nearest` release of the same series (the newest
 * not newer than it, otherwise the oldest newer one). Series are `distro/version/arch/flavour` in release order.
 * `id`, when given, is the kernel's id, already checked to be valid (the caller parsed the key from it).
 */
export function matchKernel(
  kernel: LookupKernel,
  index: KernelIndex,
  options: LookupOptions = {},
  id?: string,
): KernelMatch | undefined {
  const exact = id ?? kernelIdIfValid(kernel);
  if (exact === undefined || !index.has(exact)) return inexactMatch(kernel, index, options.nearest ?? false);
  const { distro, version, arch, release } = kernel;
  return { kind: 'exact', id: exact, key: { distro, version, arch, release } };
}

/** {@link matchKernel} for a kernel the bundle does not hold under its own id. */
function inexactMatch(
  kernel: LookupKernel,
  index: KernelIndex,
  policy: NearestPolicy,
): KernelMatch | undefined {
  const keyOf = parseKernelId; // the index holds only valid ids
  const { release } = kernel;
  const arch = normalizeArch(kernel.arch);
  const series = candidates(kernel);
  for (const [distro, version] of series) {
    const id = kernelIdIfValid({ distro, version, arch, release });
    if (id !== undefined && index.has(id)) return { kind: 'normalized', id, key: keyOf(id) };
  }
  if (policy === false) return undefined;
  for (const [distro, version] of series) {
    const prefix = `${distro}/${version}/${arch}`;
    const match = nearRelease(release, prefix, index.entries(prefix), policy);
    if (match) return { ...match, key: keyOf(match.id) };
  }
  return undefined;
}
