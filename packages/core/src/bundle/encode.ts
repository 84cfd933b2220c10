import { createHash } from 'node:crypto';
import { InvalidKernelKeyError, type KernelKey, kernelId } from '@btf-bundle/runtime';
import {
  BUNDLE_FORMAT_VERSION,
  BUNDLE_HEADER_SIZE,
  BUNDLE_MAGIC,
  compareKernelKeys,
  crc32,
} from '@btf-bundle/runtime/format';
import { deflateSync } from 'fflate';
import { canonicalJson } from './canonical-json.js';
import { encodeDataSection } from './data-section.js';

/** One kernel's minimised BTF (raw bytes; anything else is stored verbatim). */
export interface BundleKernelInput {
  /** The kernel identity. */
  key: KernelKey;
  /** The BTF bytes to embed. */
  blob: Uint8Array;
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
  /** The eBPF objects the BTFs were minimised for. */
  objects: readonly { name: string; sha256: string }[];
  /** Build metadata (JSON-compatible; no timestamps, so output stays deterministic). */
  meta: Record<string, unknown>;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const byName = <T extends { name: string; sha256: string }>(a: T, b: T) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : 0;

/**
 * Encodes a bundle (format in docs/bundle-format.md). Deterministic: the same set of inputs gives the same bytes
 * whatever their order. Throws on invalid or duplicate kernel keys.
 */
export function encodeBundle(input: BundleInput): Uint8Array {
  const kernels = [...input.kernels].sort((a, b) => compareKernelKeys(a.key, b.key));
  const failed = [...(input.failed ?? [])].sort((a, b) => compareKernelKeys(a.key, b.key));
  const seen = new Set<string>();
  for (const { key } of [...kernels, ...failed]) {
    const id = kernelId(key);
    if (seen.has(id)) throw new InvalidKernelKeyError(`encodeBundle: kernel ${id} given more than once`);
    seen.add(id);
  }
  // Distinct blobs, ordered by their first kernel in bundle order: similar BTFs end up adjacent.
  const slotOf = new Map<string, number>();
  const blobs: Uint8Array[] = [];
  const blobOf = kernels.map(({ blob }) => {
    const h = sha256(blob);
    let slot = slotOf.get(h);
    if (slot === undefined) {
      slot = blobs.length;
      slotOf.set(h, slot);
      blobs.push(blob);
    }
    return slot;
  });
  const index = new TextEncoder().encode(
    canonicalJson({
      kernels: kernels.map((k) => kernelId(k.key)),
      blobOf,
      blobSizes: blobs.map((b) => b.length),
      failed: failed.map((f) => [kernelId(f.key), f.reason]),
      objects: [...input.objects].sort(byName).map((o) => [o.name, o.sha256]),
      meta: input.meta,
    }),
  );
  const data = encodeDataSection(blobs);
  return container(index, data);
}

function container(index: Uint8Array, data: Uint8Array): Uint8Array {
  const indexZ = deflateSync(index, { level: 9 });
  const dataZ = deflateSync(data, { level: 9 });
  const out = new Uint8Array(BUNDLE_HEADER_SIZE + indexZ.length + dataZ.length);
  const view = new DataView(out.buffer);
  out.set(BUNDLE_MAGIC, 0);
  view.setUint16(4, BUNDLE_FORMAT_VERSION, true);
  view.setUint32(12, index.length, true);
  view.setUint32(16, indexZ.length, true);
  view.setUint32(20, data.length, true);
  view.setUint32(24, dataZ.length, true);
  out.set(indexZ, BUNDLE_HEADER_SIZE);
  out.set(dataZ, BUNDLE_HEADER_SIZE + indexZ.length);
  view.setUint32(8, crc32(out.subarray(12)), true);
  return out;
}
