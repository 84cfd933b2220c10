import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { annotateError, BtfBundleError } from '../errors.js';

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'a special file';
}

/**
 * Open an input file named on the command line (an object, a bundle) for reading. Only a regular file is accepted:
 * a FIFO or a device could block forever or never end. Opened non-blocking so that checking a FIFO does not wait
 * for a writer. Any failure is a {@link BtfBundleError} naming the file.
 */
function openInputFile(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw annotateError(err, { file: path });
  }
  const stats = fstatSync(fd);
  if (stats.isFile()) return fd;
  closeSync(fd);
  throw new BtfBundleError(`is ${kindOf(stats)}, not a file`, { file: path }, { code: 'NOT_A_FILE' });
}

/** Throw (naming the file) unless `path` is a regular file that can be opened: before another reader opens it. */
export function checkInputFile(path: string): void {
  closeSync(openInputFile(path));
}

/** Read a whole input file named on the command line, a regular file only (see {@link checkInputFile}). */
export function readInputFile(path: string): Uint8Array {
  const fd = openInputFile(path);
  try {
    return new Uint8Array(readFileSync(fd));
  } catch (err) {
    throw annotateError(err, { file: path });
  } finally {
    closeSync(fd);
  }
}
