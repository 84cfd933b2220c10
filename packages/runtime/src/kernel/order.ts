import type { KernelKey } from './key.js';
import { compareNumbers, naturalCompare, type ReleaseParts, splitRelease } from './release.js';

/** A kernel key with its release parsed. */
interface ParsedKey {
  key: KernelKey;
  parts: ReleaseParts;
}

const parse = (key: KernelKey): ParsedKey => ({ key, parts: splitRelease(key.release) });

function compareParsed(a: ParsedKey, b: ParsedKey): number {
  return (
    naturalCompare(a.key.distro, b.key.distro) ||
    naturalCompare(a.key.version, b.key.version) ||
    naturalCompare(a.key.arch, b.key.arch) ||
    naturalCompare(a.parts.flavour, b.parts.flavour) ||
    compareNumbers(a.parts.numbers, b.parts.numbers) ||
    naturalCompare(a.key.release, b.key.release)
  );
}

/**
 * Total order used for kernel lists and for placing similar BTFs next to each other in a bundle:
 * distro, version, arch, release flavour (natural order), then release in the distro's numbering: by the
 * release's numbers ({@link splitRelease}), element-wise, an equal shorter list first (`5.4.0-42` before
 * `5.4.0-100`, `4.18.0-305.el8` before `4.18.0-305.3.1.el8_4`), then naturally by the whole string.
 */
export function compareKernelKeys(a: KernelKey, b: KernelKey): number {
  return compareParsed(parse(a), parse(b));
}

/** `items` in {@link compareKernelKeys} order, each release parsed once (for long lists). */
export function sortByKernelKey<T>(items: readonly T[], keyOf: (item: T) => KernelKey): T[] {
  return items
    .map((item) => ({ item, ...parse(keyOf(item)) }))
    .sort(compareParsed)
    .map((d) => d.item);
}

/** The series a kernel's release is ordered in: `distro/version/arch/flavour`. */
export function releaseSeries(key: KernelKey): string {
  return `${key.distro}/${key.version}/${key.arch}/${splitRelease(key.release).flavour}`;
}
