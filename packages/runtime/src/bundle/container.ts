import { brotliDecompressSync, constants } from 'node:zlib';

import {
  BundleCorruptError,
  BundleForeignError,
  BundleTruncatedError,
  BundleUsageError,
  BundleVersionError,
  describeValue,
} from '../errors.js';
import {
  BUNDLE_FORMAT_VERSION,
  BUNDLE_HEADER_SIZE,
  BUNDLE_MAGIC,
  MAX_SECTION_SIZE,
} from '../format/constants.js';
import { crc32 } from '../format/crc32.js';

/** Options of `decodeBundle` and `openBundle` (see {@link payloadLimit}). */
export interface DecodeLimits {
  /**
   * Largest payload (index + data, inflated) to accept, in bytes: a whole number from 1 to 1 GiB (the default);
   * anything else is a {@link BundleUsageError}.
   */
  maxPayloadBytes?: number;
}

/** The bundle bytes the runtime accepts: a `Uint8Array` (a `Buffer` is one) or an `ArrayBuffer`. */
export type BundleBytes = Uint8Array | ArrayBuffer;

/**
 * A plain `Uint8Array` view of `input` (a `Buffer`'s own subarray runs JavaScript of its own, compiled on first
 * use); throws {@link BundleUsageError}, naming the argument as `what`, for anything but {@link BundleBytes}.
 */
export function bundleView(input: unknown, what: string): Uint8Array {
  if (input instanceof Uint8Array) return new Uint8Array(input.buffer, input.byteOffset, input.length);
  if (input instanceof ArrayBuffer) return new Uint8Array(input);
  throw new BundleUsageError(`${what} is ${describeValue(input)}, not a Uint8Array or an ArrayBuffer`);
}

/**
 * The payload limit of `limits` (1 GiB when not given); throws {@link BundleUsageError} unless `maxPayloadBytes` is
 * a whole number from 1 to 1 GiB.
 */
export function payloadLimit(limits: DecodeLimits | undefined): number {
  const max = limits?.maxPayloadBytes;
  if (max === undefined) return MAX_SECTION_SIZE;
  if (Number.isInteger(max) && max > 0 && max <= MAX_SECTION_SIZE) return max;
  throw new BundleUsageError(
    `maxPayloadBytes is ${typeof max === 'number' ? max : describeValue(max)}, not a whole number of bytes ` +
      `from 1 to ${MAX_SECTION_SIZE} (1 GiB)`,
  );
}

/** A checked container: the inflated index, and the data section inflated on demand. */
export interface Container {
  /** The inflated index section. */
  index: Uint8Array;
  /** Inflates the data section (each call inflates it again: the caller keeps it). */
  data(): Uint8Array;
}

const { BROTLI_DECODER_PARAM_LARGE_WINDOW } = constants;

/**
 * Validates the container header (magic, version, flags, sizes, CRC-32) and inflates the index section; the data
 * section is inflated when {@link Container.data} is called. Each section inflates to exactly its declared size,
 * both sizes checked against `limit` (see {@link payloadLimit}) before anything is inflated; `bytes` is a plain
 * view (see {@link bundleView}). Throws {@link BundleForeignError},
 * {@link BundleVersionError}, {@link BundleTruncatedError} or {@link BundleCorruptError}.
 */
export function readContainer(bytes: Uint8Array, limit: number): Container {
  const [b0, b1, b2, b3] = BUNDLE_MAGIC;
  if (
    bytes.length < BUNDLE_HEADER_SIZE ||
    bytes[0] !== b0 ||
    bytes[1] !== b1 ||
    bytes[2] !== b2 ||
    bytes[3] !== b3
  )
    throw shortOrForeign(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version !== BUNDLE_FORMAT_VERSION) throw new BundleVersionError(version, BUNDLE_FORMAT_VERSION);
  const indexSize = view.getUint32(12, true);
  const dataSize = view.getUint32(20, true);
  const dataAt = BUNDLE_HEADER_SIZE + view.getUint32(16, true);
  if (
    dataAt + view.getUint32(24, true) !== bytes.length ||
    view.getUint16(6, true) !== 0 ||
    crc32(bytes.subarray(12)) !== view.getUint32(8, true) ||
    indexSize === 0 ||
    dataSize === 0 ||
    indexSize + dataSize > limit
  )
    throw headerError(view, limit);
  return {
    index: inflate(bytes.subarray(BUNDLE_HEADER_SIZE, dataAt), indexSize, 'index', BUNDLE_HEADER_SIZE),
    data: () => inflate(bytes.subarray(dataAt), dataSize, 'data section', dataAt),
  };
}

