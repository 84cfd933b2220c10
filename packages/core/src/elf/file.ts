import { closeSync, readSync } from 'node:fs';
import { FormatError, notRegularFileError } from '../errors.js';
import { isOpened, openRegularFileSync } from '../util/regular-file.js';
import type { ByteSource } from './elf.js';

/**
 * A {@link ByteSource} over a file, read at offsets: only the parts of the file that are asked for are read. It
 * holds one descriptor until {@link close}; a read after that opens the file again for that read alone.
 */
export class FileSource implements ByteSource {
  readonly size: number;
  private fd: number | undefined;

  /**
   * Open `path`, a regular file only (a FIFO is refused, not waited for: `openRegularFileSync`; the file's own
   * errors, ENOENT and the like, are thrown as they are), or take `opened`: a descriptor of it open for reading and
   * its size, which the source then owns.
   */
  constructor(
    readonly path: string,
    opened?: { fd: number; size: number },
  ) {
    const own = opened ?? openRegular(path);
    this.fd = own.fd;
    this.size = own.size;
  }

  read(offset: number, length: number): Uint8Array {
    const bytes = new Uint8Array(length);
    const held = this.fd;
    const fd = held ?? openRegular(this.path).fd;
    try {
      let done = 0;
      while (done < length) {
        const n = readSync(fd, bytes, done, length - done, offset + done);
        if (n === 0) {
          throw new FormatError(
            `file ended at offset ${offset + done}, before the ${length} bytes read at offset ${offset} (did it change while read?)`,
            { file: this.path },
          );
        }
        done += n;
      }
    } finally {
      if (held === undefined) closeSync(fd);
    }
    return bytes;
  }

  /** Release the descriptor (later reads open the file again, each for itself). */
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** `path` opened for reading if it is a regular file (`openRegularFileSync`), else a FormatError naming it. */
function openRegular(path: string): { fd: number; size: number } {
  const opened = openRegularFileSync(path);
  if (!isOpened(opened)) throw notRegularFileError(path, opened);
  return { fd: opened.fd, size: opened.stats.size };
}
