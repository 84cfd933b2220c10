import { arch as osArch, release as osRelease } from 'node:os';
import { BundleUsageError, describeValue, KernelDetectError } from '../errors.js';
import { readBoundedFile, resolveInRoot } from '../host-file.js';
import { optionsOf } from '../options.js';
import { normalizeArch } from './arch.js';
import { checkKernelKey } from './key.js';
import type { LookupKernel } from './lookup.js';
import { parseOsRelease } from './os-release.js';

/** Environment variable naming the root of the host filesystem, when the `hostRoot` option is not given. */
export const HOST_ROOT_ENV = 'BTF_BUNDLE_HOST_ROOT';

/** Largest os-release file read (real ones are under 1 KB). */
const MAX_OS_RELEASE_BYTES = 64 * 1024;

/** Longest os-release value used (`ID`, `VERSION_ID`, `ID_LIKE`); a longer one is an error, not echoed. */
const MAX_VALUE_CHARS = 256;

/** Where {@link detectKernel} looks. Every field has a default taken from the running host. */
export interface DetectOptions {
  /**
   * Root of the host filesystem, e.g. `/host` in a container that mounts it there; links under it are resolved
   * inside it. Default: `BTF_BUNDLE_HOST_ROOT` from `env`, else `/`.
   */
  hostRoot?: string;
  /** Environment to read `BTF_BUNDLE_HOST_ROOT` (and, for `resolveBtf`, `BTF_BUNDLE_BTF_PATH`) from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Kernel release to use instead of `os.release()`. */
  release?: string;
  /** Architecture to use instead of `os.arch()` (normalised either way). */
  arch?: string;
}

/** A detected kernel: the lookup key plus `idLike` fallbacks. */
export type DetectedKernel = Required<LookupKernel>;

/**
 * The host root of `options`: the option, else `BTF_BUNDLE_HOST_ROOT`, else `/`. A `hostRoot` that is not a string
 * is a {@link BundleUsageError}.
 */
export function hostRootOf(options: DetectOptions): string {
  const root: unknown = options.hostRoot;
  if (root !== undefined && typeof root !== 'string')
    throw new BundleUsageError(`hostRoot is ${describeValue(root)}, not a string`);
  return root || (options.env ?? process.env)[HOST_ROOT_ENV] || '/';
}

/** The text of the first os-release file under `hostRoot` that exists, read bounded and resolved inside the root. */
function readOsRelease(hostRoot: string): string {
  const problems: string[] = [];
  for (const rel of ['etc/os-release', 'usr/lib/os-release']) {
    try {
      const path = resolveInRoot(hostRoot, rel);
      return new TextDecoder().decode(readBoundedFile(path, MAX_OS_RELEASE_BYTES));
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      problems.push(`${rel}: ${e.code ?? e.message}`);
    }
  }
  throw new KernelDetectError(`no usable os-release file under ${hostRoot} (${problems.join('; ')})`);
}

/** `fields[name]`, refusing a value too long to be real (it is not echoed). */
function field(fields: Map<string, string>, name: string, hostRoot: string): string | undefined {
  const value = fields.get(name);
  if (value !== undefined && value.length > MAX_VALUE_CHARS) {
    throw new KernelDetectError(`os-release under ${hostRoot} has a ${name} of ${value.length} characters`);
  }
  return value;
}

/**
 * Identifies the running kernel: distro `ID`, `VERSION_ID` and `ID_LIKE` from `<hostRoot>/etc/os-release`
 * (falling back to `<hostRoot>/usr/lib/os-release`; links resolved inside the host root, at most 64 KiB read),
 * `os.release()` and the normalised `os.arch()`. Throws {@link KernelDetectError} when os-release is missing,
 * not a regular file, too large, lacks `ID` or has an overlong value, and {@link InvalidKernelKeyError} when a
 * value is not a safe path component.
 */
export function detectKernel(value?: DetectOptions): DetectedKernel {
  const options = optionsOf(value, 'detectKernel: options');
  const hostRoot = hostRootOf(options);
  const fields = parseOsRelease(readOsRelease(hostRoot));
  const distro = field(fields, 'ID', hostRoot);
  if (!distro) throw new KernelDetectError(`os-release under ${hostRoot} has no ID`);
  const key = checkKernelKey({
    distro,
    version: field(fields, 'VERSION_ID', hostRoot) || 'unknown',
    arch: normalizeArch(options.arch ?? osArch()),
    release: options.release ?? osRelease(),
  });
  const idLike = (field(fields, 'ID_LIKE', hostRoot) ?? '').split(/\s+/).filter((s) => s !== '');
  return { ...key, idLike };
}
