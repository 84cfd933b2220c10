import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BtfBundle } from './bundle/bundle.js';
import { BtfNotFoundError, BtfOverrideError } from './errors.js';
import { type DetectOptions, detectKernel } from './kernel/detect.js';
import { kernelId } from './kernel/key.js';
import type { KernelMatch, LookupKernel, NearestPolicy } from './kernel/lookup.js';

/** Environment variable naming a BTF file (raw or ELF) that overrides every other source. */
export const BTF_PATH_ENV = 'BTF_BUNDLE_BTF_PATH';

/** What a lookup that found nothing adds about the `nearest` policy it ran with. */
const NEAREST_HINT: Readonly<Record<string, string>> = {
  false: '; nearest matching is off',
  bracketed:
    "; no two kernels around its release share one BTF, and nearest: 'bracketed' accepts nothing else",
  true: '',
};

/** Options of {@link resolveBtf}. */
export interface ResolveOptions extends DetectOptions {
  /** Explicit BTF file to use (takes precedence over `BTF_BUNDLE_BTF_PATH`). */
  path?: string;
  /** Environment to read `BTF_BUNDLE_BTF_PATH` from. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Use `<hostRoot>/sys/kernel/btf/vmlinux` when the kernel has BTF. Default true. */
  kernelBtf?: boolean;
  /**
   * Accept a release the bundle lacks: `'bracketed'` when the closest older and newer kernels of its
   * distro/version/arch/flavour share one BTF, true also the nearest release otherwise. Default false.
   */
  nearest?: NearestPolicy;
  /** The kernel to look up; detected with {@link detectKernel} when absent. */
  kernel?: LookupKernel;
  /**
   * `'bundle'` uses the bundle only, skipping `path`, `BTF_BUNDLE_BTF_PATH` and the kernel's own BTF (e.g. to run
   * with the bundled BTF on a kernel that has its own). Default `'auto'`: the order described in {@link resolveBtf}.
   */
  source?: 'auto' | 'bundle';
}

/** The BTF chosen for the running kernel and where it came from. */
export interface ResolvedBtf {
  /** `override`: explicit path or env var; `kernel`: the kernel's own BTF; `bundle`: the embedded bundle. */
  source: 'override' | 'kernel' | 'bundle';
  /** Raw BTF bytes (the file's bytes for `override` and `kernel`). */
  bytes: Uint8Array;
  /** The file read, for `override` and `kernel`. */
  path?: string;
  /** For `bundle`: how the kernel matched a bundle entry. */
  match?: KernelMatch;
}

/**
 * Picks the BTF for the running kernel: explicit `path` / `BTF_BUNDLE_BTF_PATH` → the kernel's own
 * `/sys/kernel/btf/vmlinux` (under `hostRoot`) → the bundle (exact, normalized, then nearest if enabled);
 * only the bundle with `source: 'bundle'`.
 * Throws {@link BtfOverrideError} for an unreadable override and {@link BtfNotFoundError} when nothing fits
 * (with the build's failure reason when the kernel was recorded as failed).
 */
export function resolveBtf(bundle: BtfBundle, options: ResolveOptions = {}): ResolvedBtf {
  if (options.source === 'bundle') return bundleBtf(bundle, options);
  const override = options.path ?? (options.env ?? process.env)[BTF_PATH_ENV];
  if (override) {
    try {
      return { source: 'override', bytes: readFileSync(override), path: override };
    } catch (e) {
      throw new BtfOverrideError(`cannot read BTF override ${override}: ${(e as Error).message}`);
    }
  }
  if (options.kernelBtf ?? true) {
    const path = join(options.hostRoot ?? '/', 'sys/kernel/btf/vmlinux');
    try {
      return { source: 'kernel', bytes: readFileSync(path), path };
    } catch {
      // no kernel BTF: use the bundle
    }
  }
  return bundleBtf(bundle, options);
}

/** The bundle's BTF for the kernel of `options` (see {@link resolveBtf}); throws {@link BtfNotFoundError}. */
function bundleBtf(bundle: BtfBundle, options: ResolveOptions): ResolvedBtf {
  const kernel = options.kernel ?? detectKernel(options);
  const found = bundle.find(kernel, { nearest: options.nearest ?? false });
  if (found) return { source: 'bundle', bytes: found.bytes, match: found.match };
  const id = kernelId(kernel);
  const failed = bundle.failed.get(id);
  throw new BtfNotFoundError(
    id,
    failed !== undefined
      ? `the build could not produce one (${failed})`
      : `not in the bundle (${bundle.kernels.length} kernels${NEAREST_HINT[String(options.nearest ?? false)]})`,
  );
}
