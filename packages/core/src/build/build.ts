import { capLanes } from '../batch/lanes.js';
import { runKernelTasks } from '../batch/pool.js';
import type { KernelOutcome } from '../batch/task.js';
import { type EncodedBundle, encodeBundle } from '../bundle/encode.js';
import { DEFAULT_CACHE_MAX_BYTES } from '../cache/cache.js';
import { BtfBundleError } from '../errors.js';
import { type BuildReport, computeStats, type KernelReport } from '../report/report.js';
import type { SnapshotKernel } from '../snapshot/scan.js';
import { errorMessage } from '../util/error-message.js';
import { sha256Hex } from '../util/sha256.js';
import { TOOL_VERSION } from '../version/version.js';
import { type MemoizedBuild, recallBuild, rememberBuild } from './memo.js';
import {
  type BuildPlan,
  type KernelWork,
  note,
  planBuild,
  planKernels,
  readPlannedObjects,
  warn,
} from './plan.js';
import type { BuildBundleOptions, BuildResult, FailOn } from './types.js';

/**
 * A build stopped because of `failOn`; `report` says what happened to every kernel. The message names the setting
 * as `buildBundle`'s option (`failOn: 'unreadable'`); {@link BuildFailedError.naming} names it otherwise (the CLI:
 * its flag).
 */
export class BuildFailedError extends BtfBundleError {
  override name = 'BuildFailedError';
  override readonly code: string = 'BUILD_FAILED';
  /** The setting that made the failures fatal. */
  readonly failOn: FailOn;
  /** The kernels whose failure was fatal, in scan order. */
  readonly fatal: readonly KernelReport[];
  /** The report of the failed build (its stats count no bundle bytes). */
  report?: BuildReport;

  constructor(failOn: FailOn, fatal: readonly KernelReport[], setting = `failOn: '${failOn}'`) {
    const first = fatal[0];
    super(`${fatal.length} kernel(s) failed with ${setting}; first: ${first?.id}: ${first?.reason}`);
    this.failOn = failOn;
    this.fatal = fatal;
  }

  /** This error (with its report) with the setting named `setting`, e.g. `--fail-on unreadable`. */
  naming(setting: string): BuildFailedError {
    const named = new BuildFailedError(this.failOn, this.fatal, setting);
    if (this.report) named.report = this.report;
    return named;
  }
}

/** A build's report before its stats: the objects and what happened to every kernel, in scan order. */
type ReportBody = Omit<BuildReport, 'stats'>;

/**
 * Build a bundle: scan the snapshot, minimize every kernel for the objects of its arch on a worker pool (with the
 * on-disk cache), dedup identical outputs and encode them with the kernel→BTF lookup and the objects' names and
 * sha256. The bytes depend only on the inputs (not on file order or worker count). Kernels that fail are
 * reported and recorded in the bundle as failed unless `failOn` makes them fatal ({@link BuildFailedError}).
 *
 * The steps: {@link planBuild} (inputs, cache, fingerprint), a remembered build with the same fingerprint replayed,
 * or {@link planKernels} (tasks) → {@link runBuild} (outcomes) → {@link reportBuild} (report, `failOn`) →
 * {@link encodeBuild} (bundle and manifest), then the build remembered and the cache evicted.
 */
export async function buildBundle(opts: BuildBundleOptions): Promise<BuildResult> {
  const start = performance.now();
  const plan = await planBuild(opts);
  try {
    return await buildPlanned(plan, start);
  } finally {
    await plan.releaseSnapshot();
  }
}

/** {@link buildBundle} once planned: replayed, or run, reported, encoded and remembered. */
async function buildPlanned(plan: BuildPlan, start: number): Promise<BuildResult> {
  const recalled = await recallPlannedBuild(plan);
  if (recalled) return replayBuild(plan, recalled, start);
  await readPlannedObjects(plan);
  const work = planKernels(plan);
  const outcomes = await runBuild(plan, work, start);
  const body = reportBuild(plan, work, outcomes, start);
  const encoded = encodeBuild(plan, work, outcomes, body);
  const stats = computeStats(body.kernels, {
    distinctBlobs: encoded.manifest.stats.blobs,
    bundleBytes: encoded.bytes.length,
    ms: performance.now() - start,
  });
  const report: BuildReport = { ...body, stats };
  await rememberPlannedBuild(plan, { bundle: encoded.bytes, manifest: encoded.manifest, report });
  const { snapshotRevision } = plan;
  return { bundle: encoded.bytes, manifest: encoded.manifest, report, stats, snapshotRevision };
}

/** The build the cache remembers under the plan's fingerprint: a build whose inputs did not change. */
async function recallPlannedBuild(plan: BuildPlan): Promise<MemoizedBuild | undefined> {
  const { cache, fingerprint } = plan;
  if (!cache || !fingerprint) return undefined;
  const recalled = await recallBuild(cache, fingerprint).catch(() => undefined);
  // A hit writes nothing, so the cache is as bounded as the last write left it, unless the bound changed.
  if (recalled && plan.opts.cacheMaxBytes !== undefined) await cache.evict(plan.opts.cacheMaxBytes);
  return recalled;
}

/**
 * Remembers a finished build under the plan's fingerprint (a failure to is a warning; racy inputs are not
 * remembered) and bounds the cache.
 */
