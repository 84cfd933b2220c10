/**
 * Property tests (fast-check, seeded, bounded) of the snapshot walk and of snapshot path handling: random trees of
 * directories, kernel-named files, FIFOs and links (loops, dangling, out of the snapshot) are walked to the end,
 * only regular files inside the snapshot (or out of it when allowed) become kernels, each once, and the result
 * does not depend on the run; any relative path parses to a key, nothing, or a typed error.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { InvalidKernelKeyError } from '@btf-bundle/runtime';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { filterPaths } from '../src/snapshot/glob-filter.js';
import { parseKernelPath, scanSnapshot } from '../src/snapshot/scan.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const TREE_RUNS = Math.max(10, Math.floor(RUNS / 5)); // each run builds a tree on disk
const seed = (s: number, numRuns = RUNS) => ({ seed: Number(process.env.FUZZ_SEED ?? s), numRuns });

const base = mkdtempSync(join(tmpdir(), 'btf-walk-fuzz-'));
const outside = join(base, 'outside');
mkdirSync(outside);
writeFileSync(join(outside, 'k.btf'), 'x');
afterAll(() => rmSync(base, { recursive: true, force: true }));

const name = fc.constantFrom(
  'debian',
  '12',
  'x86_64',
  'arm64',
  'a',
  '6.1.0-1.btf',
  '6.1.0-2.btf.tar.xz',
  'x.btf',
  '.h',
);
const relPath = fc.array(name, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('/'));
type Entry = { path: string; kind: 'dir' | 'file' | 'fifo' | 'link'; target?: string };
const entry: fc.Arbitrary<Entry> = fc.oneof(
  fc.record({ path: relPath, kind: fc.constantFrom('dir' as const, 'file' as const, 'fifo' as const) }),
  fc.record({
    path: relPath,
    kind: fc.constant('link' as const),
    target: fc.oneof(
      relPath,
      // Links up stop at the fuzz dir: followed out of the snapshot, a link to `/` would walk a changing tree.
      fc.constantFrom('..', '.', 'missing', outside, join(outside, 'k.btf'), '/dev/null'),
    ),
  }),
);

let trees = 0;
/** Build `entries` under a fresh root (entries that clash with earlier ones are dropped). */
function build(entries: Entry[]): string {
  const root = join(base, `t${trees++}`);
  mkdirSync(root);
  for (const e of entries) {
    const path = join(root, e.path);
    try {
      mkdirSync(dirname(path), { recursive: true });
      if (e.kind === 'dir') mkdirSync(path, { recursive: true });
      else if (e.kind === 'file') writeFileSync(path, 'x', { flag: 'wx' });
      else if (e.kind === 'fifo') execFileSync('mkfifo', [path], { stdio: 'ignore' });
      else symlinkSync(e.target as string, path);
    } catch {
      // a parent is a file or a link, or the path exists: keep the tree as it is
    }
  }
  return root;
}

describe('scanSnapshot fuzz', () => {
  it('walks any tree to the end and keeps only regular files it may read, each once, deterministically', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 25 }), fc.boolean(), async (entries, followLinksOut) => {
        const root = build(entries);
        const rootReal = realpathSync(root);
        const scan = await scanSnapshot(root, { followLinksOut });
        const ids = scan.kernels.map((k) => k.id);
        expect(new Set(ids).size).toBe(ids.length);
        for (const k of scan.kernels) {
          expect(statSync(k.path).isFile()).toBe(true);
          const real = realpathSync(k.path);
          if (!followLinksOut) expect(real.startsWith(rootReal + sep)).toBe(true);
        }
        for (const p of [...scan.skipped, ...scan.invalid]) {
          expect(p.path.startsWith(root)).toBe(true);
          expect(p.reason.length).toBeGreaterThan(0);
        }
        expect(await scanSnapshot(root, { followLinksOut })).toEqual(scan);
        rmSync(root, { recursive: true, force: true });
      }),
      seed(0x5ca7, TREE_RUNS),
    );
  });
});

describe('snapshot path handling fuzz', () => {
  it('refuses an empty glob with a usage error (crasher: a TypeError from fast-glob)', async () => {
    await expect(filterPaths([], [''], [])).rejects.toThrow(
      new UsageError('an --include or --exclude glob is empty'),
    );
    await expect(filterPaths(['a/b/c/d.btf'], ['**/*'], [''])).rejects.toThrow(UsageError);
  });

  const anyPath = fc.oneof(
    relPath,
    fc.array(fc.string({ maxLength: 12 }), { maxLength: 6 }).map((p) => p.join('/')),
    fc.string({ unit: 'binary', maxLength: 60 }),
  );

  it('parses any relative path into a key, nothing, or an InvalidKernelKeyError', () => {
    fc.assert(
      fc.property(anyPath, (p) => {
        try {
          const key = parseKernelPath(p);
          if (key) for (const part of Object.values(key)) expect(part).toMatch(/^[A-Za-z0-9._+~-]{1,128}$/);
        } catch (err) {
          expect(err).toBeInstanceOf(InvalidKernelKeyError);
        }
      }),
      seed(0x9a7),
    );
  });

  it('filters any list by any globs to a sorted subset of it', async () => {
    const glob = fc.oneof(
      fc.constantFrom(
        '**/*',
        '**/*.btf',
        '*/12/**',
        '{a,debian}/**',
        '**/[ax]*',
        '!(a)/**',
        '**/../*',
        '/etc/*',
      ),
      fc.string({ maxLength: 12 }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(relPath, { maxLength: 12 }),
        fc.array(glob, { minLength: 1, maxLength: 3 }),
        fc.array(glob, { maxLength: 2 }),
        async (files, include, exclude) => {
          const onlyFiles = files.filter((f) => !files.some((g) => g.startsWith(`${f}/`)));
          if ([...include, ...exclude].includes('')) {
            await expect(filterPaths(onlyFiles, include, exclude)).rejects.toThrow(UsageError);
            return;
          }
          const out = await filterPaths(onlyFiles, include, exclude);
          expect([...out].sort()).toEqual(out);
          for (const p of out) expect(onlyFiles).toContain(p);
        },
      ),
      seed(0x6106),
    );
  });
});
