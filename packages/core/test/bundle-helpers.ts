/**
 * Test helpers for hand-altered bundles: the container re-sealed (its CRC, and its sizes when a section is
 * replaced, made to match), or built around sections given inflated, so that an alteration reaches the section
 * decoders instead of the CRC check.
 */
import { brotliCompressSync, constants } from 'node:zlib';
import { BUNDLE_FORMAT_VERSION, BUNDLE_HEADER_SIZE, BUNDLE_MAGIC, crc32 } from '@btf-bundle/runtime/internal';

/** Recomputes the header CRC of bundle `b` in place; returns `b`. */
export function reseal(b: Uint8Array): Uint8Array {
  new DataView(b.buffer, b.byteOffset).setUint32(8, crc32(b.subarray(12)), true);
  return b;
}

/**
 * Bundle `bytes` with the brotli stream of one section replaced by `stream`, which inflates to `size` bytes; the
 * header's sizes for that section and its CRC are made to match.
 */
export function withSection(
  bytes: Uint8Array,
  section: 'index' | 'data',
  stream: Uint8Array,
  size: number,
): Uint8Array {
  const dataAt = BUNDLE_HEADER_SIZE + new DataView(bytes.buffer, bytes.byteOffset).getUint32(16, true);
  const [from, to, sizeAt] =
    section === 'index' ? [BUNDLE_HEADER_SIZE, dataAt, 12] : [dataAt, bytes.length, 20];
  const out = Buffer.concat([bytes.subarray(0, from), stream, bytes.subarray(to)]);
  const view = new DataView(out.buffer, out.byteOffset, out.length);
  view.setUint32(sizeAt, size, true);
  view.setUint32(sizeAt + 4, stream.length, true);
  return reseal(out);
}

/**
 * A container around the inflated sections `index` and `data` (each brotli, quality 1), with a valid CRC; its header
 * declares their sizes, or `declaredIndex` index bytes.
 */
export function container(index: Uint8Array, data: Uint8Array, declaredIndex = index.length): Uint8Array {
  const z = (b: Uint8Array) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } });
  const [zIndex, zData] = [z(index), z(data)];
  const out = new Uint8Array(BUNDLE_HEADER_SIZE + zIndex.length + zData.length);
  const view = new DataView(out.buffer);
  out.set(BUNDLE_MAGIC, 0);
  view.setUint16(4, BUNDLE_FORMAT_VERSION, true);
  view.setUint32(12, declaredIndex, true);
  view.setUint32(16, zIndex.length, true);
  view.setUint32(20, data.length, true);
  view.setUint32(24, zData.length, true);
  out.set(zIndex, BUNDLE_HEADER_SIZE);
  out.set(zData, BUNDLE_HEADER_SIZE + zIndex.length);
  return reseal(out);
}
