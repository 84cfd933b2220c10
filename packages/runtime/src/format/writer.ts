/** Growable byte buffer with the primitives the bundle encoder needs (varints, raw bytes). */
export class ByteWriter {
  private buf = new Uint8Array(1024);
  private len = 0;

  /** Number of bytes written so far. */
  get length(): number {
    return this.len;
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  /** Appends an unsigned LEB128 varint (0 <= n <= 0xffffffff). */
  varint(n: number): void {
    this.ensure(5);
    let v = n >>> 0;
    while (v >= 0x80) {
      this.buf[this.len++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.len++] = v;
  }

  /** Appends raw bytes. */
  bytes(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.len);
    this.len += data.length;
  }

  /** Appends one byte. */
  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  /** A copy of the written bytes. */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** Maps a signed 32-bit integer to an unsigned one with small magnitudes first (zigzag). */
export function zigzag(n: number): number {
  return ((n << 1) ^ (n >> 31)) >>> 0;
}
