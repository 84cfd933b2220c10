/**
 * Globs are bounded before fast-glob sees them: their brace expansion is counted without expanding it (never less
 * than fast-glob's own expansion gives, checked against it on random patterns), and the `objects`, `include` and
 * `exclude` globs of a build that would expand past the limit, or past micromatch's range limit, are refused with
 * a usage error at once instead of filling the memory (`{a,b}` 24 times over took 4.6 GB and 2 minutes before).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import fg from 'fast-glob';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { filterPaths } from '../src/snapshot/glob-filter.js';
import { braceExpansion, checkGlob, MAX_GLOB_EXPANSION } from '../src/util/fast-glob.js';
import { SAMPLE_OBJECTS } from './build-fixtures.js';

/** How many patterns fast-glob matches for `pattern` (after its own brace expansion). */
const fastGlobExpansion = (pattern: string) =>
  fg.generateTasks([pattern]).reduce((n, task) => n + task.patterns.length, 0);

describe('braceExpansion', () => {
  it.each([
    ['kernel/*.btf', 1],
    ['{a,b}{c,d}', 4],
    ['{a,{b,c}}', 3],
    ['{1..9}', 9],
    ['{1..10..2}', 5],
    ['{a..e}x', 5],
    ['{01..03}/{amd64,arm64}', 6],
    ['\\{a,b}', 1],
    ['{a}', 1],
    ['{a,b', 1],
    ['{{a,b}', 2],
  ])('%s expands to %i patterns, as fast-glob expands it', (pattern, count) => {
    expect(braceExpansion(pattern)).toBe(count);
    expect(fastGlobExpansion(pattern)).toBeLessThanOrEqual(count);
  });

  it('never counts fewer patterns than fast-glob makes (random short patterns of brace syntax)', () => {
    const part = fc.constantFrom('{', '}', ',', 'a', 'b', '1', '3', '..', '\\', 'x', '*', '/');
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 12 }), (parts) => {
        const pattern = parts.join('');
        let made: number;
        try {
          made = fastGlobExpansion(pattern);
        } catch {
          return; // a pattern fast-glob refuses: checkGlob's callers turn that into a usage error
        }
        expect(braceExpansion(pattern, Number.MAX_SAFE_INTEGER)).toBeGreaterThanOrEqual(made);
      }),
      { numRuns: 3000, seed: 20261201 },
    );
  });

  it('stops counting above the limit (a pattern of 1,000 groups is counted at once)', () => {
    expect(braceExpansion('{a,b}'.repeat(1000))).toBe(MAX_GLOB_EXPANSION + 1);
    expect(braceExpansion('{1..100000}{1..100000}')).toBe(MAX_GLOB_EXPANSION + 1);
  });
});

describe('checkGlob', () => {
  it('refuses brace explosions, long ranges and overlong globs, naming the option', () => {
    expect(() => checkGlob('{a,b}'.repeat(9), 'objects')).not.toThrow(); // 512 patterns
    expect(() => checkGlob('{a,b}'.repeat(10), 'objects')).toThrow(/expands to more than 1000 patterns/);
    expect(() => checkGlob('{a,b}'.repeat(24), 'objects')).toThrow(UsageError);
    expect(() => checkGlob('{a,b}'.repeat(24), 'include')).toThrow(
      /^include: '.*' expands to more than 1000/,
    );
    expect(() => checkGlob('{1..100000000}', 'exclude')).toThrow(/exclude: .* expands to more than 1000/);
    expect(() => checkGlob('{x..\\a}{x..\\a}', 'objects')).toThrow(UsageError);
    expect(() => checkGlob(`${'a'.repeat(4097)}*`, 'objects')).toThrow(/longer than 4096 characters/);
  });

  it('lets filterPaths refuse them, and turns what fast-glob throws into a usage error', async () => {
    const files = ['debian/12/x86_64/6.1.0-1-amd64.btf'];
    await expect(filterPaths(files, ['{a,b}'.repeat(24)], [])).rejects.toThrow(UsageError);
    await expect(filterPaths(files, ['**'], ['{1..100000000}'])).rejects.toThrow(UsageError);
    expect(await filterPaths(files, ['debian/{11,12}/**'], [])).toEqual(files);
  });
});

describe('the CLI', () => {
  const cli = resolve(import.meta.dirname, '../dist/bin/btf-bundle.cjs');
  const dir = mkdtempSync(join(tmpdir(), 'btf-glob-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const snapshot = resolve(import.meta.dirname, '../../../sample-snapshot');

  it.each([
    ['--objects', join(dir, `${'{a,b}'.repeat(24)}.o`)],
    ['--objects', join(dir, '{1..100000}{1..100000}.o')],
    ['--include', '{a,b}'.repeat(24)],
    ['--include', '{1..100000000}'],
    ['--exclude', '{1..2000}'],
  ])('build %s %s: one line, exit 1, no output, at once', (flag, glob) => {
    const out = join(dir, 'out.bin');
    const args = flag === '--objects' ? [flag, glob] : ['--objects', ...SAMPLE_OBJECTS, flag, glob];
    const run = spawnSync(
      process.execPath,
      [cli, 'build', '--snapshot', snapshot, ...args, '--out', out, '--no-cache', '--quiet'],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^btf-bundle: (objects|include|exclude)(\/exclude globs)?: /);
    expect(run.stderr).not.toMatch(/internal error|RangeError/);
    expect(existsSync(out)).toBe(false);
  });
});
