import {
  close,
  closeSync,
  constants,
  type Dirent,
  fstat,
  fstatSync,
  open,
  openSync,
  read,
  type Stats,
} from 'node:fs';

// Only node:fs here: the CLI's executable (cli/compile-cache.ts) reads its code cache with this module before the
// CLI itself, and its errors, are loaded.

/** What a file that is not a regular one is, for messages: `a FIFO`, `a character device`, `a directory`, ... */
export function describeFileKind(info: Stats | Dirent): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  return 'a special file';
}

/** How {@link openRegularFileSync}, {@link openRegularFile} and {@link readRegularFile} open a file. */
export interface RegularFileOptions {
  /** Refuse a path that is itself a symbolic link (the open fails with ELOOP). Default: links are followed. */
  noFollow?: boolean;
  /** Largest size accepted, in bytes: a larger file is refused like a non-regular one. Default: any size. */
  maxBytes?: number;
}

/** A regular file opened for reading: its descriptor (the caller closes it) and what `fstat` said of it. */
export interface OpenedRegularFile {
  fd: number;
  stats: Stats;
}

/**
 * The one rule for reading a file that must be a regular file: opened read-only and non-blocking (opening a FIFO
 * does not wait for a writer, and a special file that honours O_NONBLOCK does not stall its reads), then checked
 * through the descriptor, so that the path cannot name something else by the time it is read. A FIFO, device,
 * socket, directory or over-large file could block forever, never end or exhaust memory.
 */
function openFlags(options: RegularFileOptions): number {
  return constants.O_RDONLY | constants.O_NONBLOCK | (options.noFollow ? constants.O_NOFOLLOW : 0);
}

/** Whether what `fstat` said of an opened file makes it one to read (see {@link openFlags}). */
function accepted(stats: Stats, options: RegularFileOptions): boolean {
  return stats.isFile() && (options.maxBytes === undefined || stats.size <= options.maxBytes);
}

/**
 * Open `path` for reading if it is a regular file (within `maxBytes`), without blocking: its descriptor and stats;
 * else the stats of what is there (closed again), for the caller to refuse it in its own words. The open's own
 * errors (ENOENT, ELOOP for a link with `noFollow`, ...) are thrown as they are.
 */
export function openRegularFileSync(
  path: string,
  options: RegularFileOptions = {},
): OpenedRegularFile | Stats {
  const fd = openSync(path, openFlags(options));
  let stats: Stats;
  try {
    stats = fstatSync(fd);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  if (accepted(stats, options)) return { fd, stats };
  closeSync(fd);
  return stats;
}

/** {@link openRegularFileSync} on Node's thread pool. */
export function openRegularFile(
  path: string,
  options: RegularFileOptions = {},
): Promise<OpenedRegularFile | Stats> {
  return new Promise((resolve, reject) =>
    open(path, openFlags(options), (err, fd) => {
      if (err) return reject(err);
      fstat(fd, (statErr, stats) => {
        if (!statErr && accepted(stats, options)) return resolve({ fd, stats });
        close(fd, () => (statErr ? reject(statErr) : resolve(stats)));
      });
    }),
  );
}

/** Whether an {@link openRegularFileSync} / {@link openRegularFile} result is an opened file. */
export function isOpened(result: OpenedRegularFile | Stats): result is OpenedRegularFile {
  return 'fd' in result;
}

/**
 * The whole contents of `path` if it is a regular file (see {@link openRegularFile}), read on Node's thread pool
 * through the descriptor checked; else the stats of what is there. The open's and the read's errors are thrown.
 */
export async function readRegularFile(
  path: string,
  options: RegularFileOptions = {},
): Promise<Buffer | Stats> {
  const opened = await openRegularFile(path, options);
  if (!isOpened(opened)) return opened;
  const { fd, stats } = opened;
  try {
    const bytes = Buffer.alloc(stats.size);
    let at = 0;
    while (at < bytes.length) {
      const n = await readAt(fd, bytes, at);
      if (n === 0) break; // the file shrank meanwhile
      at += n;
    }
    return bytes.subarray(0, at);
  } finally {
    await new Promise((resolve) => close(fd, resolve));
  }
}

/** Read into `bytes` from offset `at` of the file and of the buffer: the count read. */
function readAt(fd: number, bytes: Buffer, at: number): Promise<number> {
  return new Promise((resolve, reject) =>
    read(fd, bytes, at, bytes.length - at, at, (err, n) => (err ? reject(err) : resolve(n))),
  );
}
