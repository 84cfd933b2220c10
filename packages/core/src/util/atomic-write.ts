import {
  mkdir as mkdirCallback,
  rename as renameCallback,
  rm as rmCallback,
  rmdirSync,
  writeFile as writeFileCallback,
} from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { annotateError } from '../errors.js';
import { outputKind, writeStandardOutput } from './standard-output.js';

// The callback forms, promisified: loading `node:fs/promises` (with the stream and readline modules it loads)
// would cost the CLI's start a few milliseconds, and its single-kernel run writes one file.
const mkdir = promisify(mkdirCallback);
const rename = promisify(renameCallback);
const rm = promisify(rmCallback);
const writeFile = promisify(writeFileCallback);

/** A random tag of this thread (threads of one process draw their own) for its temp files' names. */
const threadTag = Math.floor(Math.random() * 2 ** 32).toString(36);
/** Temp files this thread has made. */
let tempCount = 0;

/**
 * The name of this thread's `n`-th temp file for `path`: next to it, with the pid, the thread's tag and `n`. A name
 * already taken is skipped (see {@link createTempFile}): the tag only makes that rare.
 */
export function tempFileName(path: string, n: number): string {
  return `${path}.${process.pid}.${threadTag}.${n}.tmp`;
}

/** The atomic writes of this thread not finished yet, with the absolute path each writes. */
const pendingWrites = new Map<Promise<void>, string>();
/** The directories (absolute paths) this thread's atomic writes created (see {@link removeCreatedDirs}). */
const createdDirs = new Set<string>();

/**
 * Writes `data` into a new temp file next to `path` and returns its name. The file is created exclusively: a
 * temp file left by a crashed process that had the same pid is skipped, never written through.
 */
async function createTempFile(path: string, data: Uint8Array | string): Promise<string> {
  for (;;) {
    const tmp = tempFileName(path, ++tempCount);
    try {
      await writeFile(tmp, data, { flag: 'wx' });
      return tmp;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        await rm(tmp, { force: true });
        throw err;
      }
    }
  }
}

/**
 * Write `data` to `path` atomically: into a uniquely named temp file next to it, then rename over it. Readers
 * see the old file or the new one, never a partial one; concurrent writers of the same path are safe (last wins).
 * Missing directories are created; a failed write removes those it leaves empty (see {@link removeCreatedDirs}).
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const write = writeThroughTempFile(path, data);
  pendingWrites.set(write, resolve(path));
  // Before the caller hears of the outcome (handlers run in the order they were added).
  write.then(
    () => pendingWrites.delete(write),
    () => {
      pendingWrites.delete(write);
      removeCreatedDirs(dirname(resolve(path)));
    },
  );
  return write;
}

/**
 * Resolves once every atomic write this thread has started is finished (renamed into place, or failed and its
 * temp file removed): what an interrupted process waits for, so that it leaves no temp file behind.
 */
export async function settleAtomicWrites(): Promise<void> {
  while (pendingWrites.size > 0) await Promise.allSettled([...pendingWrites.keys()]);
}

async function writeThroughTempFile(path: string, data: Uint8Array | string): Promise<void> {
  const dir = dirname(resolve(path));
  const first = await mkdir(dir, { recursive: true });
  if (first !== undefined) {
    // mkdir made `first` and every directory below it down to `dir`.
    const below = relative(first, dir);
    const parts = below === '' ? [] : below.split(sep);
    for (let i = 0; i <= parts.length; i++) createdDirs.add(join(first, ...parts.slice(0, i)));
  }
  let tmp = '';
  try {
    tmp = await createTempFile(path, data);
    await rename(tmp, path);
  } catch (err) {
    if (tmp) await rm(tmp, { force: true });
    throw err;
  }
}

/**
 * After a failed write into `dir` (absolute): remove `dir` and its parents, as far as this thread's writes created them and
 * they are empty, so that a failed run (a full disk) leaves no empty directories behind. A directory another
 * pending write goes into is kept (its write may not have made its temp file yet); that write cleans up if it
 * fails too. Synchronous, so that no write starts into a directory between the check and its removal.
 */
function removeCreatedDirs(dir: string): void {
  for (let at = dir; createdDirs.has(at); at = dirname(at)) {
    const inside = at + sep;
    for (const path of pendingWrites.values()) if (path.startsWith(inside)) return;
    try {
      rmdirSync(at);
    } catch {
      return; // not empty (an output written there), or gone
    }
    createdDirs.delete(at);
  }
}

/**
 * Write an output atomically (see {@link writeFileAtomic}), or to standard output when `path` names it (`-`,
 * `/dev/stdout`: see `outputKind`); a failure names `path`, not its temp file.
 */
export async function writeOutputFile(path: string, data: Uint8Array | string): Promise<void> {
  try {
    await (outputKind(path) === 'stdout' ? writeStandardOutput(data) : writeFileAtomic(path, data));
  } catch (err) {
    throw annotateError(err, { file: path });
  }
}
