/**
 * Internals of `@btf-bundle/runtime` shared with `@btf-bundle/core`, `unplugin-btf-bundle`, the tests and the
 * benchmarks, exported as `@btf-bundle/runtime/internal`: the bundle and BTF wire formats, kernel-id checks and
 * ordering, arch names and error helpers. Not a stable API; apps use the main entry.
 */

/** The bundle's decoders of the index and the data section, which name what is wrong. */
export { DataSection } from './bundle/data-section.js';
export { BundleIndex } from './bundle/index-section.js';
/** Error base options, bounds, the message layout and helpers for system errors and arguments of a wrong type. */
export {
  type BtfBundleErrorOptions,
  boundText,
  describeValue,
  escapeControls,
  MAX_ERROR_DETAIL,
  MAX_ERROR_LINE,
  placedMessage,
  systemErrorDetail,
} from './errors.js';
/** The bundle container and BTF wire layouts, and the byte codecs both sides of the bundle use. */
export * from './format/index.js';
/** BTFHub's arch names from Node, `uname -m`, Debian and bpf2go spellings. */
export { archOfBpfTarget, KNOWN_ARCHES, normalizeArch } from './kernel/arch.js';
/** Kernel-id validation, and ids of keys that may not be valid. */
export { checkKernelKey, kernelIdIfValid, parseKernelIdIfValid } from './kernel/key.js';
/** Release series of a kernel (kernels ordered by `compareKernelKeys` within it), and a sort parsing each key once. */
export { releaseSeries, sortByKernelKey } from './kernel/order.js';
/** os-release parsing. */
export { parseOsRelease } from './kernel/os-release.js';
/** A release's numbers and flavour. */
export { type ReleaseParts, splitRelease } from './kernel/release.js';
/** Runs of consecutive kernels of a series that share one BTF. */
export { type KernelBlob, type KernelRun, kernelRuns } from './kernel/runs.js';
