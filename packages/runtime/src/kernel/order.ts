import type { KernelKey } from './key.js';
import { naturalCompare, splitRelease } from './release.js';

/**
 * Total order used for kernel lists and for placing similar BTFs next to each other in a bundle:
 * distro, version, arch, release flavour, then release, each in natural (version-aware) order.
 */
export function compareKernelKeys(a: KernelKey, b: KernelKey): number {
  return (
    naturalCompare(a.distro, b.distro) ||
    naturalCompare(a.version, b.version) ||
    naturalCompare(a.arch, b.arch) ||
    naturalCompare(splitRelease(a.release).flavour, splitRelease(b.release).flavour) ||
    naturalCompare(a.release, b.release)
  );
}
