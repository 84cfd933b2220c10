import { BtfBundleError, FormatError } from '../errors.js';
import { openXzSource, type XzDecoder, type XzSource } from './xz-source.js';

const BLOCK = 512;
/** Largest pax or GNU long-name record read before a member (real ones are a few hundred bytes). */
const MAX_META_BYTES = 64 * 1024;
/** Entries (directories, metadata) passed over before giving up on an archive. */
const MAX_ENTRIES = 64;

/** A reader of exact byte counts from a decompressed stream that stops the decompressor when done. */
class BlockReader {
  private chunk: Uint8Array = new Uint8Array(0);
  private at = 0;
  /** Decompressed bytes handed out so far. */
  consumed = 0;

  constructor(private readonly source: XzSource) {}

  /** Fill `out` completely; false when the stream ends first (`out` then holds what there was). */
  async fill(out: Uint8Array): Promise<boolean> {
    let filled = 0;
    while (filled < out.length) {
      if (this.at === this.chunk.length) {
        const chunk = await this.source.next();
        if (!chunk) return false;
        this.chunk = chunk;
        this.at = 0;
        continue;
      }
      const n = Math.min(out.length - filled, this.chunk.length - this.at);
      out.set(this.chunk.subarray(this.at, this.at + n), filled);
      this.at += n;
      filled += n;
      this.consumed += n;
    }
    return true;
  }

  /** Stop decompressing: nothing after this point is read. */
  async stop(): Promise<void> {
    await this.source.stop();
  }
}

/** One parsed tar header. */
interface TarHeader {
  name: string;
  size: number;
  type: string;
}

const latin1 = new TextDecoder('latin1');

function field(block: Uint8Array, start: number, len: number): string {
  const bytes = block.subarray(start, start + len);
  const end = bytes.indexOf(0);
  return latin1.decode(end < 0 ? bytes : bytes.subarray(0, end));
}

/** A numeric header field: octal text, or base-256 when the top bit of its first byte is set. */
function numberField(block: Uint8Array, start: number, len: number): number {
  if ((block[start] as number) & 0x80) {
    let n = (block[start] as number) & 0x7f;
    for (let i = 1; i < len; i++) n = n * 256 + (block[start + i] as number);
    return n;
  }
  const text = field(block, start, len).trim();
  return /^[0-7]*$/.test(text) ? Number.parseInt(text || '0', 8) : Number.NaN;
}

/** The header in `block`, or undefined for an all-zero block (the end of the archive). */
function parseHeader(block: Uint8Array, offset: number, path: string): TarHeader | undefined {
  if (block.every((b) => b === 0)) return undefined;
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] as number);
  const size = numberField(block, 124, 12);
  if (numberField(block, 148, 8) !== sum || !Number.isSafeInteger(size)) {
    throw new FormatError(`corrupt .tar.xz: bad tar header at byte ${offset} of the archive`, { file: path });
  }
  const prefix = field(block, 257, 6) === 'ustar' ? field(block, 345, 155) : '';
  const name = field(block, 0, 100);
  return { name: prefix ? `${prefix}/${name}` : name, size, type: String.fromCharCode(block[156] as number) };
}

/** `path` and `size` of a pax extended header record set. */
function paxOverrides(text: string): { name?: string; size?: number } {
  const out: { name?: string; size?: number } = {};
  for (const line of text.split('\n')) {
    const m = /^\d+ ([^=]+)=(.*)$/.exec(line);
    if (m?.[1] === 'path') out.name = m[2];
    if (m?.[1] === 'size' && /^\d+$/.test(m[2] ?? '')) out.size = Number(m[2]);
  }
  return out;
}

const padded = (size: number) => Math.ceil(size / BLOCK) * BLOCK;

/** Options of {@link readTarXzMember}. */
export interface TarXzLimits {
  /** Largest member accepted; a larger one is refused from its header, before it is decompressed. */
  maxBytes: number;
  /** Buffer for the member, given its size (the result is a view of it). */
  take: (size: number) => Uint8Array;
  /** The xz decoder to use (default: the system `xz` when on `PATH`, else the WASM one). */
  decoder?: XzDecoder;
  /** The archive's decompressed bytes, already being decoded (then `decoder` is not used; this reader stops it). */
  source?: XzSource;
}

