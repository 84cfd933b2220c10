import { inflateRawSync } from 'node:zlib';
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

/**
 * Validates the container header (magic, version, flags, CRC-32) and inflates the payload (index then data) to
 * exactly its declared size. Throws {@link BundleForeignError}, {@link BundleVersionError},
 * {@link BundleTruncatedError} or {@link BundleCorruptError}.
 */
export function readContainer(bytes: Uint8Array): Uint8Array {
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
  const z = bytes.subarray(BUNDLE_HEADER_SIZE);
  // Deflate cannot expand more than 1032:1; anything beyond is a lie we refuse to allocate for.
  if (size > MAX_SECTION_SIZE || size > z.length * 1032 + 64) {
    throw new BundleCorruptError(
      `bundle declares an implausible size ${size} for ${z.length} compressed bytes`,
    );
  }
  let out: Uint8Array;
  try {
    // Node's native inflate: no JIT warm-up on a cold start. One spare byte detects a longer stream.
    out = inflateRawSync(z, { maxOutputLength: size + 1 });
  } catch (e) {
    throw new BundleCorruptError(`bundle payload: invalid deflate stream (${(e as Error).message})`);
  }
  if (out.length !== size)
    throw new BundleCorruptError(`bundle payload inflates to ${out.length} bytes, not ${size}`);
  return out;
}
