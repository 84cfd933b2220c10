import { type ChildProcess, spawn } from 'node:child_process';
import { BtfBundleError, FormatError } from '../errors.js';
import type { XzSource } from './xz-source.js';

/**
 * Memory the xz tool may use to decode one archive. Real kernel archives need 9 MiB (`xz -6`) to 65 MiB (`xz -9`,
 * a 64 MiB dictionary); a header asking for more is refused instead of allocated.
 */
const XZ_MEMORY_LIMIT = '256MiB';
/** Bytes of the tool's error output kept for the message (its errors are one short line). */
export const MAX_STDERR_BYTES = 4096;

/**
 * The arguments making xz decode `path` to its standard output (`--no-sparse`: into a file, runs of zeros are
 * written, not skipped with a seek that a file size limit would only catch at the end).
 */
export function xzDecodeArgs(path: string): string[] {
  const memory = `--memlimit-decompress=${XZ_MEMORY_LIMIT}`;
  return ['--decompress', '--stdout', '--no-warn', '--no-sparse', memory, '--', path];
}

/** How the child ended: exit code or signal, or the error that kept it from starting. */
export type Ending = { code: number | null; signal: NodeJS.Signals | null } | { error: Error };

/** A started xz decoder: how it ended, as the error to report (undefined for success), and how to stop it. */
export interface XzRun {
  /** Waits for the decoder to end; the error describing its failure, or undefined when it succeeded. */
  failure(): Promise<Error | undefined>;
  /** Kills the decoder if it still runs and waits for it: no decompression goes on after it, no zombie is left. */
  stop(): Promise<void>;
}

/** An {@link XzRun} that is a child of this process. */
export interface XzChild extends XzRun {
  /** The child process (its stdout is a pipe or the file it was given). */
  child: ChildProcess;
}

/**
 * Watches the xz child `child` decoding `path` with the tool at `xz`; {@link XzChild.failure} describes a failing
 * tool as {@link endingError} does.
 */
export function watchXzChild(child: ChildProcess, xz: string, path: string): XzChild {
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (text: string) => {
    if (stderr.length < MAX_STDERR_BYTES) stderr += text.slice(0, MAX_STDERR_BYTES - stderr.length);
  });
  const ended = new Promise<Ending>((resolve) => {
    child.once('error', (error) => resolve({ error }));
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  return {
    child,
    async failure() {
      return endingError(await ended, stderr, xz, path);
    },
    async stop() {
      child.stdout?.destroy();
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await ended;
    },
  };
}

/**
 * The error describing how the xz tool at `xz`, decoding `path`, ended (`stderr`: what it wrote there), or
 * undefined when it succeeded: a failing tool (corrupt or truncated data, a dictionary over
 * {@link XZ_MEMORY_LIMIT}, an output over its file size limit) is a {@link FormatError} with its message.
 */
export function endingError(end: Ending, stderr: string, xz: string, path: string): Error | undefined {
  if ('error' in end) return new BtfBundleError(`cannot run ${xz}: ${end.error.message}`, { file: path });
  if (end.code === 0) return undefined;
  if (end.signal === 'SIGXFSZ') {
    return new FormatError('corrupt .tar.xz: the archive decompresses to more than a kernel may hold', {
      file: path,
    });
  }
  if (end.signal) return new BtfBundleError(`${xz} was killed by ${end.signal}`, { file: path });
  // xz's first line says what failed: "<argv0>: <file>: Compressed data is corrupt".
  const line = stderr.trim().split('\n')[0]?.replace(`${xz}: `, 'xz: ').replace(`${path}: `, '');
  const detail = line || `xz exited with status ${end.code}`;
  return new FormatError(`corrupt .tar.xz: ${detail}`, { file: path });
}

/**
 * The xz file at `path` decompressed by the system xz tool at `xz` in a child process, its output streamed through
 * a pipe (the tool stops when the pipe is full, so it never runs far ahead of the reader). `stop` kills the child
 * and waits for it. A failing tool is reported when its output ends early; the failure is not reported if the
 * reader stopped before that point.
 */
export function nativeXzSource(xz: string, path: string): XzSource {
  const xzChild = watchXzChild(
    spawn(xz, xzDecodeArgs(path), { stdio: ['ignore', 'pipe', 'pipe'] }),
    xz,
    path,
  );
  const stdout = xzChild.child.stdout as NonNullable<ChildProcess['stdout']>;
  const chunks = stdout[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  return {
    async next() {
      let result: IteratorResult<Buffer>;
      try {
        result = await chunks.next();
      } catch (err) {
        throw (await xzChild.failure()) ?? err;
      }
      if (!result.done) return result.value;
      const err = await xzChild.failure();
      if (err) throw err;
      return undefined;
    },
    stop: () => xzChild.stop(),
  };
}
