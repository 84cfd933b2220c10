import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

/** Makes temp directories, and takes others made elsewhere, to remove once the test file is done. */
export interface TempDirs {
  /** A fresh directory under the system temp dir, named `<prefix>XXXXXX`. */
  (prefix: string): string;
  /** Remove `dir` with the others; returns it. */
  adopt(dir: string): string;
}

/** A {@link TempDirs} whose directories are removed after the test file (call at a test file's top level). */
export function tempDirs(): TempDirs {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });
  const adopt = (dir: string) => {
    made.push(dir);
    return dir;
  };
  return Object.assign((prefix: string) => adopt(mkdtempSync(join(tmpdir(), prefix))), { adopt });
}
