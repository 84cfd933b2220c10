import { BTF_HEADER_LEN, writeBtfHeader } from './format.js';

/**
 * Builds a raw BTF blob with the exact layout bpftool/libbpf produce (docs/btf-format.md#what-bpftool-writes): a 24-byte header, type
 * records in id order, and a string section that starts with NUL and holds each distinct string once, in order of
 * first insertion.
 */
export class BtfWriter {
  private words = new Uint32Array(1024);
  private wordCount = 0;
  private readonly stringOffsets = new Map<string, number>();
  private readonly stringChunks: Buffer[] = [Buffer.alloc(1)];
  private stringBytes = 1;
  private types = 1;

  /** 1 + the number of records added so far; the next record gets this id. */
  get typeCount(): number {
    return this.types;
  }

  /** Intern `s` (latin1 bytes) and return its offset; the empty string is offset 0 and is never added. */
  addString(s: string): number {
    if (s === '') return 0;
    const known = this.stringOffsets.get(s);
    if (known !== undefined) return known;
    const off = this.stringBytes;
    const bytes = Buffer.from(`${s}\0`, 'latin1');
    this.stringChunks.push(bytes);
    this.stringBytes += bytes.length;
    this.stringOffsets.set(s, off);
    return off;
  }

  /** Append one type record given as 32-bit words (header first) and return its type id. */
  addRecord(record: ArrayLike<number>): number {
    if (this.wordCount + record.length > this.words.length) {
      const grown = new Uint32Array(Math.max(this.words.length * 2, this.wordCount + record.length));
      grown.set(this.words.subarray(0, this.wordCount));
      this.words = grown;
    }
    for (let i = 0; i < record.length; i++) this.words[this.wordCount + i] = record[i] as number;
    this.wordCount += record.length;
    return this.types++;
  }

  /** Serialize: header, types, strings. Little-endian unless `littleEndian` is false. */
  toBytes(littleEndian = true): Uint8Array {
    const typeLen = this.wordCount * 4;
    const out = new Uint8Array(BTF_HEADER_LEN + typeLen + this.stringBytes);
    const view = new DataView(out.buffer);
    writeBtfHeader(view, { typeLen, strLen: this.stringBytes }, littleEndian);
    for (let i = 0; i < this.wordCount; i++) {
      view.setUint32(BTF_HEADER_LEN + i * 4, this.words[i] as number, littleEndian);
    }
    let pos = BTF_HEADER_LEN + typeLen;
    for (const chunk of this.stringChunks) {
      out.set(chunk, pos);
      pos += chunk.length;
    }
    return out;
  }
}
