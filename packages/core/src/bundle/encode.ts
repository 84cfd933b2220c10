import { brotliCompressSync, constants } from 'node:zlib';
import { type BundleManifest, InvalidKernelKeyError, type KernelKey, kernelId } from '@btf-bundle/runtime';
import {
  BUNDLE_FORMAT_VERSION,
  BUNDLE_HEADER_SIZE,
  BUNDLE_MAGIC,
  ByteWriter,
  blobIndexWidth,
  compareKernelKeys,
  crc32,
} from '@btf-bundle/runtime/internal';
import { UsageError } from '../errors.js';
import { sha256Hex } from '../util/sha256.js';
import { canonicalJson } from './canonical-json.js';
import { encodeDataSection } from './data-section.js';

// A change to the bytes this writes for the same inputs bumps ENCODER_REVISION (version/version.ts): remembered
// builds are keyed on it.

/** One kernel's minimised BTF (raw bytes; anything else is stored verbatim). */
export interface BundleKernelInput {
  /** The kernel identity. */
  key: KernelKey;
  /** The BTF bytes to embed. */
  blob: Uint8Array;
  /** Hex sha256 of `blob`, when the caller has it already (it is hashed otherwise). */
  sha256?: string;
}

/** A kernel for which no BTF could be produced, recorded so the runtime can explain why. */
export interface BundleFailedInput {
  /** The kernel identity. */
  key: KernelKey;
  /** Human-readable reason, e.g. the minimiser's error message. */
  reason: string;
}

/** Everything a bundle is built from. */
export interface BundleInput {
  /** Kernels with their BTF; identical BTFs are stored once. */
  kernels: readonly BundleKernelInput[];
  /** Kernels recorded as failed. */
  failed?: readonly BundleFailedInput[];
  /** The eBPF objects the BTFs were minimised for (`sha256`: 64 lower-case hex digits). */
  objects: readonly { name: string; sha256: string }[];
  /** Build metadata (JSON-compatible; no timestamps, so output stays deterministic). */
  meta: Record<string, unknown>;
}

/** An encoded bundle with its manifest (what decoding it would tell), so callers need not decode it again. */
export interface EncodedBundle {
  /** The bundle bytes. */
  bytes: Uint8Array;
  /** Kernel ids with a BTF (bundle order), the objects (sorted) and the sizes: as `bundleManifest` of the decoded bytes. */
  manifest: BundleManifest;
}

const byName = <T extends { name: string; sha256: string }>(a: T, b: T) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : 0;

/**
 * Encodes a bundle (format in docs/bundle-format.md) and returns it with its manifest. Deterministic: the same set
 * of inputs gives the same bytes whatever their order. Throws on invalid or duplicate kernel keys.
 */
export function encodeBundle(input: BundleInput): EncodedBundle {
  const kernels = [...input.kernels].sort((a, b) => compareKernelKeys(a.key, b.key));
  const failed = [...(input.failed ?? [])].sort((a, b) => compareKernelKeys(a.key, b.key));
  checkUniqueKernels([...kernels, ...failed]);
  const { blobs, blobOf } = distinctBlobs(kernels);
  const objects = [...input.objects].sort(byName);
  const index = new IndexWriter();
  index.kernels(
    kernels.map((k) => kernelId(k.key)),
    blobs.length,
  );
  for (const b of blobOf) index.blobIndex(b, blobs.length);
  for (const b of blobs) index.out.varint(b.length);
  const tail = new IndexWriter();
  tail.out.varint(failed.length);
  if (failed.length > 0) tail.text(failed.map((f) => kernelId(f.key)).join('\n'));
  for (const f of failed) tail.text(f.reason);
  tail.objects(objects);
  tail.text(canonicalJson(input.meta));
  index.out.bytes(tail.out.finish());
  const bytes = container(index.out.finish(), encodeDataSection(blobs));
  const stats = {
    kernels: kernels.length,
    failed: failed.length,
    blobs: blobs.length,
    blobBytes: blobs.reduce((sum, b) => sum + b.length, 0),
    kernelBytes: kernels.reduce((sum, k) => sum + k.blob.length, 0),
    bundleBytes: bytes.length,
  };
  const manifestObjects = objects.map(({ name, sha256 }) => ({ name, sha256 }));
  return {
    bytes,
    manifest: { kernels: kernels.map((k) => kernelId(k.key)), objects: manifestObjects, stats },
  };
}

/** Throws InvalidKernelKeyError for an invalid key or a kernel given twice (with a BTF or as failed). */
function checkUniqueKernels(list: readonly { key: KernelKey }[]): void {
  const seen = new Set<string>();
  for (const { key } of list) {
    const id = kernelId(key);
    if (seen.has(id)) throw new InvalidKernelKeyError(`encodeBundle: kernel ${id} given more than once`);
    seen.add(id);
  }
}

/**
 * The distinct blobs, ordered by their first kernel in bundle order (similar BTFs end up adjacent), and each
 * kernel's blob slot.
 */
