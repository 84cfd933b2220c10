/**
 * Writes that fail for real leave no half-written file, no temp file and no empty directory the run made: a file
 * size limit (`ulimit -f`: EFBIG, on any machine) and, as root, a full tmpfs (ENOSPC, with room for some outputs
 * only). The outputs that were written are complete: byte for byte those of a run on a roomy disk. Under CI (which
 * runs as root) the tmpfs case must run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { testdata } from './btf-helpers.js';
import { copySnapshot, firstSampleKernel } from './build-fixtures.js';
import { CLI, runCli } from './cli-run.js';
import { tempDirs } from './temp-dirs.js';

const temp = tempDirs();
const object = join(testdata, 'execsnoop.bpf.o');
const snapshot = copySnapshot();

/** Every entry under `dir` (relative paths), directories with a trailing slash. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1) + (e.isDirectory() ? '/' : ''))
    .sort();
}

/** The files a batch over `snapshot` writes on a roomy disk, by path under the output dir. */
function referenceOutputs(): Map<string, Buffer> {
  const out = temp('btf-full-ref-');
  const r = runCli(['min-core-btf', '--inputdir', snapshot, '--outputdir', out, '--object', object]);
  expect(r.status, r.stderr).toBe(0);
  return new Map(
    tree(out)
      .filter((p) => !p.endsWith('/'))
      .map((p) => [p, readFileSync(join(out, p))]),
  );
}

/** Expect `dir` to hold only `keep`, complete outputs (as in `reference`) and the directories holding them. */
function expectOnlyCompleteOutputs(dir: string, reference: Map<string, Buffer>, keep: string[]): number {
  const entries = tree(dir).filter((p) => !keep.includes(p));
  const files = entries.filter((p) => !p.endsWith('/'));
  for (const file of files) {
    const relative = file.slice('od/'.length);
    expect(reference.has(relative), `${file}: not an output (a temp file?)`).toBe(true);
    expect(readFileSync(join(dir, file)), file).toEqual(reference.get(relative));
  }
  for (const sub of entries.filter((p) => p.endsWith('/'))) {
    expect(
      files.some((f) => f.startsWith(sub)),
      `${sub} is left empty`,
    ).toBe(true);
  }
  return files.length;
}

describe('a file size limit (EFBIG)', () => {
  /** Run the CLI with a file size limit of 512 bytes: smaller than any reduced BTF of these kernels. */
  const limited = (args: string[], cwd: string) =>
    spawnSync('sh', ['-c', 'ulimit -f 1 && exec "$@"', 'sh', 'node', CLI, ...args], {
      cwd,
      encoding: 'utf8',
    });

  it('batch: every write fails, and no directory it made is left', () => {
    const dir = temp('btf-efbig-');
    const reference = referenceOutputs();
    mkdirSync(join(dir, 'od', 'debian'), { recursive: true });
    const r = limited(['min-core-btf', '--inputdir', snapshot, '--outputdir', 'od', '--object', object], dir);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/FAILED debian\/12\/.*: cannot write od\/debian\/.*\.btf: .*\(EFBIG\)/);
    expect(r.stdout).toMatch(/, 0 written /);
    // od/debian was there before the run: kept; what the run made under it is gone.
    expect(tree(dir)).toEqual(['od/', 'od/debian/']);
    expect(expectOnlyCompleteOutputs(dir, reference, ['od/', 'od/debian/'])).toBe(0);
  });

  it('min-core-btf INPUT OUTPUT: the directories made for OUTPUT are removed', () => {
    const dir = temp('btf-efbig-');
    const r = limited(['min-core-btf', firstSampleKernel(), 'a/b/c.btf', object], dir);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^btf-bundle: a\/b\/c\.btf: cannot write: .*\(EFBIG\)\n$/);
    expect(tree(dir)).toEqual([]);
  });
});

/** Why a tmpfs cannot be mounted here (not root, or no right to mount), or undefined. */
function tmpfsMissing(): string | undefined {
  if (process.getuid?.() !== 0) return 'mounting a tmpfs needs root';
  const probe = temp('btf-mount-probe-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4k', 'tmpfs', probe], { stdio: 'pipe' });
  } catch (err) {
    return `mount -t tmpfs failed: ${String((err as { stderr?: unknown }).stderr ?? err).trim()}`;
  }
  execFileSync('umount', [probe]);
  return undefined;
}
const skipTmpfs = tmpfsMissing();
if (skipTmpfs && process.env.CI === 'true')
  throw new Error(`full-disk test cannot run under CI: ${skipTmpfs}`);

describe.skipIf(skipTmpfs !== undefined)(
  `a full file system (ENOSPC)${skipTmpfs ? ` (skipped: ${skipTmpfs})` : ''}`,
  () => {
    const mounts: string[] = [];
    afterAll(() => {
      for (const mount of mounts) execFileSync('umount', [mount]);
    });
    /** A fresh 16 KiB tmpfs with `free` of its pages left free. */
    const smallDisk = (free: number): string => {
      const dir = temp('btf-enospc-');
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', dir]);
      mounts.push(dir);
      const page = 4096;
      writeFileSync(join(dir, 'filler'), Buffer.alloc(16 * 1024 - free * page));
      return dir;
    };

    it('batch: the outputs that fit are complete, the others leave nothing, no empty directory is left', () => {
      const reference = referenceOutputs();
      const dir = smallDisk(2);
      const r = runCli(
        ['min-core-btf', '--inputdir', snapshot, '--outputdir', 'od', '--object', object],
        dir,
      );
      expect(r.status, r.stderr).toBe(1);
      expect(r.stderr).toMatch(/cannot write od\/debian\/.*: .*\(ENOSPC\)/);
      const written = Number(/, (\d+) written /.exec(r.stdout)?.[1]);
      expect(written).toBeGreaterThan(0);
      expect(written).toBeLessThan(reference.size);
      expect(expectOnlyCompleteOutputs(dir, reference, ['filler'])).toBe(written);
      expect(statSync(join(dir, 'filler')).size).toBe(8 * 1024);
    });

    it('batch on a disk with no room at all leaves no --outputdir behind; nor does OUTPUT', () => {
      const dir = smallDisk(0);
      const r = runCli(
        ['min-core-btf', '--inputdir', snapshot, '--outputdir', 'od', '--object', object],
        dir,
      );
      expect(r.status, r.stderr).toBe(1);
      expect(r.stdout).toMatch(/, 0 written /);
      expect(tree(dir)).toEqual(['filler']);
      const single = runCli(['min-core-btf', firstSampleKernel(), 'a/b/c.btf', object], dir);
      expect(single.stderr).toMatch(/^btf-bundle: a\/b\/c\.btf: cannot write: .*\(ENOSPC\)\n$/);
      expect(tree(dir)).toEqual(['filler']);
    });
  },
);
