import { BundleCorruptError } from '../errors.js';
import { unzigzag } from './reader.js';

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
    const at = p;
    let b = bytes[p++]!;
    let v = b & 0x7f;
    for (let shift = 7; b >= 0x80; shift += 7) {
      b = bytes[p++]!;
      if (shift === 28 ? b > 0x0f : shift > 28)
        throw new BundleCorruptError(`${what}: varint at offset ${at} exceeds 32 bits`);
      v += (b & 0x7f) * 2 ** shift;
    }
    out[i] = v;
  }
  return out;
}

/**
 * Undoes the delta against a reference column in place: value i becomes `ref[i] + unzigzag(value i)` (mod 2^32)
 * where the reference has a value i, and stays as stored past its end.
 */
export function addReference(values: Uint32Array, ref: Uint32Array): void {
  const n = Math.min(values.length, ref.length);
  for (let i = 0; i < n; i++) values[i] = (ref[i]! + unzigzag(values[i]!)) >>> 0;
}
