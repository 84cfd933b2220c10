import { type BtfBundle, type BundleBtf, type BundleStats, openBundle } from './bundle/bundle.js';
import { type BundleBytes, payloadLimit } from './bundle/container.js';
import type { BundleObject } from './bundle/index-section.js';
import { BundleUsageError, describeValue } from './errors.js';
import { type DetectedKernel, type DetectOptions, detectKernel } from './kernel/detect.js';
import { type LookupKernel, type LookupOptions, type NearestPolicy, nearestPolicy } from './kernel/lookup.js';
import { optionsOf, withDefaults } from './options.js';
import { type ResolvedBtf, type ResolveOptions, resolveBtf } from './resolve.js';
import { type WriteBtfOptions, writeBtfFile } from './write.js';

/** The synchronously available summary of a bundle (JSON-serialisable; see {@link bundleManifest}). */
export interface BundleManifest {
  /** Kernel ids with a BTF. */
  kernels: readonly string[];
  /** The eBPF objects the bundle was built for. */
  objects: readonly BundleObject[];
  /** Sizes and counts. */
  stats: BundleStats;
}

/** Defaults of a {@link createBtfBundle} instance. */
export interface BtfBundleDefaults {
  /** Default for `nearest` in `resolveBtf`/`findBtf`: false (the default), `'bracketed'` or true; else a usage error. */
  nearest?: NearestPolicy;
  /** Default host root (e.g. `/host` in containers) for `resolveBtf`/`detectKernel`. Default `BTF_BUNDLE_HOST_ROOT`, else `/`. */
  hostRoot?: string;
  /** Precomputed manifest; required when `load` is asynchronous, so `kernels` etc. stay synchronous. */
  manifest?: BundleManifest;
  /** Largest inflated payload to accept (see `decodeBundle`): a whole number from 1 to 1 GiB (the default). */
  maxPayloadBytes?: number;
}

/** What `virtual:btf-bundle` exports: the bundle's API with the bundle bytes bound in. */
export interface BtfBundleApi extends BundleManifest {
  /** Resolves the BTF for the running kernel (see {@link resolveBtf}); defaults come from the factory. */
  resolveBtf(options?: ResolveOptions): Promise<ResolvedBtf>;
  /** Looks a kernel (key or id) up in the bundle (detected when omitted); undefined when nothing fits. */
  findBtf(kernel?: LookupKernel | string, options?: LookupOptions): Promise<BundleBtf | undefined>;
  /** Writes BTF bytes to a private temp file and returns its path (see {@link writeBtfFile}). */
  writeBtfFile(btf: Uint8Array | { bytes: Uint8Array }, options?: WriteBtfOptions): Promise<string>;
  /** Identifies the running kernel (see {@link detectKernel}), with the factory's host root. */
  detectKernel(options?: DetectOptions): DetectedKernel;
  /** The decoded bundle (loaded and cached on first call). */
  bundle(): Promise<BtfBundle>;
}

/** The manifest of a decoded bundle, e.g. for a bundler plugin to inline next to an asset-mode loader. */
export function bundleManifest(bundle: BtfBundle): BundleManifest {
  return { kernels: bundle.kernels, objects: bundle.objects, stats: bundle.stats };
}

/** `value` when it has a manifest's shape (lists of kernels and objects, stats), else a {@link BundleUsageError}. */
function checkManifest(value: unknown): BundleManifest {
  const m = value as Partial<BundleManifest> | null;
  if (
    typeof m !== 'object' ||
    m === null ||
    !Array.isArray(m.kernels) ||
    !Array.isArray(m.objects) ||
    typeof m.stats !== 'object' ||
    m.stats === null
  )
    throw new BundleUsageError(
      `createBtfBundle: defaults.manifest is ${describeValue(value)}, not a manifest { kernels, objects, stats } (see bundleManifest)`,
    );
  return m as BundleManifest;
}

/** How `load`'s result is named in errors. */
const LOADED = 'createBtfBundle: what load() returned';

/**
 * Binds a bundle to the runtime API. `load` returns (or resolves to) the bundle bytes, a `Uint8Array` (a `Buffer`
 * is one) or an `ArrayBuffer`; it is called once, lazily, unless it is
 * synchronous and no `manifest` is given, in which case it is called at once and the bundle opened (container
 * checked, payload inflated, index header read). The rest is decoded as it is used: a lookup decodes its kernel's
 * part of the index and its BTF, and `kernels`, `objects` and `stats` are read on first access; a corrupt part
 * throws its typed bundle error then. Throws {@link BundleUsageError} when `load` is not a function, is
 * asynchronous and no manifest was given, or returns anything else than bundle bytes (when it resolves to such a
 * value, the lookup rejects with it), and when `nearest` or `maxPayloadBytes` is out of range. Here and in the
 * returned functions, options may be left out or null, an option set to undefined keeps its default, and options
 * that are not an object are a {@link BundleUsageError}.
 */
export function createBtfBundle(
  load: () => BundleBytes | Promise<BundleBytes>,
  options?: BtfBundleDefaults,
): BtfBundleApi {
  if (typeof load !== 'function')
    throw new BundleUsageError(`createBtfBundle: load is ${describeValue(load)}, not a function`);
  const defaults = optionsOf(options, 'createBtfBundle: defaults');
  const limits = { maxPayloadBytes: defaults.maxPayloadBytes };
  payloadLimit(limits);
  nearestPolicy(defaults.nearest);
  const hostRoot: unknown = defaults.hostRoot;
  if (hostRoot !== undefined && typeof hostRoot !== 'string')
    throw new BundleUsageError(
      `createBtfBundle: defaults.hostRoot is ${describeValue(hostRoot)}, not a string`,
    );
  let cached: BtfBundle | Promise<BtfBundle> | undefined;
  let manifest = defaults.manifest === undefined ? undefined : checkManifest(defaults.manifest);
  if (!manifest) {
    const bytes = load();
    if (bytes instanceof Promise) {
      bytes.catch(() => {}); // its rejection would otherwise be unhandled: the usage error says what is wrong
      throw new BundleUsageError('createBtfBundle: an asynchronous loader needs defaults.manifest');
    }
    const opened = openBundle(bytes, limits, LOADED);
    cached = opened;
    manifest = opened;
  }
  const summary = manifest;
  const bundle = async (): Promise<BtfBundle> => {
    cached ??= Promise.resolve(load()).then((bytes) => openBundle(bytes, limits, LOADED));
    return cached;
  };
  const lookupDefaults = { nearest: defaults.nearest };
  return {
    get kernels() {
      return summary.kernels;
    },
    get objects() {
      return summary.objects;
    },
    get stats() {
      return summary.stats;
    },
    bundle,
    detectKernel: (options) => detectKernel(withDefaults({ hostRoot }, options, 'detectKernel: options')),
    findBtf: async (kernel, options) =>
      (await bundle()).find(
        kernel ?? detectKernel({ hostRoot }),
        withDefaults(lookupDefaults, options, 'findBtf: options'),
      ),
    resolveBtf: async (options) =>
      resolveBtf(
        await bundle(),
        withDefaults({ hostRoot, ...lookupDefaults }, options, 'resolveBtf: options'),
      ),
    writeBtfFile,
  };
}
