import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { runKernelTasks } from '../batch/pool.js';
import type { KernelOutcome, KernelTask, ObjectSet, TaskSetup } from '../batch/task.js';
import { encodeBundle } from '../bundle/encode.js';
import { BuildCache, DEFAULT_CACHE_DIR, DEFAULT_CACHE_MAX_BYTES } from '../cache/cache.js';
import { TOOL_VERSION } from '../cache/version.js';
import { BtfBundleError, UsageError } from '../errors.js';
import type { BpfObject } from '../object.js';
import { checkOutputs, GuardedInputs } from '../output-guard.js';
import { type BuildReport, computeStats, type KernelReport } from '../report/report.js';
import { parseGitSnapshot, snapshotDirectory } from '../snapshot/git.js';
import { type SnapshotKernel, scanSnapshot } from '../snapshot/scan.js';
import { buildFingerprint, type MemoizedBuild, recallBuild, rememberBuild } from './memo.js';
import {
  ANY_ARCH,
  type ObjectFile,
  objectSignature,
  objectsForArch,
  parsedObject,
  resolveObjects,
} from './objects.js';
import type { BuildBundleOptions, BuildResult } from './types.js';

/** A build stopped because of `failOn`; `report` says what happened to every kernel. */
export class BuildFailedError extends BtfBundleError {
  override name = 'BuildFailedError';
  override readonly code: string = 'BUILD_FAILED';
  /** The report of the failed build (its stats count no bundle bytes). */
  report?: BuildReport;
}

/**
 * The object sets per arch present among `kernels` (each object parsed once, even when several arches share it),
 * the same sets parsed (for a main-thread lane), and the arches that have no objects.
 */
function objectSetsFor(
  kernels: readonly SnapshotKernel[],
  byArch: Map<string, ObjectFile[]>,
): { sets: Record<string, ObjectSet>; parsed: Record<string, BpfObject[]>; missing: Set<string> } {
  const sets: Record<string, ObjectSet> = {};
  const parsed: Record<string, BpfObject[]> = {};
  const missing = new Set<string>();
  for (const arch of new Set(kernels.map((k) => k.key.arch))) {
    const files = objectsForArch(byArch, arch);
    if (files.length === 0) {
      missing.add(arch);
      continue;
    }
    parsed[arch] = files.map(parsedObject);
    sets[arch] = {
      objects: files.map((f) => ({ name: f.name, sections: parsedObject(f).sections })),
      signatures: files.map(objectSignature),
    };
  }
  return { sets, parsed, missing };
}

function kernelReport(kernel: SnapshotKernel, outcome: KernelOutcome): KernelReport {
  const base = { id: kernel.id, path: kernel.path, cached: outcome.cached, ms: outcome.ms };
  const size = outcome.sourceBytes === undefined ? {} : { sourceBytes: outcome.sourceBytes };
  if (outcome.status === 'failed') {
    return { ...base, ...size, status: 'failed', failure: outcome.failure, reason: outcome.reason };
  }
  const btf = {
    btfBytes: outcome.btf.length,
    btfSha256: createHash('sha256').update(outcome.btf).digest('hex'),
  };
  return { ...base, ...size, status: 'covered', ...btf, objects: outcome.objects };
}

/**
 * Build a bundle: scan the snapshot, minimize every kernel for the objects of its arch on a worker pool (with the
 * on-disk cache), dedup identical outputs and encode them with the kernel→BTF lookup and the objects' names and
 * sha256. The bytes depend only on the inputs (not on file order or worker count). Kernels that fail are
 * reported and recorded in the bundle as failed unless `failOn` makes them fatal ({@link BuildFailedError}).
 */
