import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { filterPaths, withoutDotPaths } from '../src/snapshot/glob-filter.js';
import { parseKernelPath, scanSnapshot } from '../src/snapshot/scan.js';
import { copySnapshot, SAMPLE_SNAPSHOT, sampleKernels } from './build-fixtures.js';

const temps: string[] = [];
afterAll(() => {
  for (const t of temps) rmSync(t, { recursive: true, force: true });
});

describe('parseKernelPath', () => {
  it('parses BTFHub paths', () => {
    expect(parseKernelPath('debian/12/x86_64/6.1.0-54-amd64.btf.tar.xz')).toEqual({
      distro: 'debian',
      version: '12',
      arch: 'x86_64',
      release: '6.1.0-54-amd64',
    });
    expect(parseKernelPath('ubuntu/20.04/arm64/5.4.0-91-generic.btf')?.release).toBe('5.4.0-91-generic');
  });
  it('ignores other shapes and rejects unsafe parts', () => {
    expect(parseKernelPath('debian/12/6.1.0.btf')).toBeUndefined();
    expect(parseKernelPath('debian/12/x86_64/README.md')).toBeUndefined();
    expect(() => parseKernelPath('debian/12/x 86/6.1.btf')).toThrow();
  });
});

describe('scanSnapshot', () => {
  it('lists the sample snapshot in kernel order', async () => {
    const scan = await scanSnapshot(SAMPLE_SNAPSHOT);
    expect(scan.kernels.length).toBe(sampleKernels().length);
    expect(scan.invalid).toEqual([]);
    const ids = scan.kernels.map((k) => k.id);
    expect(ids).toContain('debian/12/x86_64/6.1.0-54-amd64');
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives the same order whatever the creation order of the files', async () => {
    const a = copySnapshot(undefined, 'sorted');
    const b = copySnapshot(undefined, 'reversed');
    temps.push(a, b);
    const ids = async (dir: string) => (await scanSnapshot(dir)).kernels.map((k) => k.id);
    expect(await ids(a)).toEqual(await ids(b));
  });

  it('applies include and exclude globs', async () => {
    const only = await scanSnapshot(SAMPLE_SNAPSHOT, { include: ['**/arm64/*.btf.tar.xz'] });
    expect(only.kernels.length).toBeGreaterThan(0);
    expect(only.kernels.every((k) => k.key.arch === 'arm64')).toBe(true);
    const without = await scanSnapshot(SAMPLE_SNAPSHOT, { exclude: ['**/*-rt-*'] });
    expect(without.kernels.some((k) => k.id.includes('-rt-'))).toBe(false);
    expect(without.kernels.length).toBe(sampleKernels().length - 1);
  });

  it('reports unsafe names, ignores stray files, handles an empty dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'btf-scan-'));
    temps.push(dir);
    expect((await scanSnapshot(dir)).kernels).toEqual([]);
    mkdirSync(join(dir, 'debian/12/x86_64'), { recursive: true });
    writeFileSync(join(dir, 'debian/12/x86_64/bad name.btf'), 'x');
    writeFileSync(join(dir, 'debian/12/notes.btf'), 'x');
    const scan = await scanSnapshot(dir);
    expect(scan.kernels).toEqual([]);
    expect(scan.invalid.map((i) => i.path)).toEqual([join(dir, 'debian/12/x86_64/bad name.btf')]);
  });

  it('rejects a missing snapshot dir', async () => {
    await expect(scanSnapshot('/nonexistent/snapshot')).rejects.toThrow(UsageError);
  });
});

describe('withoutDotPaths', () => {
  it('keeps what the default globs keep of a walk, tricky names included', async () => {
    const names = [
      'x.btf',
      '.x.btf',
      '..x.btf',
      'x..btf',
      '[x].btf',
      '{a,b}.btf',
      '!x.btf',
      'a b.btf',
      'a\\b.btf',
      '*.btf',
      '?.btf',
      '(x).btf',
      '+(x).btf',
      '@(x).btf',
      '#x.btf',
      '$x.btf',
      'é.btf.tar.xz',
      'x.btf.tar.xz',
      '~x.btf',
    ];
    const files = [
      ...names.map((n) => `d/v/a/${n}`),
      '.d/v/a/x.btf',
      'd/.v/a/x.btf',
      'd/v/.a/x.btf',
      'd./v/a/x.btf',
      'd/v../a/x.btf',
      '{d,e}/v/a/x.btf',
      '!d/v/a/x.btf',
    ].sort();
    const globs = ['**/*.btf.tar.xz', '**/*.btf'];
    expect(withoutDotPaths(files)).toEqual(await filterPaths(files, globs, []));
    expect(withoutDotPaths(files)).toContain('d/v/a/[x].btf');
    expect(withoutDotPaths(files)).not.toContain('d/.v/a/x.btf');
  });
});
