export { BtfBundle, type BundleBtf, type BundleStats, decodeBundle } from './bundle/bundle.js';
export type { DecodeLimits } from './bundle/container.js';
export type { BundleObject } from './bundle/index-section.js';
export { wrapBtfInElf } from './elf.js';
export * from './errors.js';
export {
  type BtfBundleApi,
  type BtfBundleDefaults,
  type BundleManifest,
  bundleManifest,
  createBtfBundle,
} from './factory.js';
export { archOfBpfTarget, normalizeArch } from './kernel/arch.js';
export { type DetectedKernel, type DetectOptions, detectKernel, HOST_ROOT_ENV } from './kernel/detect.js';
export {
  checkKernelKey,
  type KernelKey,
  kernelId,
  kernelIdIfValid,
  parseKernelId,
  parseKernelIdIfValid,
} from './kernel/key.js';
export type {
  KernelMatch,
  LookupKernel,
  LookupOptions,
  MatchKind,
  MatchRun,
  NearestPolicy,
  ReleaseDistance,
} from './kernel/lookup.js';
export { compareKernelKeys, releaseSeries, sortByKernelKey } from './kernel/order.js';
export { parseOsRelease } from './kernel/os-release.js';
export { type ReleaseParts, splitRelease } from './kernel/release.js';
export { type KernelBlob, type KernelRun, kernelRuns } from './kernel/runs.js';
export { BTF_PATH_ENV, type ResolvedBtf, type ResolveOptions, resolveBtf } from './resolve.js';
export { type WriteBtfOptions, writeBtfFile } from './write.js';
