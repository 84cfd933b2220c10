import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { watchXzChild, xzDecodeArgs } from './xz-native.js';
import type { XzSource } from './xz-source.js';

/** Bytes handed out per chunk while reading a decoded file (one buffer, reused: the reader copies each chunk). */
const CHUNK_BYTES = 1024 * 1024;
/** The unit of the shell's `ulimit -f` (POSIX: 512-byte blocks). */
const ULIMIT_BLOCK = 512;

let counter = 0;

/** A `.btf.tar.xz` being decoded ahead of its read, into an unnamed temporary file. */
export interface XzAhead {
  /** The archive being decoded. */
  readonly path: string;
  /** Its decompressed bytes, once (the source owns the decode: stopping it ends the child and frees the file). */
  source(): XzSource;
  /** Ends the decode unread: kills the child if it still runs, waits for it and frees the file. */
  cancel(): Promise<void>;
}

/**
 * Starts decoding the xz file at `path` with the system xz tool at `xz`, in a child process writing into a
 * temporary file, so that it runs while the caller does other work. The file is created exclusively and unlinked
 * at once (only its descriptors keep it: nothing is left on disk whatever happens to this process), and the
 * child may write at most `maxBytes` (rounded up to 512 bytes) into it: past that the kernel stops it with
 * SIGXFSZ, so that a hostile archive costs bounded CPU and disk. The decoded bytes are read after the child ends;
 * its failure is reported only if the reader asks for bytes past what it wrote (as with the piped decoder,
 * trailing data that the reader never reaches is harmless).
 */
export function decodeXzAhead(xz: string, path: string, maxBytes: number): XzAhead {
  const file = join(tmpdir(), `btf-bundle-xz-${process.pid}-${threadId}-${counter++}`);
  const fd = openSync(file, 'wx+', 0o600);
  let open = true;
  try {
    unlinkSync(file);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  const blocks = Math.ceil(maxBytes / ULIMIT_BLOCK);
  let xzChild: ReturnType<typeof watchXzChild>;
  try {
    const child = spawn(
      '/bin/sh',
      ['-c', 'ulimit -f "$1" && shift && exec "$@"', 'sh', String(blocks), xz, ...xzDecodeArgs(path)],
      { stdio: ['ignore', fd, 'pipe'] },
    );
    xzChild = watchXzChild(child, xz, path);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  const release = async (): Promise<void> => {
    await xzChild.stop();
    if (open) closeSync(fd);
    open = false;
  };
  const source = (): XzSource => {
    const chunk = new Uint8Array(CHUNK_BYTES);
    let position = 0;
    let ended = false;
    return {
      async next() {
        if (!ended) {
          await xzChild.failure();
          ended = true;
        }
        if (!open) return undefined;
        const n = readSync(fd, chunk, 0, chunk.length, position);
        position += n;
        if (n > 0) return chunk.subarray(0, n);
        const err = await xzChild.failure();
        if (err) throw err;
        return undefined;
      },
      stop: release,
    };
  };
  return { path, source, cancel: release };
}
