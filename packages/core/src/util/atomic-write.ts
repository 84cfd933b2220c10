import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { annotateError } from '../errors.js';

/**
 * Write `data` to `path` atomically: into a uniquely named temp file next to it, then rename over it. Readers
 * see the old file or the new one, never a partial one; concurrent writers of the same path are safe (last wins).
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
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
