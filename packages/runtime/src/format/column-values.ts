import { ByteReader, unzigzag } from './reader.js';

/**
 * Reads the varints of `bytes[start, end)` (one column of one blob) into an array. Every varint ends in a byte
 * below 0x80, so counting those sizes the array before decoding; a truncated last varint is a typed error.
 */
export function readColumnValues(bytes: Uint8Array, start: number, end: number, what: string): Uint32Array {
  let count = 0;
  for (let i = start; i < end; i++) if (bytes[i]! < 0x80) count++;
  const out = new Uint32Array(count);
  const r = new ByteReader(bytes, what, start, end);
  for (let i = 0; i < count; i++) out[i] = r.varint();
  if (r.remaining !== 0) throw r.corrupt('column ends inside a varint');
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
