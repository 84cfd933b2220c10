import { MAX_BTF_FILE_BYTES, readBtfFile } from './btf-file.js';
import type { BtfBundle } from './bundle/bundle.js';
import { BtfNotFoundError, BtfOverrideError } from './errors.js';
import { resolveInRoot } from './host-file.js';
import { type DetectOptions, detectKernel, hostRootOf } from './kernel/detect.js';
import { kernelId } from './kernel/key.js';
import { type KernelMatch, type LookupKernel, type NearestPolicy, nearestPolicy } from './kernel/lookup.js';
import { optionsOf } from './options.js';

/** Environment variable naming a BTF file (raw BTF, or an ELF with a `.BTF` section) that overrides every other source. */
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
  /** Explicit BTF file to use (takes precedence over `BTF_BUNDLE_BTF_PATH`): raw BTF or an ELF with `.BTF`. */
  path?: string;
  /** Largest BTF read from the override or the kernel's own file, in bytes. Default 64 MiB. */
  maxBtfBytes?: number;
  /** Use `<hostRoot>/sys/kernel/btf/vmlinux` when the kernel has BTF. Default true. */
  kernelBtf?: boolean;
  /**
   * Accept a release the bundle lacks: `'bracketed'` when the closest older and newer kernels of its
   * distro/version/arch/flavour share one BTF, true also the nearest release otherwise. Default false; any other
   * value is a `BundleUsageError`.
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
  /** Raw BTF bytes (for an ELF override, its `.BTF` section). */
  bytes: Uint8Array;
  /** The file read, for `override` and `kernel`. */
  path?: string;
  /** For `bundle`: how the kernel matched a bundle entry. */
  match?: KernelMatch;
}

/**
 * Picks the BTF for the running kernel: explicit `path` / `BTF_BUNDLE_BTF_PATH` → the kernel's own
 * `/sys/kernel/btf/vmlinux` (under the host root: `hostRoot` or `BTF_BUNDLE_HOST_ROOT`) → the bundle (exact,
 * normalized, then nearest if enabled). Files are read bounded (`maxBtfBytes`) and only when they are regular
 * files holding BTF. Throws {@link BtfOverrideError} for an override that cannot be read or is not BTF (raw, or
 * an ELF with `.BTF`), and {@link BtfNotFoundError} when nothing fits (with the build's failure reason when the
 * kernel was recorded as failed), and {@link BundleUsageError} for a `nearest` other than false, `'bracketed'` or
 * true, whichever source answers. Only the bundle with `source: 'bundle'`.
 */
export function resolveBtf(bundle: BtfBundle, value?: ResolveOptions): ResolvedBtf {
  const options = optionsOf(value, 'resolveBtf: options');
  nearestPolicy(options.nearest);
  if (options.source === 'bundle') return bundleBtf(bundle, options);
  const maxBytes = options.maxBtfBytes ?? MAX_BTF_FILE_BYTES;
  const override = options.path || (options.env ?? process.env)[BTF_PATH_ENV];
  if (override) {
    try {
      return { source: 'override', bytes: readBtfFile(override, maxBytes), path: override };
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new BtfOverrideError(
        `BTF override ${override}: ${err.code ? `cannot read it (${err.code})` : err.message}`,
      );
    }
  }
  if (options.kernelBtf ?? true) {
    try {
      const path = resolveInRoot(hostRootOf(options), 'sys/kernel/btf/vmlinux');
      return { source: 'kernel', bytes: readBtfFile(path, maxBytes), path };
    } catch {
      // no usable kernel BTF: use the bundle
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
