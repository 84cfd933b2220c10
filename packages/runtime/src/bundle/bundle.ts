import { ByteReader } from '../format/reader.js';
import { type KernelKey, kernelId, lookupKey } from '../kernel/key.js';
import {
  type KernelIndex,
  type KernelMatch,
  type LookupKernel,
  type LookupOptions,
  matchKernel,
  nearestPolicy,
  type PrefixEntry,
} from '../kernel/lookup.js';
import {
  type BundleBytes,
  bundleView,
  type Container,
  type DecodeLimits,
  payloadLimit,
  readContainer,
} from './container.js';
import { DataSection } from './data-section.js';
import { BundleIndex, type BundleObject } from './index-section.js';

/** Sizes and counts of a bundle. */
export interface BundleStats {
  /** Kernels with a BTF. */
  kernels: number;
  /** Kernels recorded as failed at build time. */
  failed: number;
  /** Distinct BTF blobs stored. */
  blobs: number;
  /** Sum of the distinct blobs' sizes. */
  blobBytes: number;
  /** Sum of the BTF sizes over all kernels (what storing one file per kernel would take). */
  kernelBytes: number;
  /** Size of the encoded bundle. */
  bundleBytes: number;
}

/** A BTF found in the bundle for a kernel. */
export interface BundleBtf {
  /** How the kernel was matched, and to which bundle entry. */
  match: KernelMatch;
  /** Raw BTF bytes (do not modify: shared with the bundle's cache). */
  bytes: Uint8Array;
}

/**
 * A decoded bundle. Only what a lookup touches is decoded on its way: the kernel's group of the index, its blob
 * number, the data section's heads and the blob itself (then cached); the full kernel list, the failed kernels,
 * the objects, the meta and the stats are decoded and validated on first access.
 */
export class BtfBundle {
  private readonly index: BundleIndex;
  private readonly container: Container;
  private readonly bundleBytes: number;
  private readonly prefixes = new Map<string, PrefixEntry[]>();
  private section: DataSection | undefined;
  private readonly blobs = new Map<number, Uint8Array>();
  private sizes: BundleStats | undefined;

  /** What a lookup asks of this bundle. */
  private readonly lookup: KernelIndex;

  /** Use {@link decodeBundle} or {@link openBundle}. */
  constructor(container: Container, index: BundleIndex, bundleBytes: number) {
    this.container = container;
    this.index = index;
    this.bundleBytes = bundleBytes;
    this.lookup = {
      has: (id) => this.index.ordinal(id) !== undefined,
      entries: (prefix) => this.entries(prefix),
    };
  }

  /** Kernel ids with a BTF, in bundle order (distro, version, arch, flavour, release). */
  get kernels(): readonly string[] {
    return this.index.kernels();
  }

  /** Kernel ids recorded as failed at build time → reason. */
  get failed(): ReadonlyMap<string, string> {
    return this.index.tail().failed;
  }

  /** The eBPF objects the BTFs were minimised for (name + SHA-256), for staleness checks. */
  get objects(): readonly BundleObject[] {
    return this.index.tail().objects;
  }

  /** Build metadata (tool name, version and minimizer mode). */
  get meta(): Readonly<Record<string, unknown>> {
    return this.index.tail().meta;
  }

  /** Sizes and counts. */
  get stats(): BundleStats {
    if (this.sizes) return this.sizes;
    const { kernelCount, blobSizes } = this.index;
    let kernelBytes = 0;
    for (let i = 0; i < kernelCount; i++) kernelBytes += blobSizes[this.index.blobOf(i)]!;
    this.sizes = {
      kernels: kernelCount,
      failed: this.failed.size,
      blobs: blobSizes.length,
      blobBytes: blobSizes.reduce((a, b) => a + b, 0),
      kernelBytes,
      bundleBytes: this.bundleBytes,
    };
    return this.sizes;
  }

  /**
   * The BTF of the kernel with exactly this id, or undefined. The first call inflates the data section and reads
   * its heads; each blob is rebuilt on its first request and cached.
   */
  get(id: string): Uint8Array | undefined {
    const i = this.index.ordinal(id);
    return i === undefined ? undefined : this.blob(this.index.blobOf(i));
  }

