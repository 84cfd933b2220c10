/**
 * A second SIGTERM ends the CLI at once, even when a thread of Node's pool is blocked in a read that never returns
 * (there `process.exit` waits forever for the pool). The blocked read is a real one: a preloaded script opens a
 * FIFO that has no writer on the pool, in the CLI's own process; a first SIGTERM then finishes the work in flight
 * but cannot exit.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testdata } from './btf-helpers.js';
import { SAMPLE_SNAPSHOT } from './build-fixtures.js';
import { CLI } from './cli-run.js';
import { tempDirs } from './temp-dirs.js';

const temp = tempDirs();

/** Resolves with `child`'s exit, or with 'still running' after `ms`. */
function exitWithin(
  child: ReturnType<typeof spawn>,
  ms: number,
): Promise<{ code: number | null; signal: string | null } | 'still running'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('still running'), ms);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
}

describe('SIGTERM with a read blocked on the thread pool', () => {
  it('the second signal ends the process at once, and no partial output is left', async () => {
    const dir = temp('btf-signal-');
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const blocker = join(dir, 'block.cjs');
    writeFileSync(
      blocker,
      "if (require('node:worker_threads').isMainThread) require('node:fs').readFile(process.env.BLOCK_ON, () => {});\n",
    );
    const out = join(dir, 'out', 'b.bin');
    const child = spawn(
      'node',
      [
        '--require',
        blocker,
        CLI,
        'build',
        '--snapshot',
        SAMPLE_SNAPSHOT,
        '--objects',
        join(testdata, 'execsnoop.bpf.o'),
        '--out',
        out,
        '--no-cache',
      ],
      { env: { ...process.env, BLOCK_ON: fifo }, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    const seen = (pattern: RegExp) =>
      new Promise<void>((resolve) => {
        const check = () => pattern.test(stderr) && resolve();
        child.stderr?.on('data', (chunk) => {
          stderr += chunk;
          check();
        });
        check();
      });
    try {
      await seen(/\[1\/\d+\]/);
      child.kill('SIGTERM');
      await seen(/btf-bundle: terminated, finishing the files being written/);
      // The work in flight is done, and the exit is stuck behind the blocked read.
      expect(await exitWithin(child, 3000), stderr).toBe('still running');
      child.kill('SIGTERM');
      expect(await exitWithin(child, 10_000), stderr).toEqual({ code: null, signal: 'SIGTERM' });
    } finally {
      child.kill('SIGKILL');
    }
    expect(readdirSync(dir).sort()).toEqual(['block.cjs', 'fifo']);
  });
});
