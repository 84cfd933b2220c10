import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { canRunInLauncher, type LauncherRun, runInLauncher } from './xz-launcher.js';
import { endingError, MAX_STDERR_BYTES, watchXzChild, type XzRun, xzDecodeArgs } from './xz-native.js';
import type { XzSource } from './xz-source.js';

/** Bytes handed out per chunk while reading a decoded file (one buffer, reused: the reader copies each chunk). */
const CHUNK_BYTES = 1024 * 1024;
/** The unit of the shell's `ulimit -f` (POSIX: 512-byte blocks). */
const ULIMIT_BLOCK = 512;
/** The `ulimit -f` value that lets a decoder write `maxBytes`: in blocks, rounded up. */
const limitBlocks = (maxBytes: number) => Math.ceil(maxBytes / ULIMIT_BLOCK);

let counter = 0;

/** This process's hard file size limit in bytes (Infinity when unlimited or unknown), read once per thread. */
let hardFileSizeLimit: number | undefined;

/**
 * Whether a decoder may write `maxBytes` into its file under this process's file size limit: false when the process
 * runs under a hard `RLIMIT_FSIZE` below it (`ulimit -f`, `prlimit --fsize`), which its decoders inherit and cannot
 * raise. A kernel larger than that limit would then stop the decoder as a hostile archive does; read without a
 * file (the piped decoder), it is not bounded by it. Read from `/proc/self/limits`; where that cannot be read, the
 * limit is unknown and taken as no lower than `maxBytes`.
 */
export function canDecodeAhead(maxBytes: number): boolean {
  if (hardFileSizeLimit === undefined) {
    let limits = '';
    try {
      limits = readFileSync('/proc/self/limits', 'latin1');
    } catch {
      // no such file on this system: the limit is unknown
    }
    // "Max file size   <soft>   <hard>   bytes", each limit a number or "unlimited"
    const hard = /^Max file size\s+\S+\s+(\d+)\s/m.exec(limits)?.[1];
    hardFileSizeLimit = hard === undefined ? Infinity : Number(hard);
  }
  return hardFileSizeLimit >= limitBlocks(maxBytes) * ULIMIT_BLOCK;
}

/** A `.btf.tar.xz` being decoded ahead of its read, into an unnamed temporary file. */
export interface XzAhead {
  /** The archive being decoded. */
  readonly path: string;
  /** Its decompressed bytes, once (the source owns the decode: stopping it ends the decoder and frees the file). */
  source(): XzSource;
  /** Ends the decode unread: kills the decoder if it still runs, waits for it and frees the file. */
  cancel(): Promise<void>;
}

/**
 * Starts decoding the xz file at `path` with the system xz tool at `xz` into a temporary file, so that it runs while
 * the caller does other work; the tool is started by this thread's launcher shell where it can be (see
 * {@link startDecoder}). The file is created exclusively and unlinked at once (only its descriptors keep it:
 * nothing is left on disk whatever happens to this process), and the tool may write at most `maxBytes` (rounded up
 * to 512 bytes) into it: past that the kernel stops it with SIGXFSZ, so that a hostile archive costs bounded CPU
 * and disk (a lower limit of this process's would hold instead: the caller checks {@link canDecodeAhead} first).
 * The decoded bytes are read after the tool ends; its failure is reported only if the reader asks for bytes past
 * what it wrote (as with the piped decoder, trailing data that the reader never reaches is harmless).
 */
export function decodeXzAhead(xz: string, path: string, maxBytes: number): XzAhead {
  const fd = openUnlinkedFile();
  let open = true;
  let decoder: XzRun;
  try {
    decoder = startDecoder(xz, path, fd, limitBlocks(maxBytes));
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  const release = async (): Promise<void> => {
    await decoder.stop();
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
          await decoder.failure();
          ended = true;
        }
        if (!open) return undefined;
        const n = readSync(fd, chunk, 0, chunk.length, position);
        position += n;
        if (n > 0) return chunk.subarray(0, n);
        const err = await decoder.failure();
        if (err) throw err;
        return undefined;
      },
      stop: release,
    };
  };
  return { path, source, cancel: release };
}

/**
 * A temporary file created exclusively and unlinked at once: only the returned descriptor (and its copies) keep it.
 * Its name ends in `suffix` (`.err` for a decoder's error output), for whoever lists the open files.
 */
function openUnlinkedFile(suffix = ''): number {
  const file = join(tmpdir(), `btf-bundle-xz-${process.pid}-${threadId}-${counter++}${suffix}`);
  const fd = openSync(file, 'wx+', 0o600);
  try {
    unlinkSync(file);
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  return fd;
}

/**
 * Starts xz decoding `path` into the file `fd`, under a file size limit of `blocks` 512-byte blocks (or the lower
 * hard limit this process runs under): through this thread's launcher shell where it can run (see
 * {@link runInLauncher}), else as a child of this process.
 */
function startDecoder(xz: string, path: string, fd: number, blocks: number): XzRun {
  const argv = [xz, ...xzDecodeArgs(path)];
  if (canRunInLauncher(argv)) {
    const stderrFd = openUnlinkedFile('.err');
    const run = runInLauncher({ argv, blocks, stdoutFd: fd, stderrFd });
    if (run) return launchedDecoder(run, stderrFd, xz, path);
    closeSync(stderrFd);
  }
  const child = spawn(
    '/bin/sh',
    // A limit above the hard one this process was given cannot be set: the lower one then holds.
    ['-c', 'ulimit -f "$1" 2>/dev/null; shift && exec "$@"', 'sh', String(blocks), ...argv],
    { stdio: ['ignore', fd, 'pipe'] },
  );
  return watchXzChild(child, xz, path);
}

/**
 * The {@link XzRun} of a decoder started by the launcher, writing its errors into the file `stderrFd` (read and
 * closed as soon as the decoder ends). Stopping it kills the decoder by its process id unless its end was seen: the
 * launcher has not reaped it before reporting it started, and its end is reported right after it is reaped.
 */
function launchedDecoder(run: LauncherRun, stderrFd: number, xz: string, path: string): XzRun {
  let ended = false;
  const failure = run.ended.then((end) => {
    ended = true;
    let stderr = '';
    try {
      if (!('error' in end) && end.code !== 0) {
        const text = new Uint8Array(MAX_STDERR_BYTES);
        stderr = Buffer.from(text.subarray(0, readSync(stderrFd, text, 0, text.length, 0))).toString('utf8');
      }
    } finally {
      closeSync(stderrFd);
    }
    return endingError(end, stderr, xz, path);
  });
  return {
    failure: () => failure,
    async stop() {
      const pid = await run.started;
      if (!ended && pid !== undefined) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone: its end is on its way
        }
      }
      await failure.catch(() => undefined);
    },
  };
}
