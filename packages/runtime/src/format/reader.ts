import { BundleCorruptError, BundleTruncatedError } from '../errors.js';

/** Bounds-checked sequential reader over a byte array; every failure is a typed bundle error. */
export class ByteReader {
  /** Current read position. */
  pos: number;
  /** The underlying bytes. */
  readonly bytes: Uint8Array;
  private readonly end: number;
  private readonly what: string;

  constructor(bytes: Uint8Array, what: string, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
    this.what = what;
  }

  /** Bytes left before the end of the readable range. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Reads one byte. */
  byte(): number {
    if (this.pos >= this.end)
      throw new BundleTruncatedError(`${this.what}: byte past the end at offset ${this.pos}`);
    return this.bytes[this.pos++]!;
  }

  /** Reads an unsigned LEB128 varint of at most 32 bits. */
  varint(): number {
    const p = this.pos;
    if (p < this.end) {
      const b = this.bytes[p]!;
      if (b < 0x80) {
        this.pos = p + 1;
        return b; // most values are one byte
      }
    }
    return this.longVarint();
  }

  private longVarint(): number {
    let result = 0;
    for (let scale = 1; scale <= 0x10000000; scale *= 0x80) {
      if (this.pos >= this.end)
        throw new BundleTruncatedError(`${this.what}: varint runs past the end at offset ${this.pos}`);
      const b = this.bytes[this.pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) {
        if (result > 0xffffffff) throw this.corrupt('varint exceeds 32 bits');
        return result;
      }
    }
    throw this.corrupt('varint longer than 5 bytes');
  }

  /** Reads a varint and checks it does not exceed `max` (used for counts before allocating). */
  count(max: number, label: string): number {
    const at = this.pos;
    const n = this.varint();
    if (n > max)
      throw new BundleCorruptError(`${this.what}: ${label} ${n} at offset ${at} exceeds limit ${max}`);
    return n;
  }

  /** Returns a view of the next `n` bytes. */
  take(n: number): Uint8Array {
    const start = this.pos;
    this.skip(n);
    return this.bytes.subarray(start, this.pos);
  }

  /** Moves past the next `n` bytes. */
  skip(n: number): void {
    if (n > this.remaining) {
      throw new BundleTruncatedError(
        `${this.what}: need ${n} bytes at offset ${this.pos}, have ${this.remaining}`,
      );
    }
    this.pos += n;
  }

  /** Returns the bytes up to (excluding) the next NUL and skips the NUL. */
  cstring(): Uint8Array {
    const start = this.pos;
    this.skipCString();
    return this.bytes.subarray(start, this.pos - 1);
  }

  /** Moves past the next NUL-terminated string (its NUL included). */
  skipCString(): void {
    const nul = this.bytes.indexOf(0, this.pos);
    if (nul < 0 || nul >= this.end)
      throw new BundleTruncatedError(`${this.what}: unterminated string at offset ${this.pos}`);
    this.pos = nul + 1;
  }

  /** A corruption error naming this stream and the current offset. */
  corrupt(message: string): BundleCorruptError {
    return new BundleCorruptError(`${this.what}: ${message} at offset ${this.pos}`);
  }
}
