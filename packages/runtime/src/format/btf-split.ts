import { BTF_HEADER_LEN, BTF_VERSION, readBtfHeader } from './btf-layout.js';

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
  const header = readBtfHeader(blob);
  if (!header) return undefined;
  const { littleEndian, typeLen, strLen } = header;
  const canonical =
    header.version === BTF_VERSION &&
    header.flags === 0 &&
    header.hdrLen === BTF_HEADER_LEN &&
    header.typeOff === 0 &&
    typeLen % 4 === 0 &&
    header.strOff === typeLen &&
    strLen > 0 &&
    BTF_HEADER_LEN + typeLen + strLen === blob.length &&
    blob[blob.length - 1] === 0;
  if (!canonical) return undefined;
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const u32 = (o: number) => view.getUint32(o, littleEndian);
  const words = new Uint32Array(typeLen / 4);
  for (let i = 0; i < words.length; i++) words[i] = u32(BTF_HEADER_LEN + 4 * i);
  const strings: Uint8Array[] = [];
  const strEnd = blob.length - 1;
  let start = BTF_HEADER_LEN + typeLen;
  for (;;) {
    const nul = blob.indexOf(0, start);
    const stop = nul < 0 || nul > strEnd ? strEnd : nul;
    strings.push(blob.subarray(start, stop));
    if (stop === strEnd) break;
    start = stop + 1;
  }
  return { littleEndian, words, strings };
}
