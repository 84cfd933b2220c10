/**
 * The build scripts give the same bytes from the same inputs, whatever happens inside esbuild from one run to the
 * next. Each script is run several times into fresh directories (`--outdir`) and every file compared; the CLI's
 * builds are also compared with the package's own dist/bin/, made by `pnpm build` before the tests. A race inside a
 * build shows only in some runs: with esbuild 0.28 left to find the runtime's tsconfig itself, 8 builds of the CLI
 * gave 4 different cli.cjs, so 6 runs miss it about once in 20 (the runtime's dist/ cannot be a sample: its source
 * maps name src/ by a path relative to the output directory).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');
const RUNS = 6;
const work = mkdtempSync(join(tmpdir(), 'btf-bundle-determinism-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every file under `dir`, by its path relative to `dir`, with its bytes. */
function filesOf(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files.set(relative(dir, path), readFileSync(path));
  }
  return files;
}

/** The files of {@link RUNS} builds by `script` (relative to the repository), each into a new directory. */
function buildsOf(script: string): Map<string, Buffer>[] {
  return Array.from({ length: RUNS }, (_, run) => {
    const out = join(work, `${script.replaceAll('/', '_')}-${run}`);
    execFileSync(process.execPath, [join(ROOT, script), '--outdir', out], { cwd: ROOT, stdio: 'pipe' });
    return filesOf(out);
  });
}

/** The names of the files that differ between `a` and `b` (or are in one only). */
function differing(a: Map<string, Buffer>, b: Map<string, Buffer>): string[] {
  const names = new Set([...a.keys(), ...b.keys()]);
  return [...names].filter((name) => !a.get(name)?.equals(b.get(name) ?? Buffer.alloc(0))).sort();
}

describe('build scripts are deterministic', () => {
  it.each([
    ['packages/core/scripts/bundle-cli.mjs', 'packages/core/dist/bin'],
    ['packages/runtime/scripts/bundle.mjs', undefined],
  ])('%s', (script, dist) => {
    const builds = buildsOf(script);
    const first = builds[0] as Map<string, Buffer>;
    expect(first.size).toBeGreaterThan(0);
    const samples = dist ? [...builds, filesOf(join(ROOT, dist))] : builds;
    for (const [i, build] of samples.entries()) {
      expect(differing(first, build), `build ${i} against build 0`).toEqual([]);
    }
  });
});