function distinctBlobs(kernels: readonly BundleKernelInput[]): { blobs: Uint8Array[]; blobOf: number[] } {
  const slotOf = new Map<string, number>();
  const blobs: Uint8Array[] = [];
  const blobOf = kernels.map(({ blob, sha256 }) => {
    const h = sha256 ?? sha256Hex(blob);
    let slot = slotOf.get(h);
    if (slot === undefined) {
      slot = blobs.length;
      slotOf.set(h, slot);
      blobs.push(blob);
    }
    return slot;
  });
  return { blobs, blobOf };
}

/** The writer of the bundle index: texts (NUL-terminated), grouped front-coded kernel ids, blob numbers, objects. */
class IndexWriter {
  /** The bytes written so far. */
  readonly out = new ByteWriter();

  /** A NUL-terminated UTF-8 text; a NUL inside is a UsageError. */
  text(t: string): void {
    if (t.includes('\0'))
      throw new UsageError(`encodeBundle: text contains a NUL byte: ${JSON.stringify(t)}`);
    this.out.bytes(utf8.encode(t));
    this.out.byte(0);
  }

  /**
   * The counts, then the kernel ids (in bundle order) by `distro/version/arch` group: a table of the groups
   * (prefix, kernel count, byte length of its releases), then each group's releases front-coded (shared prefix
   * lengths, then the rests as one newline-separated text).
   */
  kernels(ids: readonly string[], blobCount: number): void {
    const groups = new Map<string, string[]>();
    for (const id of ids) {
      const cut = id.lastIndexOf('/');
      const prefix = id.slice(0, cut);
      const releases = groups.get(prefix);
      if (releases) releases.push(id.slice(cut + 1));
      else groups.set(prefix, [id.slice(cut + 1)]);
    }
    this.out.varint(ids.length);
    this.out.varint(blobCount);
    this.out.varint(groups.size);
    const bodies = [...groups.values()].map(frontCoded);
    [...groups].forEach(([prefix, releases], g) => {
      this.text(prefix);
      this.out.varint(releases.length);
      this.out.varint(bodies[g]!.length);
    });
    for (const body of bodies) this.out.bytes(body);
  }

  /** One kernel's blob number, little-endian in the width `blobIndexWidth` gives for `blobCount` blobs. */
  blobIndex(b: number, blobCount: number): void {
    const width = blobIndexWidth(blobCount);
    for (let i = 0; i < width; i++) this.out.byte((b >>> (8 * i)) & 0xff);
  }

  /** The objects (sorted): name and sha256 (checked: 64 lower-case hex digits) each. */
  objects(objects: readonly { name: string; sha256: string }[]): void {
    this.out.varint(objects.length);
    for (const o of objects) {
      if (!/^[0-9a-f]{64}$/.test(o.sha256))
        throw new UsageError(`encodeBundle: object ${o.name}: sha256 must be 64 lower-case hex digits`);
      this.text(o.name);
      this.out.bytes(Buffer.from(o.sha256, 'hex'));
    }
  }
}

const utf8 = new TextEncoder();

/** `releases` front-coded: the length each shares with the previous one (varints), then the rests as one text. */
function frontCoded(releases: readonly string[]): Uint8Array {
  const w = new IndexWriter();
  let prev = '';
  const rests = releases.map((release) => {
    let p = 0;
    while (p < release.length && release[p] === prev[p]) p++;
    w.out.varint(p);
    prev = release;
    return release.slice(p);
  });
  w.text(rests.join('\n'));
  return w.out.finish();
}

/**
 * Brotli's window (log2 bytes): 64 KiB, whatever the section's size. Similar blobs are adjacent and each column's
 * values lie together, so matches are near: a window over the whole section gained nothing (400 kernels, 158 KB of
 * data: 8,719 B with a 256 KiB window, 8,679 B with 64 KiB; 1,000 entries, 73 KB: 7,989 B against 8,008 B). The
 * decoder's ring buffer is one window long, and one of 64 KiB stays under glibc's threshold for serving allocations
 * with fresh mmap'ed pages (128 KiB): a first lookup then inflates into memory the process has touched already,
 * not into new pages that each cost a page fault (28 against 28–54 faults for the 1,000-entry bundle's lookup).
 */
const WINDOW_BITS = 16;

function compress(section: Uint8Array): Uint8Array {
  return brotliCompressSync(section, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: WINDOW_BITS,
      [constants.BROTLI_PARAM_SIZE_HINT]: section.length,
    },
  });
}

/** The container: header, then the index and the data section, each one brotli stream. */
function container(index: Uint8Array, data: Uint8Array): Uint8Array {
  const zIndex = compress(index);
  const zData = compress(data);
  const out = new Uint8Array(BUNDLE_HEADER_SIZE + zIndex.length + zData.length);
  const view = new DataView(out.buffer);
  out.set(BUNDLE_MAGIC, 0);
  view.setUint16(4, BUNDLE_FORMAT_VERSION, true);
  view.setUint32(12, index.length, true);
  view.setUint32(16, zIndex.length, true);
  view.setUint32(20, data.length, true);
  view.setUint32(24, zData.length, true);
  out.set(zIndex, BUNDLE_HEADER_SIZE);
  out.set(zData, BUNDLE_HEADER_SIZE + zIndex.length);
  view.setUint32(8, crc32(out.subarray(12)), true);
  return out;
}
