import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';

/** What {@link sha256Hex} and {@link sha256Bytes} hash: bytes, or a string as UTF-8. */
export type HashInput = Uint8Array | string;

function digest(input: HashInput | readonly HashInput[]) {
  const hash = createHash('sha256');
  if (typeof input === 'string' || input instanceof Uint8Array) hash.update(input);
  else for (const part of input) hash.update(part);
  return hash;
}

/** Hex SHA-256 of `input` (a list is hashed as the concatenation of its parts). */
export function sha256Hex(input: HashInput | readonly HashInput[]): string {
  return digest(input).digest('hex');
}

/** SHA-256 of `input` as 32 bytes (a list is hashed as the concatenation of its parts). */
export function sha256Bytes(input: HashInput | readonly HashInput[]): Buffer {
  return digest(input).digest();
}

/** Bytes read per step by {@link sha256OfFile}. */
const FILE_CHUNK_BYTES = 256 * 1024;
/** The one buffer {@link sha256OfFile} reads into (it is synchronous: no two calls share it at once). */
let fileChunk: Uint8Array | undefined;

/**
 * Hex SHA-256 of the first `size` bytes of the open file `fd` (fewer if it ends sooner), read from its start in
 * chunks into one buffer kept for the next call: a large file is hashed without being held in memory.
 */
export function sha256OfFile(fd: number, size: number): string {
  const hash = createHash('sha256');
  fileChunk ??= new Uint8Array(FILE_CHUNK_BYTES);
  for (let at = 0; at < size; ) {
    const n = readSync(fd, fileChunk, 0, Math.min(fileChunk.length, size - at), at);
    if (n === 0) break;
    hash.update(fileChunk.subarray(0, n));
    at += n;
  }
  return hash.digest('hex');
}
