import { closeSync, constants, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { FileSource } from '../elf/file.js';
import { annotateError, BtfBundleError } from '../errors.js';
import { type BpfObject, readBpfObjectFrom } from '../object.js';

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  return 'a special file';
}

/**
 * Open an input file named on the command line (an object, a bundle) for reading: its descriptor and size. Only a
 * regular file is accepted: a FIFO or a device could block forever or never end. Opened non-blocking so that
 * checking a FIFO does not wait for a writer, and read through the descriptor checked, so that the path cannot
 * name something else by then. Any failure is a {@link BtfBundleError} naming the file.
 */
function openInputFile(path: string): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw annotateError(err, { file: path });
  }
  const stats = fstatSync(fd);
  if (stats.isFile()) return { fd, size: stats.size };
  closeSync(fd);
  throw new BtfBundleError(`is ${kindOf(stats)}, not a file`, { file: path }, { code: 'NOT_A_FILE' });
}

/**
 * Read and parse a BPF object named on the command line, a regular file only (see {@link openInputFile}), by
 * positioned reads of the sections used (`readBpfObject`). Any failure is a {@link BtfBundleError} naming the file.
 */
export function readInputObject(path: string): BpfObject {
  const opened = openInputFile(path);
  try {
    return readBpfObjectFrom(new FileSource(path, opened), path);
  } catch (err) {
    throw annotateError(err, { file: path });
  }
}

/** Read a whole input file named on the command line, a regular file only (see {@link openInputFile}). */
export function readInputFile(path: string): Uint8Array {
  const { fd } = openInputFile(path);
  try {
    return new Uint8Array(readFileSync(fd));
  } catch (err) {
    throw annotateError(err, { file: path });
  } finally {
    closeSync(fd);
  }
}