  private blob(b: number): Uint8Array {
    let blob = this.blobs.get(b);
    if (!blob) {
      blob = this.dataSection().get(b);
      this.blobs.set(b, blob);
    }
    return blob;
  }

  /** The data section, inflated and its heads read on first use. */
  private dataSection(): DataSection {
    this.section ??= new DataSection(
      new ByteReader(this.container.data(), 'bundle data'),
      this.index.blobSizes,
    );
    return this.section;
  }

  /** Why the build recorded this kernel as failed, or undefined. */
  failure(kernel: KernelKey): string | undefined {
    return this.failed.get(kernelId(kernel));
  }

  /**
   * The bundle entry matching `kernel` (exact, normalized, then opt-in bracketed / nearest; see
   * docs/kernel-matching.md). Throws {@link InvalidKernelKeyError} for a kernel that is neither a key nor an id, and
   * {@link BundleUsageError} for a `nearest` other than false, `'bracketed'` or true.
   */
  match(kernel: LookupKernel | string, options?: LookupOptions): KernelMatch | undefined {
    const nearest = nearestPolicy(options?.nearest);
    const key = typeof kernel === 'string' ? undefined : lookupKey(kernel);
    // An id string is checked as lookupKey parses it: checking it again would compile the check to machine code.
    return matchKernel(
      key ?? lookupKey(kernel),
      this.lookup,
      { nearest },
      key ? undefined : (kernel as string),
    );
  }

  /** The kernels of group `prefix` (`distro/version/arch`) with their blob numbers, in bundle order. */
  private entries(prefix: string): readonly PrefixEntry[] {
    let list = this.prefixes.get(prefix);
    if (!list) {
      const group = this.index.group(prefix);
      list = group
        ? group.releases.map((release, k) => ({ release, blob: this.index.blobOf(group.first + k) }))
        : [];
      this.prefixes.set(prefix, list);
    }
    return list;
  }

  /** Validates the whole index and reads the data section's heads (see {@link decodeBundle}). */
  checkAll(): void {
    this.index.checkAll();
    this.dataSection();
  }

  /**
   * Finds and returns the BTF for `kernel` (a key, or its `distro/version/arch/release` id) with how it matched, or
   * undefined when nothing fits.
   */
  find(kernel: LookupKernel | string, options?: LookupOptions): BundleBtf | undefined {
    const match = this.match(kernel, options);
    if (!match) return undefined;
    return { match, bytes: this.get(match.id)! };
  }
}

/**
 * Checks a bundle's container and inflates its index (refusing sections larger than `limits.maxPayloadBytes`
 * before inflating them); the rest is decoded and validated as it is used (see {@link BtfBundle}): what
 * `createBtfBundle` uses, so that a lookup in a fresh process decodes little more than what it returns. Throws
 * {@link BundleForeignError}, {@link BundleVersionError}, {@link BundleTruncatedError} or
 * {@link BundleCorruptError}, now or when a corrupt part is first used; {@link BundleUsageError} (naming the
 * argument as `what`) for bytes that are not {@link BundleBytes} or limits out of range.
 */
export function openBundle(input: BundleBytes, limits?: DecodeLimits, what = 'bundle bytes'): BtfBundle {
  const bytes = bundleView(input, what);
  const container = readContainer(bytes, payloadLimit(limits));
  return new BtfBundle(container, new BundleIndex(container.index), bytes.length);
}

/**
 * Checks and inflates a bundle like {@link openBundle}, then validates its whole index at once (every kernel id,
 * each listed once, every blob number, the failed kernels, objects and meta) and reads the data section's heads;
 * each BTF is still rebuilt on first access. `bytes`: a `Uint8Array` (a `Buffer` is one) or an `ArrayBuffer`.
 * Throws {@link BundleForeignError}, {@link BundleVersionError}, {@link BundleTruncatedError},
 * {@link BundleCorruptError}, or {@link BundleUsageError} for `bytes` of another type or a `maxPayloadBytes` that
 * is not a whole number from 1 to 1 GiB.
 */
export function decodeBundle(bytes: BundleBytes, limits?: DecodeLimits): BtfBundle {
  const bundle = openBundle(bytes, limits, 'decodeBundle: bytes');
  bundle.checkAll();
  return bundle;
}
