import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { bundleManifest, decodeBundle } from '@btf-bundle/runtime';
import { describe, expect, it } from 'vitest';
// The build runs on worker threads that load the built package: test the built package.
import { BuildFailedError, type BuildProgress, buildBundle } from '../dist/index.js';
import { sha256Hex } from '../src/util/sha256.js';
import { copySnapshot, SAMPLE_OBJECTS, SAMPLE_SNAPSHOT, sampleKernels } from './build-fixtures.js';
import { settled } from './settled.js';
import { tempDirs } from './temp-dirs.js';

const temp = tempDirs();

/** The kernel files of a snapshot dir. */
const kernelFiles = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
const sha256Of = (path: string) => sha256Hex(readFileSync(path));

/** Run `change` on the file at `path`, then put its access and modification times back. */
function keepTimes(path: string, change: () => void): void {
  const { atime, mtime } = statSync(path);
  change();
  utimesSync(path, atime, mtime);
}

const KERNELS = sampleKernels().length;
const CLI = new URL('../dist/bin/btf-bundle.cjs', import.meta.url).pathname;
const base = { snapshot: SAMPLE_SNAPSHOT, objects: SAMPLE_OBJECTS, workers: 2 };

describe('buildBundle', async () => {
  const progress: BuildProgress[] = [];
  const cold = await buildBundle({ ...base, cacheDir: false, onProgress: (p) => progress.push(p) });

  it('covers every sample kernel and reports per object', () => {
    expect(cold.stats.kernels).toEqual({ total: KERNELS, covered: KERNELS, failed: 0, skipped: 0 });
    expect(cold.stats.cacheHits).toBe(0);
    expect(cold.stats.bundleBytes).toBe(cold.bundle.length);
    expect(cold.manifest).toEqual(bundleManifest(decodeBundle(cold.bundle)));
    expect(cold.stats.distinctBlobs).toBeLessThanOrEqual(KERNELS);
    for (const k of cold.report.kernels) {
      expect(k.objects?.map((o) => o.object)).toEqual(['mm-only.bpf.o', 'oracle-probe.bpf.o']);
      expect(k.btfBytes).toBeLessThan(k.sourceBytes!);
    }
  });

  it('emits progress for every kernel', () => {
    expect(progress.map((p) => p.done)).toEqual(Array.from({ length: KERNELS }, (_, i) => i + 1));
    expect(progress.every((p) => p.total === KERNELS)).toBe(true);
    expect(progress.at(-1)?.etaMs).toBe(0);
  });

  it('stores exactly what `btf-bundle min-core-btf` writes for each kernel, with the objects and their sha256', () => {
    const bundle = decodeBundle(cold.bundle);
    const objects = [...SAMPLE_OBJECTS].sort((a, b) =>
      a.split('/').at(-1)!.localeCompare(b.split('/').at(-1)!),
    );
    const out = join(temp('btf-build-cli-'), 'out.btf');
    expect(bundle.kernels.length).toBe(KERNELS);
    for (const kernel of cold.report.kernels) {
      execFileSync(process.execPath, [CLI, 'min-core-btf', kernel.path, out, ...objects]);
      expect(Buffer.compare(bundle.get(kernel.id)!, readFileSync(out)), kernel.id).toBe(0);
    }
    expect(bundle.objects.map((o) => o.name)).toEqual(['mm-only.bpf.o', 'oracle-probe.bpf.o']);
    expect(bundle.objects.every((o) => /^[0-9a-f]{64}$/.test(o.sha256))).toBe(true);
  });

  it('gives the same bytes with 1 worker, shuffled files and shuffled objects', async () => {
    const reversed = copySnapshot(undefined, 'reversed');
    temp.adopt(reversed);
    const other = await buildBundle({
      snapshot: reversed,
      objects: [...SAMPLE_OBJECTS].reverse(),
      workers: 1,
      cacheDir: false,
    });
    expect(Buffer.compare(other.bundle, cold.bundle)).toBe(0);
  });

  it('rebuilds warm from the cache with all hits, and recomputes a corrupted entry', async () => {
    const cacheDir = temp('btf-build-cache-');
    const first = await buildBundle({ ...base, cacheDir });
    expect(first.stats.cacheHits).toBe(0);
    const warm = await buildBundle({ ...base, cacheDir });
    expect(warm.stats.cacheHits).toBe(KERNELS);
    expect(Buffer.compare(warm.bundle, cold.bundle)).toBe(0);

    const shard = readdirSync(join(cacheDir, 'entries'))[0]!;
    const entry = join(cacheDir, 'entries', shard, readdirSync(join(cacheDir, 'entries', shard))[0]!);
    const bytes = readFileSync(entry);
    bytes[bytes.length >> 1] = bytes[bytes.length >> 1]! ^ 0xff;
    writeFileSync(entry, bytes);
    // The whole-build record would answer for every kernel: without it, the corrupted entry is recomputed.
    rmSync(join(cacheDir, 'builds'), { recursive: true });
    const repaired = await buildBundle({ ...base, cacheDir });
    expect(repaired.stats.cacheHits).toBe(KERNELS - 1);
    expect(Buffer.compare(repaired.bundle, cold.bundle)).toBe(0);
  });

  it('answers an unchanged rebuild from the whole-build record, and falls back to the entries when it cannot', async () => {
    const snapshot = copySnapshot((p) => p.includes('/x86_64/'));
    temp.adopt(snapshot);
    await settled(kernelFiles(snapshot)); // a build over kernels changed just now is not remembered
    const cacheDir = temp('btf-build-memo-');
    const warnings: string[] = [];
    const opts = {
      snapshot,
      objects: SAMPLE_OBJECTS,
      workers: 1,
      cacheDir,
      onWarning: (w: string) => warnings.push(w),
    };
    const first = await buildBundle(opts);
    const records = () =>
      readdirSync(join(cacheDir, 'builds'), { recursive: true }).filter((f) => String(f).endsWith('.bin'));
    expect(records()).toHaveLength(1);
    const again = await buildBundle(opts);
    expect(Buffer.compare(again.bundle, first.bundle)).toBe(0);
    expect(again.manifest).toEqual(bundleManifest(decodeBundle(again.bundle)));
    expect(again.report.kernels.map((k) => ({ ...k, cached: undefined, ms: undefined }))).toEqual(
      first.report.kernels.map((k) => ({ ...k, cached: undefined, ms: undefined })),
    );
    expect(again.stats.cacheHits).toBe(again.stats.kernels.total);
    expect(records()).toHaveLength(1);
    // A kernel file that changed (here: its mtime) makes a new build record; the kernels still hit their entries.
    const [kernel] = first.report.kernels;
    utimesSync(kernel!.path, new Date(), new Date(2001, 1, 1));
    await settled([kernel!.path]);
    const touched = await buildBundle(opts);
    expect(records()).toHaveLength(2);
    expect(touched.stats.cacheHits).toBe(touched.stats.kernels.total);
    // Other options are other builds: a different mode is not answered by the robust build's record.
    const bpftool = await buildBundle({ ...opts, mode: 'bpftool' });
    expect(bpftool.stats.cacheHits).toBe(0);
    // A corrupted record is dropped and the build is made again from the per-kernel entries.
    for (const f of records()) {
      const path = join(cacheDir, 'builds', String(f));
      const bytes = readFileSync(path);
      bytes[bytes.length >> 1]! ^= 0xff;
      writeFileSync(path, bytes);
    }
    const repaired = await buildBundle(opts);
    expect(Buffer.compare(repaired.bundle, first.bundle)).toBe(0);
    expect(warnings).toEqual([]);
  });

  it('never answers from a record when an object or a kernel changed in place (same size and mtime)', async () => {
    const snapshot = copySnapshot((p) => p.includes('/x86_64/6.1.0-4'));
    temp.adopt(snapshot);
    const object = join(temp('btf-build-object-'), 'oracle-probe.bpf.o');
    copyFileSync(SAMPLE_OBJECTS[0]!, object);
    await settled([...kernelFiles(snapshot), object]);
    const cacheDir = temp('btf-build-inplace-');
    const opts = { snapshot, objects: [object, SAMPLE_OBJECTS[1]!], workers: 1, cacheDir };
    const first = await buildBundle(opts);
    const sha = (r: typeof first) => r.manifest.objects.find((o) => o.name === 'oracle-probe.bpf.o')!.sha256;
    expect(sha(first)).toBe(sha256Of(object));
    // Touched but unchanged: the same build, answered from its record.
    utimesSync(object, new Date(), new Date());
    const touched = await buildBundle(opts);
    expect(Buffer.compare(touched.bundle, first.bundle)).toBe(0);
    expect(touched.stats.cacheHits).toBe(touched.stats.kernels.total);
    // The same size, the mtime put back, within the racy window or after it: the new bytes are what count.
    keepTimes(object, () => {
      const bytes = readFileSync(object);
      bytes[bytes.indexOf('clang version')] = 'C'.charCodeAt(0);
      writeFileSync(object, bytes);
    });
    const racy = await buildBundle(opts);
    expect(sha(racy)).toBe(sha256Of(object));
    expect(sha(racy)).not.toBe(sha(first));
    await settled([object]);
    expect(sha(await buildBundle(opts))).toBe(sha256Of(object));
    // A kernel rewritten in place (one byte of its xz stream: same size, mtime put back): read again, not replayed.
    const [kernel] = first.report.kernels;
    keepTimes(kernel!.path, () => {
      const bytes = readFileSync(kernel!.path);
      bytes[bytes.length >> 1]! ^= 0xff;
      writeFileSync(kernel!.path, bytes);
    });
    const rewritten = await buildBundle(opts);
    expect(rewritten.report.kernels[0]).toMatchObject({
      id: kernel!.id,
      status: 'failed',
      failure: 'unreadable',
    });
  });

  it('does not remember a build over a kernel whose identity is racy, and does once it settled', async () => {
    const snapshot = copySnapshot((p) => p.includes('/x86_64/6.1.0-4'));
    temp.adopt(snapshot);
    const cacheDir = temp('btf-build-racy-');
    const records = () =>
      existsSync(join(cacheDir, 'builds'))
        ? readdirSync(join(cacheDir, 'builds'), { recursive: true }).filter((f) => String(f).endsWith('.bin'))
        : [];
    const [kernel] = kernelFiles(snapshot);
    // A modification time ahead of the clock is racy however long the build takes to stat it.
    utimesSync(kernel!, new Date(), new Date(Date.now() + 3_600_000));
    const opts = { snapshot, objects: SAMPLE_OBJECTS, workers: 1, cacheDir };
    const racy = await buildBundle(opts);
    expect(records()).toEqual([]);
    utimesSync(kernel!, new Date(), new Date(2001, 1, 1));
    await settled([kernel!]);
    const settledBuild = await buildBundle(opts);
    expect(records()).toHaveLength(1);
    expect(Buffer.compare(settledBuild.bundle, racy.bundle)).toBe(0);
  });

  it('hits the cache for a touched archive whose content did not change', async () => {
    const snapshot = copySnapshot((p) => p.includes('/x86_64/6.1.0-4'));
    temp.adopt(snapshot);
    const cacheDir = temp('btf-build-touch-');
    const opts = { snapshot, objects: SAMPLE_OBJECTS, workers: 1, cacheDir };
    await buildBundle(opts);
    const [kernel] = (await buildBundle(opts)).report.kernels;
    utimesSync(kernel!.path, new Date(), new Date(2000, 1, 1));
    const again = await buildBundle(opts);
    expect(again.stats.cacheHits).toBe(again.stats.kernels.total);
  });

  it('runs two builds at once on one cache dir safely', async () => {
    const cacheDir = temp('btf-build-concurrent-');
    const [a, b] = await Promise.all([
      buildBundle({ ...base, cacheDir, workers: 1 }),
      buildBundle({ ...base, cacheDir, workers: 1 }),
    ]);
    expect(Buffer.compare(a.bundle, cold.bundle)).toBe(0);
    expect(Buffer.compare(b.bundle, cold.bundle)).toBe(0);
    const after = await buildBundle({ ...base, cacheDir });
    expect(after.stats.cacheHits).toBe(KERNELS);
  });

  it('skips kernels of an arch without objects, with a warning', async () => {
    const warnings: string[] = [];
    const result = await buildBundle({
      ...base,
      objects: { x86_64: SAMPLE_OBJECTS },
      cacheDir: false,
      onWarning: (w) => warnings.push(w),
    });
    const arm = result.report.kernels.filter((k) => k.id.includes('/arm64/'));
    expect(arm.length).toBeGreaterThan(0);
    expect(arm.every((k) => k.status === 'skipped')).toBe(true);
    expect(result.stats.kernels.skipped).toBe(arm.length);
    expect(warnings).toContain('no objects for arch arm64: its kernels are skipped');
    expect(decodeBundle(result.bundle).kernels.some((id) => id.includes('/arm64/'))).toBe(false);
  });
});

