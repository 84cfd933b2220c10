import type { KernelKey } from './key.js';
import { compareReleases, naturalCompare, splitRelease } from './release.js';

/**
 * Total order used for kernel lists and for placing similar BTFs next to each other in a bundle:
 * distro, version, arch, release flavour (natural order), then release in the distro's numbering
 * ({@link compareReleases}).
 */
export function compareKernelKeys(a: KernelKey, b: KernelKey): number {
  return (
    naturalCompare(a.distro, b.distro) ||
    naturalCompare(a.version, b.version) ||
    naturalCompare(a.arch, b.arch) ||
    naturalCompare(splitRelease(a.release).flavour, splitRelease(b.release).flavour) ||
    compareReleases(a.release, b.release)
  );
}

/** The series a kernel's release is ordered in: `distro/version/arch/flavour`. */
export function releaseSeries(key: KernelKey): string {
  return `${key.distro}/${key.version}/${key.arch}/${splitRelease(key.release).flavour}`;
}
