import { closeSync, read, readSync } from 'node:fs';
import { btfByteOrder } from '../btf/format.js';
import { isElf, readElf } from '../elf/elf.js';
import { annotateError, FormatError, notRegularFileError } from '../errors.js';
import { growScratch } from '../scratch.js';
import { isOpened, openRegularFileSync } from '../util/regular-file.js';
import type { XzDecoder, XzSource } from './xz-source.js';

/**
 * Default largest kernel BTF accepted, raw or as an archive member, in bytes (real ones are 4–10 MB; an ELF
 * vmlinux with debug info may be larger: raise the limit for those).
 */
export const MAX_KERNEL_BTF_BYTES = 64 * 1024 * 1024;

/**
 * Whether the kernel file at `path` is named as a BTFHub `.btf.tar.xz` archive: what estimates and read-ahead go
 * by before the file is opened (reading it decides by its content, see {@link readKernelBtf}).
 */
export function isTarXzPath(path: string): boolean {
  return path.endsWith('.tar.xz');
}

/** Options of {@link readKernelBtf}. */
export interface ReadKernelOptions {
  /** Largest file or archive member accepted, in bytes. Default {@link MAX_KERNEL_BTF_BYTES}. */
  maxBytes?: number;
  /** The xz decoder for `.btf.tar.xz` files (default: the system `xz` when on `PATH`, else the WASM one). */
  xzDecoder?: XzDecoder;
  /** The decompressed bytes of the `.btf.tar.xz` at the path, already being decoded (read and stopped here). */
  xzSource?: XzSource;
}

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

/** The container format of `bytes` (its first bytes suffice), or undefined if it is none of them. */
function detectKernelBtfFormat(head: Uint8Array): KernelBtfFormat | undefined {
  if (btfByteOrder(head) !== undefined) return 'btf';
  if (isElf(head)) return 'elf';
  if (startsWith(head, XZ_MAGIC)) return 'tar.xz';
  return undefined;
}

/**
 * Read a kernel's BTF from `path`: raw BTF (`/sys/kernel/btf/vmlinux`), an ELF with a `.BTF` section (vmlinux),
 * or a BTFHub `.btf.tar.xz` holding one member `<release>.btf`. Returns the raw BTF bytes (not validated
 * beyond their magic: `Btf.parse` does that). Only regular files are read: a FIFO, device or socket is refused
 * without blocking. Throws {@link FormatError} naming the file for a corrupt archive, an archive without exactly
 * one `.btf` member, a file or member over `maxBytes` (refused before it is read or decompressed), or anything else.
 * With `into`, raw BTF and archive members are read into that buffer and the result is a view of it, valid until
 * the next read into the same buffer (ELF files are still read whole, the result a view of their `.BTF`).
 */
export async function readKernelBtf(
  path: string,
  into?: KernelBuffer,
  options: ReadKernelOptions = {},
): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? MAX_KERNEL_BTF_BYTES;
  try {
    const raw = await readUncompressed(path, into, maxBytes);
    if (raw) return raw;
    const take = (size: number) => (into ? into.take(size) : new Uint8Array(size));
    // The archive reader (and with it the child-process and stream code of the xz decoders) is loaded only when an
    // archive comes: a run over raw kernels never pays for it.
    const { readTarXzMember } = await import('./tar-xz.js');
    const member = await readTarXzMember(path, {
      maxBytes,
      take,
      decoder: options.xzDecoder,
      source: options.xzSource,
    });
    if (btfByteOrder(member) === undefined)
      throw new FormatError('archive member is not BTF (bad magic)', { offset: 0 });
    return member;
  } catch (err) {
    throw annotateError(err, { file: path });
  }
}

/**
 * Raw BTF or the `.BTF` of an ELF at `path`, or undefined when the file is an xz archive. The file is opened and
 * its head read synchronously; the rest comes in one read on Node's thread pool, so that a caller who does not
 * await it at once (the CLI, parsing objects meanwhile) gets the copy of a few megabytes and its page faults done
 * on another core.
 */
async function readUncompressed(
  path: string,
  into: KernelBuffer | undefined,
  maxBytes: number,
): Promise<Uint8Array | undefined> {
  const opened = openRegularFileSync(path);
  if (!isOpened(opened)) throw notRegularFileError(path, opened);
  const { fd } = opened;
  try {
    const { size } = opened.stats;
    const head = new Uint8Array(XZ_MAGIC.length);
    const format = detectKernelBtfFormat(head.subarray(0, readSync(fd, head, 0, head.length, 0)));
    if (format === 'tar.xz') return undefined;
    if (size > maxBytes) {
      throw new FormatError(
        `file is ${size} bytes, more than the ${maxBytes} accepted (raise the kernel size limit to read it)`,
        { file: path },
      );
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
      const n = await readAt(fd, out, at, size - at);
      if (n === 0) break;
      at += n;
    }
    return format === 'btf' ? out.subarray(0, at) : btfOfElf(out.subarray(0, at), path);
  } finally {
    closeSync(fd);
  }
}

/** `length` bytes of `fd` at `position` into `into` at the same offset, on the thread pool; the count read. */
function readAt(fd: number, into: Uint8Array, position: number, length: number): Promise<number> {
  return new Promise((resolve, reject) =>
    read(fd, into, position, length, position, (err, n) => (err ? reject(err) : resolve(n))),
  );
}

function btfOfElf(bytes: Uint8Array, path: string): Uint8Array {
  const data = readElf(bytes, path).sectionData('.BTF');
  if (!data) throw new FormatError('ELF file has no .BTF section', { file: path });
  return data;
}
