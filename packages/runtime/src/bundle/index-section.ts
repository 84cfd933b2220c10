import { BtfRuntimeError, BundleCorruptError } from '../errors.js';
import type { ByteReader } from '../format/reader.js';

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

/** Throws a corruption error naming the payload offset `at` (where the faulty field starts). */
function fail(message: string, at: number): never {
  throw new BundleCorruptError(`bundle index: ${message} (payload offset ${at})`);
}

function text(r: ByteReader, what: string): string {
  const at = r.pos;
  try {
    return utf8.decode(r.cstring());
  } catch (e) {
    if (e instanceof BtfRuntimeError) throw e;
    return fail(`${what} is not valid UTF-8`, at);
  }
}

/** One id part: a safe path component (see `checkKeyPart`), not `.` or `..`. */
const PART = String.raw`(?!\.\.?[/\n])[A-Za-z0-9._+~-]{1,128}`;
/** Newline-terminated `distro/version/arch/release` ids, checked in one native regex pass. */
const ID_LIST = new RegExp(`^(?:${PART}/${PART}/${PART}/${PART}\n)*$`);

/**
 * Reads `count` front-coded kernel ids: each id's shared prefix length with the previous id (varints), then the
 * rest of every id as one newline-separated text. The rebuilt ids are validated all at once.
 */
function ids(r: ByteReader, count: number): string[] {
  const prefixes: number[] = new Array(count);
  for (let i = 0; i < count; i++) prefixes[i] = r.varint();
  const at = r.pos;
  const rests = text(r, 'kernel ids');
  if (count === 0) {
    if (rests !== '') fail('kernel ids: text given for none', at);
    return [];
  }
  const list = rests.split('\n');
  if (list.length !== count) fail(`kernel ids: ${list.length} ids, ${count} declared`, at);
  let prev = '';
  for (let i = 0; i < count; i++) {
    if (prefixes[i]! > prev.length)
      fail(`kernel id ${i}: prefix ${prefixes[i]} longer than the previous id`, at);
    prev = prev.slice(0, prefixes[i]) + list[i];
    list[i] = prev;
  }
  if (!ID_LIST.test(`${list.join('\n')}\n`)) fail('kernel ids: not distro/version/arch/release lines', at);
  return list;
}

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

/** Reads and validates the binary index (layout in docs/bundle-format.md) at the start of the payload. */
export function readIndex(r: ByteReader): BundleIndex {
  const start = r.pos;
  const seen = new Set<string>();
  const once = (id: string) => {
    if (seen.has(id)) fail(`kernel ${id} listed twice`, start);
    seen.add(id);
  };
  const kernels = ids(r, r.count(r.remaining, 'kernel count'));
  kernels.forEach(once);
  const blobOf: number[] = new Array(kernels.length);
  for (let i = 0; i < kernels.length; i++) blobOf[i] = r.varint();
  const blobCount = r.count(r.remaining, 'blob count');
  const blobSizes: number[] = new Array(blobCount);
  for (let i = 0; i < blobCount; i++) blobSizes[i] = r.varint();
  for (const b of blobOf) if (b >= blobCount) fail(`blob index ${b} out of range`, start);
  const failedIds = ids(r, r.count(r.remaining, 'failed count'));
  failedIds.forEach(once);
  const failed = new Map<string, string>();
  for (const id of failedIds) failed.set(id, text(r, 'failure reason'));
  const objects: BundleObject[] = [];
  const objectCount = r.count(r.remaining, 'object count');
  for (let i = 0; i < objectCount; i++)
    objects.push({ name: text(r, 'object name'), sha256: hex(r.take(32)) });
  let meta: unknown;
  const metaAt = r.pos;
  try {
    meta = JSON.parse(text(r, 'meta'));
  } catch (e) {
    if (e instanceof BtfRuntimeError) throw e;
    fail('meta is not valid JSON', metaAt);
  }
  if (!isObject(meta)) fail('meta must be an object', metaAt);
  return { kernels, blobOf, blobSizes, failed, objects, meta };
}
