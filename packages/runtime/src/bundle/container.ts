import { brotliDecompressSync, constants } from 'node:zlib';
import {
  BundleCorruptError,
  BundleForeignError,
  BundleTruncatedError,
  BundleVersionError,
} from '../errors.js';
import {
  BUNDLE_FORMAT_VERSION,
  BUNDLE_HEADER_SIZE,
  BUNDLE_MAGIC,
  MAX_SECTION_SIZE,
} from '../format/constants.js';
import { crc32 } from '../format/crc32.js';

/** Options of {@link readContainer} and `decodeBundle`. */
export interface DecodeLimits {
  /** Largest payload (index + data, inflated) to accept, in bytes; at most (and by default) 1 GiB. */
  maxPayloadBytes?: number;
}

/**
 * Validates the container header (magic, version, flags, CRC-32) and inflates the payload (index then data) to
 * exactly its declared size, refused beforehand when that exceeds the caller's limit. The inflated bytes are
 * written into one buffer of the declared size (plus one byte that detects a longer stream), never copied.
 * Throws {@link BundleForeignError}, {@link BundleVersionError}, {@link BundleTruncatedError} or
 * {@link BundleCorruptError}.
 */
export function readContainer(bytes: Uint8Array, limits: DecodeLimits = {}): Uint8Array {
  if (bytes.length < 4 || BUNDLE_MAGIC.some((b, i) => bytes[i] !== b)) {
    if (bytes.length < 4 && BUNDLE_MAGIC.slice(0, bytes.length).every((b, i) => bytes[i] === b)) {
      throw new BundleTruncatedError(`bundle is ${bytes.length} bytes, shorter than its magic`);
    }
    throw new BundleForeignError('not a btf-bundle (magic "BTFB" missing)');
  }
  if (bytes.length < BUNDLE_HEADER_SIZE) {
    throw new BundleTruncatedError(
      `bundle is ${bytes.length} bytes, shorter than its ${BUNDLE_HEADER_SIZE}-byte header`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint16(4, true);
  if (version !== BUNDLE_FORMAT_VERSION) throw new BundleVersionError(version, BUNDLE_FORMAT_VERSION);
  const size = view.getUint32(12, true);
  const zLen = view.getUint32(16, true);
  const total = BUNDLE_HEADER_SIZE + zLen;
  if (bytes.length < total)
    throw new BundleTruncatedError(`bundle declares ${total} bytes but has ${bytes.length}`);
  if (bytes.length > total) throw new BundleCorruptError(`bundle has ${bytes.length - total} trailing bytes`);
  const flags = view.getUint16(6, true);
  if (flags !== 0) throw new BundleCorruptError(`bundle header flags 0x${flags.toString(16)} are reserved`);
  if (crc32(bytes.subarray(12)) !== view.getUint32(8, true))
    throw new BundleCorruptError('bundle checksum mismatch (CRC-32)');
  const limit = Math.min(MAX_SECTION_SIZE, limits.maxPayloadBytes ?? MAX_SECTION_SIZE);
  if (size === 0 || size > limit) {
    throw new BundleCorruptError(
      `bundle header (offset 12) declares a payload of ${size} bytes; the limit is 1..${limit}`,
    );
  }
  let out: Uint8Array;
  try {
    // Node's native brotli: no JIT warm-up on a cold start. One output chunk of size + 1 bytes: the result is a
    // view of it (no concatenation copy), and a stream longer than declared stops at size + 1.
    out = brotliDecompressSync(bytes.subarray(BUNDLE_HEADER_SIZE), {
      chunkSize: Math.max(64, size + 1),
      maxOutputLength: size,
      params: { [constants.BROTLI_DECODER_PARAM_LARGE_WINDOW]: 1 },
    });
  } catch (e) {
    const longer = (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    throw new BundleCorruptError(
      longer
        ? `bundle payload (offset ${BUNDLE_HEADER_SIZE}) inflates to more than its declared ${size} bytes`
        : `bundle payload (offset ${BUNDLE_HEADER_SIZE}): invalid brotli stream (${(e as Error).message})`,
    );
  }
  if (out.length !== size)
    throw new BundleCorruptError(`bundle payload inflates to ${out.length} bytes, not ${size}`);
  // A plain Uint8Array view of the same memory: Buffer's own subarray is slower, and readers take many.
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
