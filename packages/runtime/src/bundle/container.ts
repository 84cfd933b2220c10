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

/** A checked container: the inflated index, and the data section inflated on demand. */
export interface Container {
  /** The inflated index section. */
  index: Uint8Array;
  /** Inflates the data section (each call inflates it again: the caller keeps it). */
  data(): Uint8Array;
}

/**
 * Validates the container header (magic, version, flags, sizes, CRC-32) and inflates the index section; the data
 * section is inflated when {@link Container.data} is called. Each section inflates to exactly its declared size,
 * both sizes checked against the caller's limit before anything is inflated. Throws {@link BundleForeignError},
 * {@link BundleVersionError}, {@link BundleTruncatedError} or {@link BundleCorruptError}.
 */
export function readContainer(bytes: Uint8Array, limits: DecodeLimits = {}): Container {
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
  const indexSize = view.getUint32(12, true);
  const indexZ = view.getUint32(16, true);
  const dataSize = view.getUint32(20, true);
  const dataZ = view.getUint32(24, true);
  const total = BUNDLE_HEADER_SIZE + indexZ + dataZ;
  if (bytes.length < total)
    throw new BundleTruncatedError(`bundle declares ${total} bytes but has ${bytes.length}`);
  if (bytes.length > total) throw new BundleCorruptError(`bundle has ${bytes.length - total} trailing bytes`);
  const flags = view.getUint16(6, true);
  if (flags !== 0) throw new BundleCorruptError(`bundle header flags 0x${flags.toString(16)} are reserved`);
  if (crc32(bytes.subarray(12)) !== view.getUint32(8, true))
    throw new BundleCorruptError('bundle checksum mismatch (CRC-32)');
  const limit = Math.min(MAX_SECTION_SIZE, limits.maxPayloadBytes ?? MAX_SECTION_SIZE);
  if (indexSize === 0 || dataSize === 0 || indexSize + dataSize > limit)
    throw new BundleCorruptError(
      `bundle header (offset 12) declares an index of ${indexSize} bytes and (offset 20) a data section of ` +
        `${dataSize} bytes; each must be at least 1 and both together at most ${limit}`,
    );
  const dataAt = BUNDLE_HEADER_SIZE + indexZ;
  return {
    index: inflate(bytes.subarray(BUNDLE_HEADER_SIZE, dataAt), indexSize, 'index', BUNDLE_HEADER_SIZE),
    data: () => inflate(bytes.subarray(dataAt), dataSize, 'data section', dataAt),
  };
}

/**
 * Inflates one brotli stream to exactly `size` bytes, written into one buffer of `size` + 1 bytes (the extra byte
 * detects a longer stream) and never copied.
 */
function inflate(stream: Uint8Array, size: number, what: string, at: number): Uint8Array {
  let out: Uint8Array;
  try {
    // Node's native brotli: no JIT warm-up on a cold start. One output chunk of size + 1 bytes: the result is a
    // view of it (no concatenation copy), and a stream longer than declared stops at size + 1.
    out = brotliDecompressSync(stream, {
      chunkSize: Math.max(64, size + 1),
      maxOutputLength: size,
      params: { [constants.BROTLI_DECODER_PARAM_LARGE_WINDOW]: 1 },
    });
  } catch (e) {
    const longer = (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    throw new BundleCorruptError(
      longer
        ? `bundle ${what} (offset ${at}) inflates to more than its declared ${size} bytes`
        : `bundle ${what} (offset ${at}): invalid brotli stream (${(e as Error).message})`,
    );
  }
  if (out.length !== size)
    throw new BundleCorruptError(
      `bundle ${what} (offset ${at}) inflates to ${out.length} bytes, not ${size}`,
    );
  // A plain Uint8Array view of the same memory: Buffer's own subarray is slower, and readers take many.
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}
