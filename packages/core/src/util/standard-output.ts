import { fstatSync, readFileSync, type Stats, statSync } from 'node:fs';
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
 * What this process's standard output (descriptor 1) is, for a command about to write an output there: `closed`
 * (nothing would receive it, see {@link isReopenedClosed}), a `terminal`, a regular `file` (its stats, to be checked
 * against the inputs), or `other` (a pipe, a socket, a device such as /dev/null opened by the user).
 */
export type StandardOutputState =
  | { kind: 'closed' }
  | { kind: 'terminal' }
  | { kind: 'file'; stats: Stats }
  | { kind: 'other' };

/** Access mode bits of open(2)'s flags, and the read-write mode. */
const O_ACCMODE = 0o3;
const O_RDWR = 0o2;

/**
 * Whether descriptor 1, whose stats are `stats`, is the /dev/null that Node opens in place of a closed standard
 * descriptor when it starts (read-write, where a shell's `>/dev/null` opens it write-only). Read from Linux's
 * /proc/self/fdinfo; elsewhere (no /proc) a closed standard output cannot be told from /dev/null: false. A process
 * started with its standard output ignored (`stdio: 'ignore'` of node:child_process, also /dev/null read-write)
 * counts as closed too: there as well nothing receives the output.
 */
function isReopenedClosed(stats: Stats): boolean {
  if (!stats.isCharacterDevice()) return false;
  try {
    if (stats.rdev !== statSync('/dev/null').rdev) return false;
    const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/fdinfo/1', 'latin1'))?.[1];
    return flags !== undefined && (Number.parseInt(flags, 8) & O_ACCMODE) === O_RDWR;
  } catch {
    return false;
  }
}

/** What standard output is now (see {@link StandardOutputState}). */
export function standardOutputState(): StandardOutputState {
  let stats: Stats;
  try {
    stats = fstatSync(1);
  } catch {
    return { kind: 'closed' };
  }
  if (isReopenedClosed(stats)) return { kind: 'closed' };
  // node:tty (with node:net) is loaded only here: a run that writes no output to standard output never needs it.
  if (process.getBuiltinModule('node:tty').isatty(1)) return { kind: 'terminal' };
  return stats.isFile() ? { kind: 'file', stats } : { kind: 'other' };
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
