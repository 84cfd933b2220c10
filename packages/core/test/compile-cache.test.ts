/**
 * The `btf-bundle` executable keeps V8's code cache of the bundled CLI per sub-command in
 * `$XDG_CACHE_HOME/btf-bundle/v8`: made by a first run, used (not rewritten) by the next, replaced when V8 refuses
 * it, never read from a directory others can write, and off with `BTF_BUNDLE_COMPILE_CACHE=0`; the output is the
 * same byte for byte whichever way the code was compiled.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  lstatSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testdata } from './btf-helpers.js';
import { firstSampleKernel, SAMPLE_SNAPSHOT } from './build-fixtures.js';
import { CLI } from './cli-run.js';
import { tempDirs } from './temp-dirs.js';

const temp = tempDirs();
const objects = ['opensnoop', 'tcpstates'].map((n) => join(testdata, `${n}.bpf.o`));

/** Runs `btf-bundle min-core-btf` with `XDG_CACHE_HOME=cacheHome`; returns the output's bytes. */
function minimize(cacheHome: string, extraEnv: Record<string, string> = {}): Buffer {
  const out = join(temp('compile-cache-out-'), 'out.btf');
  const r = spawnSync('node', [CLI, 'min-core-btf', firstSampleKernel(), out, ...objects], {
    encoding: 'utf8',
    env: { ...process.env, XDG_CACHE_HOME: cacheHome, ...extraEnv },
    timeout: 60_000, // a cache file that blocks must not hang the suite
  });
  expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
  return readFileSync(out);
}

/** The cache files of `cacheHome`, by name. */
function cacheFiles(cacheHome: string): string[] {
  const dir = join(cacheHome, 'btf-bundle/v8');
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

describe('the CLI code cache', () => {
  it('is written by a first run, read and left alone by the next, with the same output', () => {
    const home = temp('compile-cache-');
    const first = minimize(home);
    const [file, ...more] = cacheFiles(home);
    expect(more).toEqual([]);
    expect(file).toMatch(/^min-core-btf-single\.v\d+\.\d+\.\d+-\w+-[\d-]+\.bin$/);
    const path = join(home, 'btf-bundle/v8', file!);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(home, 'btf-bundle/v8')).mode & 0o777).toBe(0o700);
    const written = statSync(path, { bigint: true });
    expect(minimize(home).equals(first)).toBe(true);
    const after = statSync(path, { bigint: true });
    expect([after.ino, after.mtimeNs]).toEqual([written.ino, written.mtimeNs]);
    // Another sub-command compiles other functions: a cache of its own.
    spawnSync('node', [CLI, 'inspect', join(home, 'no-such-bundle')], {
      env: { ...process.env, XDG_CACHE_HOME: home },
    });
    expect(cacheFiles(home)).toEqual([expect.stringMatching(/^inspect\./), file]);
    // The batch form runs with V8's default flags (the single-kernel form without inlining): its own cache too.
    const batch = spawnSync(
      'node',
      [
        CLI,
        'min-core-btf',
        '--inputdir',
        SAMPLE_SNAPSHOT,
        '--outputdir',
        temp('compile-cache-batch-'),
        '--object',
        ...objects,
      ],
      { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: home } },
    );
    expect({ status: batch.status, stderr: batch.stderr }).toMatchObject({ status: 0 });
    expect(cacheFiles(home)).toEqual([
      expect.stringMatching(/^inspect\./),
      file,
      expect.stringMatching(/^min-core-btf\.v/),
    ]);
  });

  it('of a help run is its own: a first real run of the sub-command still makes the sub-command cache', () => {
    const home = temp('compile-cache-');
    const help = spawnSync('node', [CLI, 'min-core-btf', '--help'], {
      env: { ...process.env, XDG_CACHE_HOME: home },
    });
    expect(help.status).toBe(0);
    expect(cacheFiles(home)).toEqual([expect.stringMatching(/^help\./)]);
    minimize(home);
    expect(cacheFiles(home)).toEqual([
      expect.stringMatching(/^help\./),
      expect.stringMatching(/^min-core-btf-single\./),
    ]);
  });

  it('that is a FIFO or a link to /dev/zero is not read (it would stall or flood every start) and is replaced', () => {
    const home = temp('compile-cache-');
    const expected = minimize(home);
    const path = join(home, 'btf-bundle/v8', cacheFiles(home)[0]!);
    for (const replace of [() => execFileSync('mkfifo', [path]), () => symlinkSync('/dev/zero', path)]) {
      rmSync(path);
      replace();
      expect(minimize(home).equals(expected)).toBe(true);
      expect(lstatSync(path).isFile()).toBe(true);
    }
  });

  it('that V8 refuses (garbage, truncated) is replaced, and the run is unaffected', () => {
    const home = temp('compile-cache-');
    const expected = minimize(home);
    const path = join(home, 'btf-bundle/v8', cacheFiles(home)[0]!);
    const good = readFileSync(path);
    for (const bad of [Buffer.from('not a code cache'), good.subarray(0, good.length >> 1)]) {
      writeFileSync(path, bad);
      expect(minimize(home).equals(expected)).toBe(true);
      const replaced = readFileSync(path);
      expect(replaced.equals(bad)).toBe(false);
      // (A code cache's size varies a little from run to run.)
      expect(Math.abs(replaced.length - good.length)).toBeLessThan(good.length / 10);
    }
  });

  it('is neither read nor written in a directory others can write, nor when turned off', () => {
    const shared = temp('compile-cache-');
    minimize(shared);
    const dir = join(shared, 'btf-bundle/v8');
    const path = join(dir, cacheFiles(shared)[0]!);
    chmodSync(dir, 0o777);
    // Garbage V8 would refuse, and a run would replace if it read the file.
    writeFileSync(path, 'planted');
    const off = temp('compile-cache-');
    const expected = minimize(off, { BTF_BUNDLE_COMPILE_CACHE: '0' });
    expect(cacheFiles(off)).toEqual([]);
    expect(minimize(shared).equals(expected)).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('planted');
  });

  it('that cannot be written whole (a file size limit) leaves no temp file behind', () => {
    const home = temp('compile-cache-');
    const out = join(temp('compile-cache-out-'), 'out.btf');
    // 512 bytes at most per file: the output and the cache (hundreds of KB) both fail to be written.
    const command = ['node', CLI, 'min-core-btf', firstSampleKernel(), out, ...objects];
    const r = spawnSync('sh', ['-c', 'ulimit -f 1 && exec "$@"', 'sh', ...command], {
      encoding: 'utf8',
      env: { ...process.env, XDG_CACHE_HOME: home },
      timeout: 60_000,
    });
    expect(r.stderr).toMatch(/EFBIG/);
    expect(cacheFiles(home)).toEqual([]);
  });
});
