import { BundleCorruptError, InvalidKernelKeyError } from '../errors.js';
import { parseKernelId } from '../kernel/key.js';

/** An eBPF object file the bundle was built for. */
export interface BundleObject {
  /** File name of the object, e.g. `probe.bpf.o`. */
  name: string;
  /** Lower-case hex SHA-256 of the object's bytes. */
  sha256: string;
}

/** The decoded index section: everything but the BTF bytes. */
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

function fail(message: string): never {
  throw new BundleCorruptError(`bundle index: ${message}`);
}

function stringArray(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string'))
    fail(`${what} must be an array of strings`);
  return v as string[];
}

function uintArray(v: unknown, what: string, limit: number): number[] {
  if (!Array.isArray(v) || !v.every((n) => Number.isInteger(n) && n >= 0 && n < limit)) {
    fail(`${what} must be an array of integers below ${limit}`);
  }
  return v as number[];
}

function pairs(v: unknown, what: string): [string, string][] {
  if (!Array.isArray(v)) fail(`${what} must be an array`);
  return v.map((p) => {
    const [a, b] = stringArray(p, `${what} entry`);
    if (a === undefined || b === undefined || (p as unknown[]).length !== 2)
      fail(`${what} entries must be pairs`);
    return [a, b];
  });
}

function checkId(id: string): void {
  try {
    parseKernelId(id);
  } catch (e) {
    if (e instanceof InvalidKernelKeyError) fail(e.message);
    throw e;
  }
}

/** Parses and validates the index JSON (shape, kernel ids, blob references). */
export function parseIndex(json: Uint8Array): BundleIndex {
  let root: unknown;
  try {
    root = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(json));
  } catch {
    fail('not valid UTF-8 JSON');
  }
  if (!isObject(root)) fail('not a JSON object');
  const blobSizes = uintArray(root.blobSizes, 'blobSizes', 2 ** 32);
  const kernels = stringArray(root.kernels, 'kernels');
  const blobOf = uintArray(root.blobOf, 'blobOf', blobSizes.length);
  if (blobOf.length !== kernels.length) fail('blobOf and kernels differ in length');
  const failed = new Map(pairs(root.failed, 'failed'));
  const seen = new Set<string>();
  for (const id of [...kernels, ...failed.keys()]) {
    checkId(id);
    if (seen.has(id)) fail(`kernel ${id} listed twice`);
    seen.add(id);
  }
  const objects = pairs(root.objects, 'objects').map(([name, sha256]) => ({ name, sha256 }));
  if (!isObject(root.meta)) fail('meta must be an object');
  return { kernels, blobOf, blobSizes, failed, objects, meta: root.meta };
}
