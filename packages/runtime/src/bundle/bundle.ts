import { ByteReader } from '../format/reader.js';
import { type KernelKey, kernelId } from '../kernel/key.js';
import {
  entriesByPrefix,
  type KernelMatch,
  type LookupKernel,
  type LookupOptions,
  matchKernel,
  type PrefixEntry,
} from '../kernel/lookup.js';
import { type DecodeLimits, readContainer } from './container.js';
import { DataSection } from './data-section.js';
import { type BundleIndex, type BundleObject, readIndex } from './index-section.js';

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

/** A decoded bundle: the index is read eagerly, the BTF data decoded on first access and then cached. */
export class BtfBundle {
  /** Kernel ids with a BTF, in bundle order (distro, version, arch, flavour, release). */
  readonly kernels: readonly string[];
  /** Kernel ids recorded as failed at build time → reason. */
  readonly failed: ReadonlyMap<string, string>;
  /** The eBPF objects the BTFs were minimised for (name + SHA-256), for staleness checks. */
  readonly objects: readonly BundleObject[];
  /** Build metadata (tool version, snapshot description). */
  readonly meta: Readonly<Record<string, unknown>>;
  /** Sizes and counts. */
  readonly stats: BundleStats;
  private readonly index: BundleIndex;
  private readonly data: ByteReader;
  private readonly slot = new Map<string, number>();
  private prefixes: Map<string, PrefixEntry[]> | undefined;
  private section: DataSection | undefined;
  private readonly blobs = new Map<number, Uint8Array>();

  /** Use {@link decodeBundle}. */
  constructor(index: BundleIndex, data: ByteReader, bundleBytes: number) {
    this.index = index;
    this.data = data;
    this.kernels = index.kernels;
    this.failed = index.failed;
    this.objects = index.objects;
    this.meta = index.meta;
    index.kernels.forEach((id, i) => {
      this.slot.set(id, i);
    });
    this.stats = {
      kernels: index.kernels.length,
      failed: index.failed.size,
      blobs: index.blobSizes.length,
      blobBytes: index.blobSizes.reduce((a, b) => a + b, 0),
      kernelBytes: index.blobOf.reduce((a, b) => a + index.blobSizes[b]!, 0),
      bundleBytes,
    };
  }

  /**
   * The BTF of the kernel with exactly this id, or undefined. The first call reads the data section's string
   * table and blob heads; each blob is rebuilt on its first request (with the few it is coded against) and cached.
   */
  get(id: string): Uint8Array | undefined {
    const i = this.slot.get(id);
    if (i === undefined) return undefined;
    const b = this.index.blobOf[i]!;
    let blob = this.blobs.get(b);
    if (!blob) {
      this.section ??= new DataSection(
        new ByteReader(this.data.bytes, 'bundle data', this.data.pos),
        this.index.blobSizes,
      );
      blob = this.section.get(b);
      this.blobs.set(b, blob);
    }
    return blob;
  }

  /** Why the build recorded this kernel as failed, or undefined. */
  failure(kernel: KernelKey): string | undefined {
    return this.failed.get(kernelId(kernel));
  }

  /**
   * The bundle entry matching `kernel` (exact, normalized, then opt-in bracketed / nearest; see
   * docs/kernel-matching.md).
   */
  match(kernel: LookupKernel, options: LookupOptions = {}): KernelMatch | undefined {
    const index = {
      has: (id: string) => this.slot.has(id),
      entries: (prefix: string) => {
        this.prefixes ??= entriesByPrefix(this.kernels, this.index.blobOf);
        return this.prefixes.get(prefix) ?? [];
      },
    };
    return matchKernel(kernel, index, options);
  }

  /** Finds and returns the BTF for `kernel` with how it matched, or undefined when nothing fits. */
  find(kernel: LookupKernel, options: LookupOptions = {}): BundleBtf | undefined {
    const match = this.match(kernel, options);
    if (!match) return undefined;
    return { match, bytes: this.get(match.id)! };
  }
}

/**
 * Checks and inflates a bundle (refusing a payload larger than `limits.maxPayloadBytes` before inflating it),
 * reads its index and prepares lazy decoding of its BTFs. Throws {@link BundleForeignError},
 * {@link BundleVersionError}, {@link BundleTruncatedError} or {@link BundleCorruptError}.
 */
export function decodeBundle(bytes: Uint8Array, limits: DecodeLimits = {}): BtfBundle {
  const r = new ByteReader(readContainer(bytes, limits), 'bundle payload');
  const index = readIndex(r);
  return new BtfBundle(index, r, bytes.length);
}
