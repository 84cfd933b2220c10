import { BtfRuntimeError, BundleCorruptError, InvalidKernelKeyError } from '../errors.js';
import type { ByteReader } from '../format/reader.js';
import { parseKernelId } from '../kernel/key.js';

/** An eBPF object file the bundle was built for. */
export interface BundleObject {
  /** File name of the object, e.g. `probe.bpf.o`. */
  name: string;
  /** Lower-case hex SHA-256 of the object's bytes. */
  sha256: string;
}

/** The decoded index: everything but the BTF bytes. */
export interface BundleIndex {
  /** Kernel ids that have a BTF, in bundle order. */
  kernels: string[];
  /** For each entry of `kernels`, the index of its distinct blob. */
  blobOf: number[];
  /** Byte size of each distinct blob. */
  blobSizes: number[];
  /** Kernels the build could not produce a BTF for, with the reason. */
  failed: Map<string, string>;
  /** The objects the BTFs were minimised for. */
  objects: BundleObject[];
  /** Build metadata (tool version, snapshot description); never timestamps. */
  meta: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const utf8 = new TextDecoder('utf-8', { fatal: true });

function fail(message: string): never {
  throw new BundleCorruptError(`bundle index: ${message}`);
}

function text(r: ByteReader, what: string): string {
  try {
    return utf8.decode(r.cstring());
  } catch (e) {
    if (e instanceof BtfRuntimeError) throw e;
    return fail(`${what} is not valid UTF-8`);
  }
}

/** Reads `count` front-coded ids (shared prefix length with the previous id, then the rest), checking each. */
function ids(r: ByteReader, count: number, each: (id: string) => void): void {
  let prev = '';
  for (let i = 0; i < count; i++) {
    const id = prev.slice(0, r.count(prev.length, 'kernel id prefix')) + text(r, 'kernel id');
    try {
      parseKernelId(id);
    } catch (e) {
      if (e instanceof InvalidKernelKeyError) fail(e.message);
      throw e;
    }
    each(id);
    prev = id;
  }
}

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** Reads and validates the binary index (layout in docs/bundle-format.md) at the start of the payload. */
export function readIndex(r: ByteReader): BundleIndex {
  const kernels: string[] = [];
  const blobOf: number[] = [];
  const seen = new Set<string>();
  const once = (id: string) => {
    if (seen.has(id)) fail(`kernel ${id} listed twice`);
    seen.add(id);
  };
  ids(r, r.count(r.remaining, 'kernel count'), (id) => {
    once(id);
    kernels.push(id);
    blobOf.push(r.varint());
  });
  const blobCount = r.count(r.remaining, 'blob count');
  const blobSizes: number[] = new Array(blobCount);
  for (let i = 0; i < blobCount; i++) blobSizes[i] = r.varint();
  for (const b of blobOf) if (b >= blobCount) fail(`blob index ${b} out of range`);
  const failed = new Map<string, string>();
  ids(r, r.count(r.remaining, 'failed count'), (id) => {
    once(id);
    failed.set(id, text(r, 'failure reason'));
  });
  const objects: BundleObject[] = [];
  const objectCount = r.count(r.remaining, 'object count');
  for (let i = 0; i < objectCount; i++)
    objects.push({ name: text(r, 'object name'), sha256: hex(r.take(32)) });
  let meta: unknown;
  try {
    meta = JSON.parse(text(r, 'meta'));
  } catch (e) {
    if (e instanceof BtfRuntimeError) throw e;
    fail('meta is not valid JSON');
  }
  if (!isObject(meta)) fail('meta must be an object');
  return { kernels, blobOf, blobSizes, failed, objects, meta };
}