/** The error for bytes shorter than the header or not starting with the magic. */
function shortOrForeign(bytes: Uint8Array): Error {
  const isPrefix = BUNDLE_MAGIC.slice(0, Math.min(4, bytes.length)).every((b, i) => bytes[i] === b);
  if (!isPrefix) return new BundleForeignError('not a btf-bundle (magic "BTFB" missing)');
  return bytes.length < 4
    ? new BundleTruncatedError(`bundle is ${bytes.length} bytes, shorter than its magic`)
    : new BundleTruncatedError(
        `bundle is ${bytes.length} bytes, shorter than its ${BUNDLE_HEADER_SIZE}-byte header`,
      );
}

/** The error for a header (magic and version right) whose sizes, flags or checksum are wrong, checked in order. */
function headerError(view: DataView, limit: number): Error {
  const length = view.byteLength;
  const total = BUNDLE_HEADER_SIZE + view.getUint32(16, true) + view.getUint32(24, true);
  if (length < total) return new BundleTruncatedError(`bundle declares ${total} bytes but has ${length}`);
  if (length > total) return new BundleCorruptError(`bundle has ${length - total} trailing bytes`);
  const flags = view.getUint16(6, true);
  if (flags !== 0) return new BundleCorruptError(`bundle header flags 0x${flags.toString(16)} are reserved`);
  const bytes = new Uint8Array(view.buffer, view.byteOffset, length);
  if (crc32(bytes.subarray(12)) !== view.getUint32(8, true))
    return new BundleCorruptError('bundle checksum mismatch (CRC-32)');
  const [indexSize, dataSize] = [view.getUint32(12, true), view.getUint32(20, true)];
  return new BundleCorruptError(
    `bundle header (offset 12) declares an index of ${indexSize} bytes and (offset 20) a data section of ` +
      `${dataSize} bytes; each must be at least 1 and both together at most ${limit}`,
  );
}

/**
 * Sections larger than this are inflated with brotli's large-window variant allowed. btf-bundle's encoder writes
 * 64 KiB windows, but the format takes any brotli stream, and one written with a window above 16 MiB (the
 * variant's range) needs the option: only a section of 16 MiB - 16 bytes or more can have been given such a
 * window (8 MiB leaves a margin).
 */
const LARGE_WINDOW_ABOVE = 1 << 23;

/**
 * Inflates one brotli stream to exactly `size` bytes, written into one buffer of `size` + 1 bytes (the extra byte
 * detects a longer stream) and never copied. Node's native brotli: one output chunk, so the result is a view of
 * it, and a stream longer than declared stops at `size` + 1. The large-window parameter is passed only where a
 * stream may need it: options cost a cold process time.
 */
function inflate(stream: Uint8Array, size: number, what: string, at: number): Uint8Array {
  let out: Uint8Array;
  try {
    out = brotliDecompressSync(
      stream,
      size > LARGE_WINDOW_ABOVE
        ? { chunkSize: size + 1, maxOutputLength: size, params: { [BROTLI_DECODER_PARAM_LARGE_WINDOW]: 1 } }
        : { chunkSize: Math.max(64, size + 1), maxOutputLength: size },
    );
  } catch (e) {
    throw inflateError(e, size, what, at);
  }
  if (out.length !== size)
    throw new BundleCorruptError(
      `bundle ${what} (offset ${at}) inflates to ${out.length} bytes, not ${size}`,
    );
  // A plain Uint8Array view of the same memory: Buffer's own subarray is slower, and readers take many.
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** The error for a stream brotli refused (`e`), or one that inflates past its declared size. */
function inflateError(e: unknown, size: number, what: string, at: number): BundleCorruptError {
  return new BundleCorruptError(
    (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE'
      ? `bundle ${what} (offset ${at}) inflates to more than its declared ${size} bytes`
      : `bundle ${what} (offset ${at}): invalid brotli stream (${(e as Error).message})`,
  );
}
