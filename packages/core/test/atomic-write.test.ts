import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempFileName, writeFileAtomic } from '../src/util/atomic-write.js';
import { tempDirs } from './temp-dirs.js';

const temp = tempDirs();

describe('writeFileAtomic', () => {
  it('writes the file and leaves no temp file behind', async () => {
    const dir = temp('atomic-write-');
    await writeFileAtomic(join(dir, 'a', 'out.bin'), 'new');
    expect(readFileSync(join(dir, 'a', 'out.bin'), 'utf8')).toBe('new');
    expect(readdirSync(join(dir, 'a'))).toEqual(['out.bin']);
  });

  it('never writes through a temp file left by a crashed process that had the same pid', async () => {
    const dir = temp('atomic-write-');
    const out = join(dir, 'out.bin');
    // Stale temp files under the names this thread tries next (its counter is below 200 in this file).
    await writeFileAtomic(out, 'first');
    const stale = Array.from({ length: 200 }, (_, k) => tempFileName(out, k + 1));
    for (const name of stale) writeFileSync(name, 'stale');
    await writeFileAtomic(out, 'second');
    expect(readFileSync(out, 'utf8')).toBe('second');
    for (const name of stale) expect(readFileSync(name, 'utf8')).toBe('stale');
  });
});
