import { brotliCompressSync, constants } from 'node:zlib';
import { type BundleManifest, InvalidKernelKeyError, type KernelKey, kernelId } from '@btf-bundle/runtime';
import {
  BUNDLE_FORMAT_VERSION,
  BUNDLE_HEADER_SIZE,
  BUNDLE_MAGIC,
  ByteWriter,
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
  index.ids(kernels);
  for (const b of blobOf) index.out.varint(b);
  index.out.varint(blobs.length);
  for (const b of blobs) index.out.varint(b.length);
  index.ids(failed);
  for (const f of failed) index.text(f.reason);
  index.objects(objects);
  index.text(canonicalJson(input.meta));
  index.out.bytes(encodeDataSection(blobs));
  const bytes = container(index.out.finish());
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

/** The writer of the bundle index: texts (NUL-terminated), front-coded kernel ids, objects. */
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

  /** Front-coded ids: the shared prefix lengths, then the rests as one newline-separated text. */
  ids(list: readonly { key: KernelKey }[]): void {
    this.out.varint(list.length);
    let prev = '';
    const rests = list.map(({ key }) => {
      const id = kernelId(key);
      let p = 0;
      while (p < id.length && id[p] === prev[p]) p++;
      this.out.varint(p);
      prev = id;
      return id.slice(p);
    });
    this.text(rests.join('\n'));
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

/** Brotli's window (log2 bytes): the whole payload, so the last blob can refer to the first one. */
function windowBits(size: number): number {
  return Math.min(30, Math.max(16, Math.ceil(Math.log2(size + 16))));
}

function container(payload: Uint8Array): Uint8Array {
  const lgwin = windowBits(payload.length);
  const z = brotliCompressSync(payload, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_LGWIN]: lgwin,
      // Windows above 16 MiB need brotli's large-window variant (the decoder always allows it).
      [constants.BROTLI_PARAM_LARGE_WINDOW]: lgwin > 24 ? 1 : 0,
      [constants.BROTLI_PARAM_SIZE_HINT]: payload.length,
    },
  });
  const out = new Uint8Array(BUNDLE_HEADER_SIZE + z.length);
  const view = new DataView(out.buffer);
  out.set(BUNDLE_MAGIC, 0);
  view.setUint16(4, BUNDLE_FORMAT_VERSION, true);
  view.setUint32(12, payload.length, true);
  view.setUint32(16, z.length, true);
  out.set(z, BUNDLE_HEADER_SIZE);
  view.setUint32(8, crc32(out.subarray(12)), true);
  return out;
}
