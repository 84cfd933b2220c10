import { BTF_HEADER_SIZE } from './constants.js';

/** A canonical raw BTF blob taken apart: type-section words (in the blob's byte order) and its strings. */
export interface SplitBtf {
  /** True for a little-endian blob (magic bytes `9F EB`). */
  littleEndian: boolean;
  /** The type section as u32 words, read in the blob's own byte order. */
  words: Uint32Array;
  /** The string section split at NUL bytes, without its final NUL (first entry is the empty string). */
  strings: Uint8Array[];
}

/**
 * Splits `blob` if it is canonical raw BTF: magic `0xEB9F`, version 1, flags 0, hdr_len 24, type_off 0,
 * type_len a multiple of 4, str_off == type_len, a non-empty string section ending in NUL and nothing after it.
 * Returns undefined for anything else.
 */
export function splitBtf(blob: Uint8Array): SplitBtf | undefined {
  if (blob.length < BTF_HEADER_SIZE) return undefined;
  let littleEndian: boolean;
  if (blob[0] === 0x9f && blob[1] === 0xeb) littleEndian = true;
  else if (blob[0] === 0xeb && blob[1] === 0x9f) littleEndian = false;
  else return undefined;
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const u32 = (o: number) => view.getUint32(o, littleEndian);
  const typeLen = u32(12);
  const strLen = u32(20);
  const canonical =
    blob[2] === 1 &&
    blob[3] === 0 &&
    u32(4) === BTF_HEADER_SIZE &&
    u32(8) === 0 &&
    typeLen % 4 === 0 &&
    u32(16) === typeLen &&
    strLen > 0 &&
    BTF_HEADER_SIZE + typeLen + strLen === blob.length &&
    blob[blob.length - 1] === 0;
  if (!canonical) return undefined;
  const words = new Uint32Array(typeLen / 4);
  for (let i = 0; i < words.length; i++) words[i] = u32(BTF_HEADER_SIZE + 4 * i);
  const strings: Uint8Array[] = [];
  const strEnd = blob.length - 1;
  let start = BTF_HEADER_SIZE + typeLen;
  for (;;) {
    const nul = blob.indexOf(0, start);
    const stop = nul < 0 || nul > strEnd ? strEnd : nul;
    strings.push(blob.subarray(start, stop));
    if (stop === strEnd) break;
    start = stop + 1;
  }
  return { littleEndian, words, strings };
}
