import { closeSync, readFileSync } from 'node:fs';
import { FileSource } from '../elf/file.js';
import { annotateError, BtfBundleError } from '../errors.js';
import { type BpfObject, readBpfObjectFrom } from '../object.js';
import { describeFileKind, isOpened, openRegularFileSync } from '../util/regular-file.js';

/**
 * Open an input file named on the command line (an object, a bundle) for reading: its descriptor and size. Only a
 * regular file is accepted, opened without blocking (`openRegularFileSync`): a FIFO or a device could block forever
 * or never end. Any failure is a {@link BtfBundleError} naming the file.
 */
function openInputFile(path: string): { fd: number; size: number } {
  let opened: ReturnType<typeof openRegularFileSync>;
  try {
    opened = openRegularFileSync(path);
  } catch (err) {
    throw annotateError(err, { file: path });
  }
  if (isOpened(opened)) return { fd: opened.fd, size: opened.stats.size };
  throw new BtfBundleError(
    `is ${describeFileKind(opened)}, not a file`,
    { file: path },
    { code: 'NOT_A_FILE' },
  );
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