/**
 * Decompressed bytes the reader may need from an archive whose member is at most `maxBytes`: metadata entries,
 * headers, the padded member and the block after it. A decoder bounded to this never cuts a valid archive short.
 */
export function archiveReadBound(maxBytes: number): number {
  return (MAX_ENTRIES + 2) * (BLOCK + MAX_META_BYTES) + padded(maxBytes) + BLOCK;
}

/**
 * The single `.btf` member of the BTFHub `.btf.tar.xz` at `path`. Decompression is streamed and stops as soon as
 * the block after the member is read (the end-of-archive mark, or a second member, which is an error): trailing
 * data, however long, is never decompressed, and a member over `maxBytes` is refused from its header. Throws a
 * {@link FormatError} naming the file for a corrupt archive or one without exactly one `.btf` member.
 */
export async function readTarXzMember(path: string, limits: TarXzLimits): Promise<Uint8Array> {
  const input = new BlockReader(limits.source ?? (await openXzSource(path, limits.decoder)));
  try {
    return await readMember(input, path, limits);
  } catch (err) {
    if (err instanceof BtfBundleError) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw new FormatError(`corrupt .tar.xz: ${detail}`, { file: path }, { cause: err });
  } finally {
    await input.stop();
  }
}

async function readMember(input: BlockReader, path: string, limits: TarXzLimits): Promise<Uint8Array> {
  const block = new Uint8Array(BLOCK);
  const nextHeader = async (): Promise<TarHeader | undefined> => {
    const offset = input.consumed;
    if (!(await input.fill(block))) {
      if (offset === 0 && input.consumed === 0) return undefined; // an empty stream is an empty archive
      throw new FormatError('corrupt .tar.xz: the archive ends inside a tar header', { file: path });
    }
    return parseHeader(block, offset, path);
  };
  const read = async (size: number) => {
    const bytes = new Uint8Array(size);
    if (!(await input.fill(bytes)))
      throw new FormatError('corrupt .tar.xz: the archive is truncated', { file: path });
    return bytes;
  };
  let found: { name: string; bytes: Uint8Array } | undefined;
  let overrides: { name?: string; size?: number } = {};
  for (let entries = 0; ; entries++) {
    if (entries > MAX_ENTRIES) {
      throw new FormatError(`archive has more than ${MAX_ENTRIES} entries, expected one <release>.btf`, {
        file: path,
      });
    }
    const header = await nextHeader();
    if (!header) break;
    const size = overrides.size ?? header.size;
    const name = overrides.name ?? header.name;
    overrides = {};
    if (header.type === 'x' || header.type === 'g' || header.type === 'L') {
      if (size > MAX_META_BYTES) {
        throw new FormatError(`archive metadata entry of ${size} bytes is too large`, { file: path });
      }
      const text = latin1.decode((await read(padded(size))).subarray(0, size));
      if (header.type === 'x') overrides = paxOverrides(text);
      if (header.type === 'L') overrides = { name: text.replace(/\0+$/, '') };
      continue;
    }
    if (header.type !== '0' && header.type !== '\0' && header.type !== '7') {
      if (size > 0) throw new FormatError(`archive entry '${name}' is not a regular file`, { file: path });
      continue; // directories and other empty entries
    }
    if (found) {
      throw new FormatError(
        `archive has several members (${found.name}, ${name}), expected one <release>.btf`,
        {
          file: path,
        },
      );
    }
    if (!name.endsWith('.btf'))
      throw new FormatError(`archive member '${name}' is not a .btf file`, { file: path });
    if (size > limits.maxBytes) {
      throw new FormatError(
        `archive member '${name}' is ${size} bytes, more than the ${limits.maxBytes} accepted (raise the kernel size limit to read it)`,
        { file: path },
      );
    }
    const bytes = limits.take(size);
    if (!(await input.fill(bytes))) {
      throw new FormatError(`archive member '${name}' is truncated (${size} bytes declared)`, { file: path });
    }
    await read(padded(size) - size);
    found = { name, bytes };
  }
  if (!found) throw new FormatError('archive has no .btf member', { file: path });
  return found.bytes;
}
