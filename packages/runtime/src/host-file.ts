import { closeSync, constants, fstatSync, lstatSync, openSync, readlinkSync, readSync } from 'node:fs';
import { isAbsolute, join, posix, resolve } from 'node:path';

/** Links followed while resolving one path before giving up (Linux's own limit). */
const MAX_LINKS = 40;

/** Why {@link readBoundedFile} or {@link resolveInRoot} failed, as a short message without the path. */
export class HostFileError extends Error {
  override name = 'HostFileError';
}

/**
 * The path of `relPath` under `root` with every symbolic link resolved as if `root` were `/`: an absolute link
 * target (`etc/os-release -> /usr/lib/os-release`) is taken under `root`, and `..` never climbs above it. This is
 * what a process chrooted to `root` (the host, seen from a container that mounts it there) would open.
 * Throws {@link HostFileError} on a link loop.
 */
export function resolveInRoot(root: string, relPath: string): string {
  const base = resolve(root);
  if (base === '/') return resolve('/', relPath);
  const pending = posix.normalize(`/${relPath}`).split('/').filter(Boolean);
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '.') continue;
    if (part === '..') {
      done.pop();
      continue;
    }
    const here = join(base, ...done, part);
    const info = lstatOrUndefined(here);
    if (!info?.isSymbolicLink()) {
      done.push(part);
      continue;
    }
    if (++links > MAX_LINKS) throw new HostFileError(`too many levels of symbolic links under ${root}`);
    const target = readlinkSync(here);
    if (isAbsolute(target)) done.length = 0;
    pending.unshift(...target.split('/').filter(Boolean));
  }
  return join(base, ...done);
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The bytes of the regular file at `path`, refusing anything else without blocking (FIFOs, devices, sockets,
 * directories) and any file over `maxBytes` (whatever its stat size says: `/proc`-like files report 0 and are
 * read up to the limit). Throws {@link HostFileError}, or the `fs` error when the file cannot be opened.
 */
export function readBoundedFile(path: string, maxBytes: number): Uint8Array {
  // Non-blocking: opening a FIFO for reading would otherwise wait for a writer forever.
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const info = fstatSync(fd);
    if (!info.isFile()) throw new HostFileError('not a regular file (a FIFO, device, socket or directory)');
    if (info.size > maxBytes)
      throw new HostFileError(`${info.size} bytes, more than the ${maxBytes} accepted`);
    const limit = maxBytes + 1; // one byte more tells a file at the limit from one beyond it
    let out = new Uint8Array(Math.min(limit, Math.max(info.size + 1, 4096)));
    let at = 0;
    for (;;) {
      if (at === out.length) {
        if (out.length === limit) break;
        const grown = new Uint8Array(Math.min(limit, out.length * 2));
        grown.set(out);
        out = grown;
      }
      const n = readSync(fd, out, at, out.length - at, null);
      if (n === 0) break;
      at += n;
    }
    if (at > maxBytes) throw new HostFileError(`more than the ${maxBytes} bytes accepted`);
    return out.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}
