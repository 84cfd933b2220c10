import { closeSync, createReadStream, fstatSync, openSync, readSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { ParsedTarEntry } from 'modern-tar';
import { readElf } from '../elf/elf.js';
import { annotateError, FormatError } from '../errors.js';
import { growScratch } from '../scratch.js';

/** Largest kernel BTF accepted, raw or as an archive member (real ones are ~5 MB). */
export const MAX_KERNEL_BTF_BYTES = 512 * 1024 * 1024;

const XZ_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

/** The container a kernel BTF file comes in. */
export type KernelBtfFormat = 'btf' | 'elf' | 'tar.xz';

/**
 * A reusable, growing buffer to read kernel BTFs into (see {@link readKernelBtf}): a batch worker reads kernel after
 * kernel into the same memory instead of leaving one dead multi-megabyte buffer per kernel to the garbage collector.
 */
export class KernelBuffer {
  private buffer = new Uint8Array(0);

  /** A view of `size` bytes of the buffer, growing it (contents not kept) when it is smaller. */
  take(size: number): Uint8Array {
    this.buffer = growScratch(this.buffer, size, (n) => new Uint8Array(n));
    return this.buffer.subarray(0, size);
  }
}

/** Whether `head` starts with `magic`. */
function startsWith(head: Uint8Array, magic: readonly number[]): boolean {
  return head.length >= magic.length && magic.every((b, i) => head[i] === b);
}

/** Whether `head` starts with the BTF magic 0xeb9f in either byte order. */
function isRawBtf(head: Uint8Array): boolean {
  return (
    head.length >= 2 && ((head[0] === 0x9f && head[1] === 0xeb) || (head[0] === 0xeb && head[1] === 0x9f))
  );
}

/** The container format of `bytes` (its first bytes suffice), or undefined if it is none of them. */
export function detectKernelBtfFormat(head: Uint8Array): KernelBtfFormat | undefined {
  if (isRawBtf(head)) return 'btf';
  if (startsWith(head, [0x7f, 0x45, 0x4c, 0x46])) return 'elf';
  if (startsWith(head, XZ_MAGIC)) return 'tar.xz';
  return undefined;
}

/**
 * Read a kernel's BTF from `path`: raw BTF (`/sys/kernel/btf/vmlinux`), an ELF with a `.BTF` section (vmlinux),
 * or a BTFHub `.btf.tar.xz` holding one member `<release>.btf`. Returns the raw BTF bytes (not validated
 * beyond their magic: `Btf.parse` does that). Throws {@link FormatError} naming the file for a corrupt archive,
 * an archive without exactly one `.btf` member, a member over {@link MAX_KERNEL_BTF_BYTES}, or anything else.
 * With `into`, raw BTF and archive members are read into that buffer and the result is a view of it, valid until
 * the next read into the same buffer (ELF files are still read whole, the result a view of their `.BTF`).
 */
export async function readKernelBtf(path: string, into?: KernelBuffer): Promise<Uint8Array> {
  try {
    const raw = readUncompressed(path, into);
    return raw ?? (await readTarXzMember(path, into));
  } catch (err) {
    throw annotateError(err, { file: path });
  }
}

/**
 * Raw BTF or the `.BTF` of an ELF at `path`, read synchronously on one file descriptor (a kernel is a few
 * megabytes from the page cache: one `read` is cheaper than a round trip through the thread pool per chunk), or
 * undefined when the file is an xz archive.
 */
function readUncompressed(path: string, into: KernelBuffer | undefined): Uint8Array | undefined {
  const fd = openSync(path, 'r');
  try {
    const { size } = fstatSync(fd);
    const head = new Uint8Array(XZ_MAGIC.length);
    const format = detectKernelBtfFormat(head.subarray(0, readSync(fd, head, 0, head.length, 0)));
    if (format === 'tar.xz') return undefined;
    if (size > MAX_KERNEL_BTF_BYTES) {
      throw new FormatError(`file is ${size} bytes, more than the ${MAX_KERNEL_BTF_BYTES} accepted`, {
        file: path,
      });
    }
    if (format === undefined) {
      throw new FormatError('not a kernel BTF: expected raw BTF, an ELF with .BTF or a .btf.tar.xz', {
        file: path,
        offset: 0,
      });
    }
    const out = format === 'btf' && into ? into.take(size) : new Uint8Array(size);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, out, at, size - at, at);
      if (n === 0) break;
      at += n;
    }
    return format === 'btf' ? out.subarray(0, at) : btfOfElf(out.subarray(0, at), path);
  } finally {
    closeSync(fd);
  }
}

function btfOfElf(bytes: Uint8Array, path: string): Uint8Array {
  const data = readElf(bytes, path).sectionData('.BTF');
  if (!data) throw new FormatError('ELF file has no .BTF section', { file: path });
  return data;
}

/** Decompress `path` as xz, read it as tar and return its single `.btf` member, streaming with bounded memory. */
async function readTarXzMember(path: string, into: KernelBuffer | undefined): Promise<Uint8Array> {
  // Loaded on first use: raw and ELF inputs never pay for the xz WASM decoder and the tar reader.
  const [{ default: xz }, { createTarDecoder }] = await Promise.all([
    import('xz-decompress'),
    import('modern-tar'),
  ]);
  const compressed = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
  const entries = new xz.XzReadableStream(compressed).pipeThrough(createTarDecoder({ strict: true }));
  const members: string[] = [];
  let found: Uint8Array | undefined;
  try {
    for await (const entry of entries) {
      const { header } = entry;
      if (header.type !== undefined && header.type !== 'file') {
        await entry.body.cancel();
        continue;
      }
      members.push(header.name);
      if (members.length > 1) {
        await entry.body.cancel();
        throw new FormatError(
          `archive has several members (${members.join(', ')}), expected one <release>.btf`,
          {
            file: path,
          },
        );
      }
      if (!header.name.endsWith('.btf')) {
        await entry.body.cancel();
        throw new FormatError(`archive member '${header.name}' is not a .btf file`, { file: path });
      }
      if (header.size > MAX_KERNEL_BTF_BYTES) {
        await entry.body.cancel();
        throw new FormatError(
          `archive member '${header.name}' is ${header.size} bytes, more than the ${MAX_KERNEL_BTF_BYTES} accepted`,
          { file: path },
        );
      }
      found = await readBody(entry, path, into);
    }
  } catch (err) {
    if (err instanceof FormatError) throw err;
    throw new FormatError(
      `corrupt .tar.xz: ${err instanceof Error ? err.message : String(err)}`,
      { file: path },
      {
        cause: err,
      },
    );
  }
  if (!found) throw new FormatError('archive has no .btf member', { file: path });
  if (!isRawBtf(found)) {
    throw new FormatError(`archive member '${members[0]}' is not BTF (bad magic)`, { file: path, offset: 0 });
  }
  return found;
}

/** Read an entry's body into one buffer of exactly `header.size` bytes. */
async function readBody(
  entry: ParsedTarEntry,
  path: string,
  into: KernelBuffer | undefined,
): Promise<Uint8Array> {
  const out = into ? into.take(entry.header.size) : new Uint8Array(entry.header.size);
  let at = 0;
  const reader = entry.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (at + value.length > out.length) {
      await reader.cancel();
      throw new FormatError(`archive member '${entry.header.name}' is longer than its header says`, {
        file: path,
      });
    }
    out.set(value, at);
    at += value.length;
  }
  if (at !== out.length) {
    throw new FormatError(
      `archive member '${entry.header.name}' is truncated (${at} of ${out.length} bytes)`,
      {
        file: path,
      },
    );
  }
  return out;
}
