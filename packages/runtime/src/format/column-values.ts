import { BundleCorruptError } from '../errors.js';

/**
 * Reads the varints (unsigned LEB128, at most 32 bits) of `bytes[start, end)`, one column of one blob, into an
 * array. Every varint ends in a byte below 0x80, so counting those sizes the array before decoding; a varint
 * cut by the end of the range, longer than 5 bytes or above 2^32 - 1 is a {@link BundleCorruptError} naming
 * `what` and the offset.
 */
export function readColumnValues(bytes: Uint8Array, start: number, end: number, what: string): Uint32Array {
  let count = 0;
  for (let i = start; i < end; i++) if (bytes[i]! < 0x80) count++;
  if (end > start && bytes[end - 1]! >= 0x80)
    throw new BundleCorruptError(`${what}: column ends inside a varint at offset ${end}`);
  const out = new Uint32Array(count);
  let p = start;
  for (let i = 0; i < count; i++) {
    let b = bytes[p++]!;
    if (b < 0x80) {
      out[i] = b; // most values are one byte
      continue;
    }
    const at = p - 1;
    let v = b & 0x7f;
    for (let shift = 7; b >= 0x80; shift += 7) {
      b = bytes[p++]!;
      if (shift === 28 && b > 0x0f)
        throw new BundleCorruptError(`${what}: varint at offset ${at} exceeds 32 bits`);
      v |= (b & 0x7f) << shift;
    }
    out[i] = v; // stored modulo 2^32: bit 31 set by the fifth byte reads back right
  }
  return out;
}