export async function buildBundle(opts: BuildBundleOptions): Promise<BuildResult> {
  const start = performance.now();
  const failOn = opts.failOn ?? 'never';
  const mode = opts.mode ?? 'robust';
  const workers = opts.workers;
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1))
    throw new UsageError(`workers must be a positive integer, got ${workers}`);
  const warn = (message: string) => opts.onWarning?.(message);

  const byArch = await resolveObjects(opts.objects, opts.cwd);
  if (byArch.size === 0) throw new UsageError('no objects given');
  const cacheDir = opts.cacheDir === false ? null : resolve(opts.cacheDir ?? DEFAULT_CACHE_DIR);
  // The cache writes and evicts files under its dir: never inside a local snapshot, nor around it (a git
  // snapshot's checkout lives in the cache dir on purpose).
  if (cacheDir !== null && !parseGitSnapshot(opts.snapshot)) {
    const snapshotInput = new GuardedInputs([{ role: 'snapshot', path: opts.snapshot, dir: true }]);
    checkOutputs([{ role: 'cache dir', path: cacheDir, dir: true }], snapshotInput);
  }
  const snapshot = await snapshotDirectory(opts.snapshot, {
    cacheDir: cacheDir ?? resolve(DEFAULT_CACHE_DIR),
    include: opts.include,
    exclude: opts.exclude,
    arches: byArch.has(ANY_ARCH) ? undefined : [...byArch.keys()],
    onWarning: warn,
  });
  const scan = await scanSnapshot(snapshot.dir, {
    include: opts.include,
    exclude: opts.exclude,
    followLinksOut: opts.followLinksOut,
  });
  for (const { path, reason } of scan.skipped) warn(`${path}: skipped: ${reason}`);
  if (scan.kernels.length === 0 && scan.invalid.length === 0) {
    const filter = [
      ...(opts.include ?? []).map((g) => `include '${g}'`),
      ...(opts.exclude ?? []).map((g) => `exclude '${g}'`),
    ];
    throw new UsageError(
      filter.length > 0
        ? `the filter (${filter.join(', ')}) selects no kernel of snapshot ${opts.snapshot}`
        : `snapshot ${opts.snapshot} has no kernel files (<distro>/<version>/<arch>/<release>.btf[.tar.xz])`,
    );
  }
  // A build whose inputs did not change since one the cache remembers is that build: no kernel is read again.
  const cache = cacheDir === null ? undefined : new BuildCache(cacheDir);
  const fingerprint =
    cache && buildFingerprint(byArch, scan, { mode, failOn, maxKernelBytes: opts.maxKernelBytes });
  const recalled =
    cache && fingerprint ? await recallBuild(cache, fingerprint).catch(() => undefined) : undefined;
  if (recalled) {
    // A hit writes nothing, so the cache is as bounded as the last write left it, unless the bound changed.
    if (opts.cacheMaxBytes !== undefined) await cache?.evict(opts.cacheMaxBytes);
    return replayBuild(recalled, start, snapshot.revision, warn);
  }
  const warnings: string[] = [];
  const note = (message: string) => {
    warnings.push(message);
    warn(message);
  };

  const { sets, parsed, missing } = objectSetsFor(scan.kernels, byArch);
  for (const arch of missing) note(`no objects for arch ${arch}: its kernels are skipped`);

  const reports = new Map<string, KernelReport>();
  for (const { path, reason } of scan.invalid) {
    note(`${path}: ${reason}`);
    reports.set(path, { id: path, path, status: 'failed', failure: 'unreadable', reason });
  }
  const tasks: KernelTask[] = [];
  for (const kernel of scan.kernels) {
    if (missing.has(kernel.key.arch)) {
      reports.set(kernel.id, {
        id: kernel.id,
        path: kernel.path,
        status: 'skipped',
        reason: `no objects for arch ${kernel.key.arch}`,
      });
    } else tasks.push({ id: kernel.id, path: kernel.path, arch: kernel.key.arch });
  }

  const setup: TaskSetup = { objectSets: sets, cacheDir, mode, maxKernelBytes: opts.maxKernelBytes };
  let done = 0;
  const outcomes = await runKernelTasks(tasks, setup, {
    workers,
    useMainThread: opts.useMainThread ?? false,
    parsedObjects: parsed,
    onOutcome: (outcome) => {
      done++;
      const elapsed = performance.now() - start;
      const etaMs = done < tasks.length ? (elapsed / done) * (tasks.length - done) : 0;
      if (outcome.cacheWarning) warn(`${outcome.id}: ${outcome.cacheWarning}`);
      if (outcome.status === 'failed') note(`${outcome.id}: ${outcome.reason}`);
      opts.onProgress?.({ done, total: tasks.length, current: outcome.id, elapsedMs: elapsed, etaMs });
    },
  });
  const kernelsById = new Map(scan.kernels.map((k) => [k.id, k]));
  outcomes.forEach((outcome) => {
    reports.set(outcome.id, kernelReport(kernelsById.get(outcome.id) as SnapshotKernel, outcome));
  });
  const kernels = [...scan.invalid.map((i) => i.path), ...scan.kernels.map((k) => k.id)].map(
    (id) => reports.get(id) as KernelReport,
  );
  const objects = [...byArch].flatMap(([arch, files]) =>
    files.map((f) => ({ name: f.name, sha256: f.sha256, arch })),
  );

  const fatal = kernels.filter(
    (k) =>
      k.status === 'failed' &&
      (failOn === 'error' || (failOn === 'unreadable' && k.failure === 'unreadable')),
  );
  if (fatal.length > 0) {
    const stats = computeStats(kernels, { distinctBlobs: 0, bundleBytes: 0, ms: performance.now() - start });
    const err = new BuildFailedError(
      `${fatal.length} kernel(s) failed with --fail-on ${failOn}; first: ${fatal[0]?.id}: ${fatal[0]?.reason}`,
    );
    err.report = { version: 1, objects, kernels, stats };
    throw err;
  }

  const covered = outcomes.flatMap((o) =>
    o.status === 'covered' ? [{ key: kernelsById.get(o.id)!.key, blob: o.btf }] : [],
  );
  const failed = outcomes.flatMap((o) =>
    o.status === 'failed' ? [{ key: kernelsById.get(o.id)!.key, reason: o.reason }] : [],
  );
  const bundleObjects = [...new Map(objects.map((o) => [`${o.name}\0${o.sha256}`, o])).values()];
  const bundle = encodeBundle({
    kernels: covered,
    failed,
    objects: bundleObjects.map(({ name, sha256 }) => ({ name, sha256 })),
    meta: { tool: 'btf-bundle', version: TOOL_VERSION, mode },
  });
  const distinctBlobs = new Set(covered.map((c) => createHash('sha256').update(c.blob).digest('hex'))).size;
  const stats = computeStats(kernels, {
    distinctBlobs,
    bundleBytes: bundle.length,
    ms: performance.now() - start,
  });
  const report: BuildReport = { version: 1, objects, kernels, stats };
  if (cache && fingerprint) {
    const memo = { bundle, report, warnings, distinctBlobs };
    await rememberBuild(cache, fingerprint, memo).catch((err) => warn(`cache: ${(err as Error).message}`));
    await cache.evict(opts.cacheMaxBytes ?? DEFAULT_CACHE_MAX_BYTES);
  }
  return { bundle, report, stats, snapshotRevision: snapshot.revision };
}

/** The result of a remembered build, as if it had run now: every kernel a cache hit, its warnings said again. */
function replayBuild(
  memo: MemoizedBuild,
  start: number,
  snapshotRevision: string | undefined,
  warn: (message: string) => void,
): BuildResult {
  for (const message of memo.warnings) warn(message);
  const kernels = memo.report.kernels.map((k) => (k.status === 'skipped' ? k : { ...k, cached: true }));
  const stats = computeStats(kernels, {
    distinctBlobs: memo.distinctBlobs,
    bundleBytes: memo.bundle.length,
    ms: performance.now() - start,
  });
  return { bundle: memo.bundle, report: { ...memo.report, kernels, stats }, stats, snapshotRevision };
}
