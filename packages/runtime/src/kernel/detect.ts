import { readFileSync } from 'node:fs';
import { arch as osArch, release as osRelease } from 'node:os';
import { join } from 'node:path';
import { KernelDetectError } from '../errors.js';
import { normalizeArch } from './arch.js';
import { checkKernelKey } from './key.js';
import type { LookupKernel } from './lookup.js';
import { parseOsRelease } from './os-release.js';

/** Where {@link detectKernel} looks. Every field has a default taken from the running host. */
export interface DetectOptions {
  /** Root of the host filesystem, e.g. `/host` in a container that mounts it there. Default `/`. */
  hostRoot?: string;
  /** Kernel release to use instead of `os.release()`. */
  release?: string;
  /** Architecture to use instead of `os.arch()` (normalised either way). */
  arch?: string;
}

/** A detected kernel: the lookup key plus `idLike` fallbacks. */
export type DetectedKernel = Required<LookupKernel>;

function readOsRelease(hostRoot: string): string {
  for (const path of ['etc/os-release', 'usr/lib/os-release']) {
    try {
      return readFileSync(join(hostRoot, path), 'utf8');
    } catch {
      // try the next location
    }
  }
  throw new KernelDetectError(`no os-release file under ${hostRoot} (etc/os-release, usr/lib/os-release)`);
}

/**
 * Identifies the running kernel: distro `ID`, `VERSION_ID` and `ID_LIKE` from `<hostRoot>/etc/os-release`
 * (falling back to `<hostRoot>/usr/lib/os-release`), `os.release()` and the normalised `os.arch()`.
 * Throws {@link KernelDetectError} when os-release is missing or lacks `ID`, and
 * {@link InvalidKernelKeyError} when a value is not a safe path component.
 */
export function detectKernel(options: DetectOptions = {}): DetectedKernel {
  const hostRoot = options.hostRoot ?? '/';
  const fields = parseOsRelease(readOsRelease(hostRoot));
  const distro = fields.get('ID');
  if (!distro) throw new KernelDetectError(`os-release under ${hostRoot} has no ID`);
  const key = checkKernelKey({
    distro,
    version: fields.get('VERSION_ID') || 'unknown',
    arch: normalizeArch(options.arch ?? osArch()),
    release: options.release ?? osRelease(),
  });
  const idLike = (fields.get('ID_LIKE') ?? '').split(/\s+/).filter((s) => s !== '');
  return { ...key, idLike };
}
