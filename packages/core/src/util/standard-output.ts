import { resolve } from 'node:path';

/** The output name that means standard output. */
export const STANDARD_OUTPUT = '-';

/** The names of this process's standard output as a file (links through /proc to descriptor 1). */
const STDOUT_NAMES = new Set(['/dev/stdout', '/dev/fd/1', '/proc/self/fd/1']);
/** Other names of open descriptors: links through /proc that a file written next to them would replace. */
const DESCRIPTOR_NAME = /^\/(?:dev\/(?:stdin|stderr|fd\/\d+)|proc\/(?:self|thread-self|\d+)\/fd\/\d+)$/;

/**
 * What an output path names: `stdout` for {@link STANDARD_OUTPUT} and the names of descriptor 1 (`/dev/stdout`,
 * `/dev/fd/1`, `/proc/self/fd/1`), which are written as a stream; `descriptor` for the name of another open
 * descriptor (`/dev/stderr`, `/dev/fd/3`, ...), which cannot be written as a file (the atomic write would replace
 * the link in /dev or /proc by a file); `file` for anything else.
 */
export function outputKind(path: string): 'stdout' | 'descriptor' | 'file' {
  if (path === STANDARD_OUTPUT) return 'stdout';
  const absolute = resolve(path);
  if (STDOUT_NAMES.has(absolute)) return 'stdout';
  return DESCRIPTOR_NAME.test(absolute) ? 'descriptor' : 'file';
}

/**
 * Write `data` to standard output; resolves once the stream took it, rejects with the stream's error (EPIPE when
 * the reader is gone) instead of leaving it to an `error` event.
 */
export function writeStandardOutput(data: Uint8Array | string): Promise<void> {
  const stdout = process.stdout;
  return new Promise((resolve, reject) => {
    stdout.once('error', reject);
    stdout.write(data, (err) => {
      // A failed write's `error` event comes after this callback: the listener stays to take it.
      if (err) return reject(err);
      stdout.off('error', reject);
      resolve();
    });
  });
}
