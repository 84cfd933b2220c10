import {
  mkdir as mkdirCallback,
  rename as renameCallback,
  rm as rmCallback,
  writeFile as writeFileCallback,
} from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { annotateError } from '../errors.js';

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

/** The atomic writes of this thread not finished yet. */
const pendingWrites = new Set<Promise<void>>();

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
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const write = writeThroughTempFile(path, data);
  pendingWrites.add(write);
  const forget = () => pendingWrites.delete(write);
  write.then(forget, forget);
  return write;
}

/**
 * Resolves once every atomic write this thread has started is finished (renamed into place, or failed and its
 * temp file removed): what an interrupted process waits for, so that it leaves no temp file behind.
 */
export async function settleAtomicWrites(): Promise<void> {
  while (pendingWrites.size > 0) await Promise.allSettled([...pendingWrites]);
}

async function writeThroughTempFile(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  let tmp = '';
  try {
    tmp = await createTempFile(path, data);
    await rename(tmp, path);
  } catch (err) {
    if (tmp) await rm(tmp, { force: true });
    throw err;
  }
}

/** Write an output atomically (see {@link writeFileAtomic}); a failure names `path`, not its temp file. */
export async function writeOutputFile(path: string, data: Uint8Array | string): Promise<void> {
  try {
    await writeFileAtomic(path, data);
  } catch (err) {
    throw annotateError(err, { file: path });
  }
}
