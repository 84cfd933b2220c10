import { crc32 as zlibCrc32 } from 'node:zlib';

/** CRC-32 (IEEE 802.3, as in zlib/gzip) of `data`. */
export function crc32(data: Uint8Array): number {
  return zlibCrc32(data) >>> 0;
}
