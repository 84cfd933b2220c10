/**
 * @btf-bundle/runtime: decode an embedded BTF bundle, identify the running kernel and hand libbpf its BTF.
 * Pieces the other btf-bundle packages share (bundle format, kernel ordering, error helpers) are exported from
 * `@btf-bundle/runtime/internal`, which is not a stable API.
 */

/** The decoded bundle: kernel lookup and BTF rebuilding. */
export { BtfBundle, type BundleBtf, type BundleStats, decodeBundle } from './bundle/bundle.js';
/** Bounds `decodeBundle` applies to untrusted bundles. */
export type { DecodeLimits } from './bundle/container.js';
/** An object file (name and sha256) a bundle's BTFs were minimized for. */
export type { BundleObject } from './bundle/index-section.js';
/** Wraps raw BTF in a minimal ELF file with a `.BTF` section. */
export { wrapBtfInElf } from './elf.js';
/** Every error the runtime throws (one base shared with `@btf-bundle/core`) and one-line formatting. */
export {
  BtfBundleError,
  BtfNotFoundError,
  BtfOverrideError,
  BtfRuntimeError,
  BundleCorruptError,
  BundleForeignError,
  BundleTruncatedError,
  BundleUsageError,
  BundleVersionError,
  type ErrorPlace,
  formatError,
  InvalidKernelKeyError,
  KernelDetectError,
} from './errors.js';
/** An app's whole API over one bundle (`findBtf`, `resolveBtf`, `writeBtfFile`, ...) and its manifest. */
export {
  type BtfBundleApi,
  type BtfBundleDefaults,
  type BundleManifest,
  bundleManifest,
  createBtfBundle,
} from './factory.js';
/** Identifies the running kernel from `uname` and os-release. */
export { type DetectedKernel, type DetectOptions, detectKernel, HOST_ROOT_ENV } from './kernel/detect.js';
/** A kernel's identity and its id `<distro>/<version>/<arch>/<release>`. */
export { type KernelKey, kernelId, parseKernelId } from './kernel/key.js';
/** What a lookup asks for and what it answers. */
export type {
  KernelMatch,
  LookupKernel,
  LookupOptions,
  MatchKind,
  MatchRun,
  NearestPolicy,
  ReleaseDistance,
} from './kernel/lookup.js';
/** The BTF for the running kernel: override path, the kernel's own BTF, or the bundle. */
export { BTF_PATH_ENV, type ResolvedBtf, type ResolveOptions, resolveBtf } from './resolve.js';
/** Writes BTF bytes to a private temp file for libbpf's `btf_custom_path`. */
export { type WriteBtfOptions, writeBtfFile } from './write.js';
