import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { isElf } from './elf.js';
import { BTF_HEADER_LEN, btfByteOrder, readBtfHeader } from './format/btf-layout.js';
import { HostFileError } from './host-file.js';

/** Default largest BTF read from a file, raw or as an ELF `.BTF` section (kernel BTFs are 4–10 MB). */
export const MAX_BTF_FILE_BYTES = 64 * 1024 * 1024;

/** Largest ELF section header table or section name table read (real ones are a few kilobytes). */
const MAX_ELF_TABLE_BYTES = 16 * 1024 * 1024;

const SHT_NOBITS = 8;

/** `length` bytes at `offset` of `fd`; throws when the file is shorter. */
function readAt(fd: number, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  while (at < length) {
    const n = readSync(fd, out, at, length - at, offset + at);
    if (n === 0) throw new HostFileError(`file ends at byte ${offset + at}, inside data it declares`);
    at += n;
  }
  return out;
}

/** Throws unless `bytes` start with a BTF header whose sections lie inside `bytes`. */
function checkBtfHeader(bytes: Uint8Array, what: string): Uint8Array {
  if (bytes.length < BTF_HEADER_LEN)
    throw new HostFileError(`${what} is ${bytes.length} bytes, shorter than a BTF header`);
  const header = readBtfHeader(bytes);
  if (!header) throw new HostFileError(`${what} does not start with the BTF magic`);
  const { hdrLen, typeOff, typeLen, strOff, strLen } = header;
  const data = bytes.length - hdrLen;
  if (hdrLen < BTF_HEADER_LEN || data < 0)
    throw new HostFileError(`${what} has a BTF header length of ${hdrLen}`);
  if (typeOff + typeLen > data || strOff + strLen > data) {
    throw new HostFileError(`${what} declares BTF sections beyond its ${bytes.length} bytes`);
  }
  return bytes;
}

/** The `.BTF` section of the ELF file open on `fd` (`size` bytes, starting with `head`), read alone. */
function readElfBtf(fd: number, size: number, head: Uint8Array, maxBytes: number): Uint8Array {
  const is64 = head[4] === 2;
  if (head[4] !== 1 && !is64) throw new HostFileError(`ELF class ${head[4]} is neither 32 nor 64 bits`);
  const le = head[5] === 1;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const shoff = is64 ? Number(view.getBigUint64(40, le)) : view.getUint32(32, le);
  const [entsize, count, namesIndex] = (is64 ? [58, 60, 62] : [46, 48, 50]).map((o) =>
    view.getUint16(o, le),
  ) as [number, number, number];
  const tableBytes = entsize * count;
  if (
    count === 0 ||
    entsize < (is64 ? 64 : 40) ||
    tableBytes > MAX_ELF_TABLE_BYTES ||
    shoff + tableBytes > size
  ) {
    throw new HostFileError('ELF file has no usable section header table');
  }
  const table = readAt(fd, shoff, tableBytes);
  const tv = new DataView(table.buffer);
  const section = (i: number) => {
    const at = i * entsize;
    const field = (o64: number, o32: number) =>
      is64 ? Number(tv.getBigUint64(at + o64, le)) : tv.getUint32(at + o32, le);
    return {
      name: tv.getUint32(at, le),
      type: tv.getUint32(at + 4, le),
      offset: field(24, 16),
      size: field(32, 20),
    };
  };
  if (namesIndex >= count) throw new HostFileError('ELF section name table index is out of range');
  const names = section(namesIndex);
  if (names.size > MAX_ELF_TABLE_BYTES || names.offset + names.size > size) {
    throw new HostFileError('ELF section name table lies beyond the file');
  }
  const nameBytes = readAt(fd, names.offset, names.size);
  const wanted = [0x2e, 0x42, 0x54, 0x46, 0]; // ".BTF\0"
  for (let i = 0; i < count; i++) {
    const s = section(i);
    if (!wanted.every((b, k) => nameBytes[s.name + k] === b)) continue;
    if (s.type === SHT_NOBITS) throw new HostFileError('ELF .BTF section has no data');
    if (s.size > maxBytes)
      throw new HostFileError(`ELF .BTF section is ${s.size} bytes, more than the ${maxBytes} accepted`);
    if (s.offset + s.size > size) throw new HostFileError('ELF .BTF section lies beyond the end of the file');
    return checkBtfHeader(readAt(fd, s.offset, s.size), 'ELF .BTF section');
  }
  throw new HostFileError('ELF file has no .BTF section');
}

/**
 * The raw BTF in the file at `path`: the file itself when it is raw BTF (`/sys/kernel/btf/vmlinux`), or the
 * `.BTF` section of an ELF file (a vmlinux: only its section table and `.BTF` are read, however large the file).
 * The BTF header is checked. Only regular files are read (a FIFO or device is refused without blocking), and no
 * more than `maxBytes` of BTF. Throws {@link HostFileError} for anything else (a text file, a truncated BTF, ...),
 * or the `fs` error when the file cannot be opened.
 */
export function readBtfFile(path: string, maxBytes = MAX_BTF_FILE_BYTES): Uint8Array {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new HostFileError('not a regular file (a FIFO, device, socket or directory)');
    const head = readAt(fd, 0, Math.min(64, info.size));
    if (btfByteOrder(head) !== undefined) {
      if (info.size > maxBytes)
        throw new HostFileError(`${info.size} bytes, more than the ${maxBytes} accepted`);
      return checkBtfHeader(readAt(fd, 0, info.size), 'file');
    }
    if (head.length === 64 && isElf(head)) {
      return readElfBtf(fd, info.size, head, maxBytes);
    }
    throw new HostFileError('not BTF: expected raw BTF (magic 0xeb9f) or an ELF file with a .BTF section');
  } finally {
    closeSync(fd);
  }
}