async function rememberPlannedBuild(plan: BuildPlan, build: Omit<MemoizedBuild, 'warnings'>): Promise<void> {
  const { cache, fingerprint } = plan;
  if (!cache || !fingerprint) return;
  const memo = { ...build, warnings: plan.warnings };
  if (!plan.racy)
    await rememberBuild(cache, fingerprint, memo).catch((err) => warn(plan, `cache: ${errorMessage(err)}`));
  await cache.evict(plan.opts.cacheMaxBytes ?? DEFAULT_CACHE_MAX_BYTES);
}

/** Runs the kernel tasks on the worker pool; failures and cache problems are warned as they come, with progress. */
function runBuild(plan: BuildPlan, work: KernelWork, start: number): Promise<KernelOutcome[]> {
  const { opts } = plan;
  const total = work.tasks.length;
  let done = 0;
  const lanes = capLanes(opts.workers, 'workers');
  if (lanes.note) warn(plan, lanes.note);
  return runKernelTasks(work.tasks, work.setup, {
    workers: lanes.workers,
    useMainThread: opts.useMainThread ?? false,
    parsedObjects: work.parsed,
    onOutcome: (outcome) => {
      done++;
      const elapsedMs = performance.now() - start;
      const etaMs = done < total ? (elapsedMs / done) * (total - done) : 0;
      if (outcome.cacheWarning) warn(plan, `${outcome.id}: ${outcome.cacheWarning}`);
      if (outcome.status === 'failed') note(plan, `${outcome.id}: ${outcome.reason}`);
      opts.onProgress?.({ done, total, current: outcome.id, elapsedMs, etaMs });
    },
  });
}

function kernelReport(kernel: SnapshotKernel, outcome: KernelOutcome): KernelReport {
  const base = { id: kernel.id, path: kernel.path, cached: outcome.cached, ms: outcome.ms };
  const size = outcome.sourceBytes === undefined ? {} : { sourceBytes: outcome.sourceBytes };
  if (outcome.status === 'failed') {
    return { ...base, ...size, status: 'failed', failure: outcome.failure, reason: outcome.reason };
  }
  const btf = {
    btfBytes: outcome.btf.length,
    btfSha256: sha256Hex(outcome.btf),
  };
  return { ...base, ...size, status: 'covered', ...btf, objects: outcome.objects };
}

/**
 * The report of a run: every object per arch and every scanned file's kernel report, in scan order. Throws
 * {@link BuildFailedError} (with the report, no bundle counted) when `failOn` makes a failed kernel fatal.
 */
function reportBuild(
  plan: BuildPlan,
  work: KernelWork,
  outcomes: KernelOutcome[],
  start: number,
): ReportBody {
  const reports = new Map(work.reports);
  for (const outcome of outcomes)
    reports.set(outcome.id, kernelReport(work.kernelsById.get(outcome.id) as SnapshotKernel, outcome));
  const { scan, byArch, failOn } = plan;
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
    const err = new BuildFailedError(failOn, fatal);
    err.report = { version: 1, objects, kernels, stats };
    throw err;
  }
  return { version: 1, objects, kernels };
}

/**
 * Encodes the bundle of a run: the covered kernels' BTFs (with the hashes their reports hold, so no BTF is hashed
 * twice), the failed kernels' reasons and the distinct objects.
 */
function encodeBuild(
  plan: BuildPlan,
  work: KernelWork,
  outcomes: KernelOutcome[],
  body: ReportBody,
): EncodedBundle {
  const keyOf = (id: string) => (work.kernelsById.get(id) as SnapshotKernel).key;
  const hashOf = new Map(body.kernels.map((k) => [k.id, k.btfSha256]));
  const covered = outcomes.flatMap((o) =>
    o.status === 'covered' ? [{ key: keyOf(o.id), blob: o.btf, sha256: hashOf.get(o.id) }] : [],
  );
  const failed = outcomes.flatMap((o) =>
    o.status === 'failed' ? [{ key: keyOf(o.id), reason: o.reason }] : [],
  );
  const objects = [...plan.byArch.values()].flat().map(({ name, sha256 }) => ({ name, sha256 }));
  const distinct = [...new Map(objects.map((o) => [`${o.name}\0${o.sha256}`, o])).values()];
  return encodeBundle({
    kernels: covered,
    failed,
    objects: distinct,
    meta: { tool: 'btf-bundle', version: TOOL_VERSION, mode: plan.mode },
  });
}

/** The result of a remembered build, as if it had run now: every kernel a cache hit, its warnings said again. */
function replayBuild(plan: BuildPlan, memo: MemoizedBuild, start: number): BuildResult {
  for (const message of memo.warnings) warn(plan, message);
  const kernels = memo.report.kernels.map((k) => (k.status === 'skipped' ? k : { ...k, cached: true }));
  const stats = computeStats(kernels, {
    distinctBlobs: memo.manifest.stats.blobs,
    bundleBytes: memo.bundle.length,
    ms: performance.now() - start,
  });
  const report = { ...memo.report, kernels, stats };
  return {
    bundle: memo.bundle,
    manifest: memo.manifest,
    report,
    stats,
    snapshotRevision: plan.snapshotRevision,
  };
}
