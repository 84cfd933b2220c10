import { normalizeArch } from './arch.js';
import type { KernelKey } from './key.js';
import { compareNumbers, splitRelease } from './release.js';

/** How a bundle entry was matched to the running kernel. */
export type MatchKind = 'exact' | 'normalized' | 'nearest';

/** The bundle entry chosen for a kernel and how it was chosen. */
export interface KernelMatch {
  /** `exact`: same id; `normalized`: after distro alias / ID_LIKE / major-version normalisation; `nearest`: opt-in closest release. */
  kind: MatchKind;
  /** The matched bundle kernel id. */
  id: string;
  /** The matched bundle kernel key. */
  key: KernelKey;
}

/** A kernel to look up: its key plus, optionally, os-release `ID_LIKE` entries to fall back on. */
export interface LookupKernel extends KernelKey {
  /** os-release `ID_LIKE` values, most similar first. */
  idLike?: readonly string[];
}

/** Options of a lookup. */
export interface LookupOptions {
  /** Allow the nearest release of the same distro/version/arch/flavour when nothing matches exactly. Default false. */
  nearest?: boolean;
}

const DISTRO_ALIASES: Readonly<Record<string, string>> = {
  amazon: 'amzn',
  redhat: 'rhel',
  oracle: 'ol',
  suse: 'sles',
};

const unique = (xs: string[]): string[] => [...new Set(xs)];

/** The (distro, version) pairs tried for normalized and nearest matches, most specific first. */
function candidates(kernel: LookupKernel): [string, string][] {
  const alias = (d: string) => DISTRO_ALIASES[d] ?? d;
  const distros = unique([kernel.distro, alias(kernel.distro), ...(kernel.idLike ?? []).map(alias)]);
  const versions = unique([kernel.version, kernel.version.split('.')[0]!]);
  return distros.flatMap((d) => versions.map((v): [string, string] => [d, v]));
}

/**
 * Picks the release closest to `release` among `releases` (same flavour only): the newest release not newer
 * than it, otherwise the oldest newer one. Releases are compared by their leading numeric parts.
 */
export function nearestRelease(release: string, releases: readonly string[]): string | undefined {
  const target = splitRelease(release);
  if (target.numbers.length === 0) return undefined;
  let below: { r: string; n: number[] } | undefined;
  let above: { r: string; n: number[] } | undefined;
  for (const r of releases) {
    const p = splitRelease(r);
    if (p.flavour !== target.flavour || p.numbers.length === 0) continue;
    const c = compareNumbers(p.numbers, target.numbers);
    if (c <= 0 && (!below || compareNumbers(p.numbers, below.n) > 0)) below = { r, n: p.numbers };
    if (c > 0 && (!above || compareNumbers(p.numbers, above.n) < 0)) above = { r, n: p.numbers };
  }
  return (below ?? above)?.r;
}

/**
 * Finds the entry of `ids` (a set of kernel ids) for `kernel`: exact id, then normalised ids, then (only with
 * `nearest`) the nearest release. `releasesOf(distro/version/arch)` lists the releases present for that prefix.
 */
export function matchKernel(
  kernel: LookupKernel,
  has: (id: string) => boolean,
  releasesOf: (prefix: string) => readonly string[],
  options: LookupOptions = {},
): KernelMatch | undefined {
  const make = (kind: MatchKind, distro: string, version: string, arch: string, release: string) => ({
    kind,
    id: `${distro}/${version}/${arch}/${release}`,
    key: { distro, version, arch, release },
  });
  const exact = make('exact', kernel.distro, kernel.version, kernel.arch, kernel.release);
  if (has(exact.id)) return exact;
  const arch = normalizeArch(kernel.arch);
  const pairs = candidates(kernel);
  for (const [d, v] of pairs) {
    const m = make('normalized', d, v, arch, kernel.release);
    if (has(m.id)) return m;
  }
  if (!options.nearest) return undefined;
  for (const [d, v] of pairs) {
    const release = nearestRelease(kernel.release, releasesOf(`${d}/${v}/${arch}`));
    if (release !== undefined) return make('nearest', d, v, arch, release);
  }
  return undefined;
}