describe('buildBundle workers', () => {
  it('caps workers above the cores at the cores, with a warning', async () => {
    const cores = availableParallelism();
    const workers = cores + 3;
    const started: unknown[] = [];
    const count = (worker: unknown) => started.push(worker);
    const warnings: string[] = [];
    process.on('worker', count);
    try {
      const result = await buildBundle({
        ...base,
        workers,
        cacheDir: false,
        onWarning: (w) => warnings.push(w),
      });
      expect(result.stats.kernels.covered).toBe(KERNELS);
    } finally {
      process.off('worker', count);
    }
    // One worker per lane, never more than the kernels either.
    expect(started.length).toBe(Math.min(cores, KERNELS));
    expect(warnings).toContain(
      `workers ${workers} is more than the ${cores} cores of this machine: ${cores} used`,
    );
  });
});

describe('buildBundle with hostile snapshots', () => {
  it('reports and skips a corrupt archive and a non-BTF member, or fails with failOn', async () => {
    const snapshot = copySnapshot((p) => p.includes('/x86_64/6.1.0-54-amd64'));
    temp.adopt(snapshot);
    const good = readFileSync(sampleKernels()[0]!);
    writeFileSync(
      join(snapshot, 'debian/12/x86_64/9.9.9-corrupt.btf.tar.xz'),
      good.subarray(0, good.length >> 1),
    );
    writeFileSync(join(snapshot, 'debian/12/x86_64/9.9.9-notbtf.btf'), 'not btf at all');
    const opts = { snapshot, objects: SAMPLE_OBJECTS, workers: 2, cacheDir: false as const };
    const result = await buildBundle(opts);
    expect(result.stats.kernels).toEqual({ total: 3, covered: 1, failed: 2, skipped: 0 });
    const failed = result.report.kernels.filter((k) => k.status === 'failed');
    // The report has the path; the reason names the file only (it goes into the bundle).
    expect(failed.every((k) => k.failure === 'unreadable' && k.reason?.startsWith(basename(k.path)))).toBe(
      true,
    );
    expect(failed.some((k) => k.reason?.includes(snapshot))).toBe(false);
    const bundle = decodeBundle(result.bundle);
    expect(bundle.kernels).toEqual(['debian/12/x86_64/6.1.0-54-amd64']);
    expect(bundle.failed.size).toBe(2);

    const err = await buildBundle({ ...opts, failOn: 'unreadable' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildFailedError);
    expect((err as BuildFailedError).report?.kernels.length).toBe(3);
    // the API's error names the API's option (the CLI names its flag: cli-build.test.ts)
    expect((err as BuildFailedError).message).toMatch(
      /^2 kernel\(s\) failed with failOn: 'unreadable'; first: debian\/12\/x86_64\/9\.9\.9-corrupt: /,
    );
  });

  it('refuses a cache dir inside the snapshot before writing anything there', async () => {
    const snapshot = copySnapshot((p) => p.includes('/x86_64/6.1.0-4'));
    temp.adopt(snapshot);
    const before = readdirSync(snapshot, { recursive: true }).sort();
    await expect(buildBundle({ ...base, snapshot, cacheDir: join(snapshot, 'cache') })).rejects.toMatchObject(
      {
        name: 'OutputPathError',
      },
    );
    expect(readdirSync(snapshot, { recursive: true }).sort()).toEqual(before);
  });

  it('rejects an empty snapshot dir', async () => {
    await expect(buildBundle({ ...base, snapshot: temp('btf-empty-') })).rejects.toMatchObject({
      name: 'UsageError',
    });
  });
});
