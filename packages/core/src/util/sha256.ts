import { createHash } from 'node:crypto';

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
