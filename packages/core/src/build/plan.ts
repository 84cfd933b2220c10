import { resolve } from 'node:path';
import type { KernelTask, ObjectSet, TaskSetup } from '../batch/task.js';
import { BuildCache, DEFAULT_CACHE_DIR } from '../cache/cache.js';
import { UsageError } from '../errors.js';
import type { MinimizeMode } from '../minimize/minimize.js';
import type { BpfObject } from '../object.js';
import { checkOutputs, GuardedInputs } from '../output-guard.js';
import type { KernelReport } from '../report/report.js';
import { parseGitSnapshot, snapshotDirectory } from '../snapshot/git.js';
import { redactUrlCredentials } from '../snapshot/git-url.js';
import { isTarXzPath } from '../snapshot/input.js';
import { type SnapshotKernel, type SnapshotScan, scanSnapshot } from '../snapshot/scan.js';
import { xzFallbackNote } from '../snapshot/xz-source.js';
import { buildFingerprint } from './memo.js';
import {
  ANY_ARCH,
  type ObjectFile,
  objectSignature,
  objectsForArch,
  parsedObject,
  readObjects,
  resolveObjects,
} from './objects.js';
import type { BuildBundleOptions, FailOn } from './types.js';

/** The inputs of a build, found and checked before any kernel is read: what it builds, from what, and where. */
export interface BuildPlan {
  /** The options as given. */
  opts: BuildBundleOptions;
  /** `opts.mode` with its default. */
  mode: MinimizeMode;
  /** `opts.failOn` with its default. */
  failOn: FailOn;
  /** The objects per arch ({@link ANY_ARCH} for those that apply to every arch). */
  byArch: Map<string, ObjectFile[]>;
  /** The snapshot's kernels, and the files refused. */
  scan: SnapshotScan;
  /** The commit built from, when the snapshot is a git remote. */
  snapshotRevision: string | undefined;
  /** Gives a git snapshot's checkout back (other builds wait for it): call once the kernels are read. */
  releaseSnapshot: () => Promise<void>;
  /** The cache dir, or null without a cache. */
  cacheDir: string | null;
  /** The cache, when there is one. */
  cache: BuildCache | undefined;
  /** The fingerprint of the whole build (see `buildFingerprint`), when there is a cache to remember it in. */
  fingerprint: string | undefined;
  /** A kernel file changed too recently to remember this build under its fingerprint (see `buildFingerprint`). */
  racy: boolean;
  /** The warnings of this build so far (said again when a remembered build is replayed). */
  warnings: string[];
}

/** What the worker pool is given: the tasks, their setup, and the reports of the kernels that get no task. */
export interface KernelWork {
  /** One task per kernel of an arch with objects. */
  tasks: KernelTask[];
  /** Objects per arch, the cache and the mode, as the workers take them. */
  setup: TaskSetup;
  /** The object sets parsed, for a main-thread lane. */
  parsed: Record<string, BpfObject[]>;
  /** Reports of the files that were no kernel and of the kernels skipped (their arch has no objects), by id. */
  reports: Map<string, KernelReport>;
  /** The scanned kernels by id. */
  kernelsById: Map<string, SnapshotKernel>;
}

/** Says `message` now (`onWarning`) without remembering it: warnings a replayed build says again by itself. */
export function warn(plan: Pick<BuildPlan, 'opts'>, message: string): void {
  plan.opts.onWarning?.(message);
}

/** Says `message` and records it with the build, so a replay of this build says it again. */
export function note(plan: BuildPlan, message: string): void {
  plan.warnings.push(message);
  warn(plan, message);
}

/**
 * Plan a build: check the options, read the objects, locate (or fetch) and scan the snapshot, open the cache and
 * fingerprint the inputs. Throws UsageError for bad options, no objects, or a snapshot that selects no kernel.
 */
export async function planBuild(opts: BuildBundleOptions): Promise<BuildPlan> {
  const workers = opts.workers;
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 1))
    throw new UsageError(`workers must be a positive integer, got ${workers}`);
  const mode = opts.mode ?? 'robust';
  const failOn = opts.failOn ?? 'never';
  const cacheDir = opts.cacheDir === false ? null : resolve(opts.cacheDir ?? DEFAULT_CACHE_DIR);
  // Checked before anything is written there (resolving the objects records their hashes).
  guardCacheDir(opts.snapshot, cacheDir);
  const cache = cacheDir === null ? undefined : new BuildCache(cacheDir);
  const byArch = await resolveObjects(opts.objects, opts.cwd, cache);
  if (byArch.size === 0) throw new UsageError('no objects given');
  const snapshot = await snapshotDirectory(opts.snapshot, {
    cacheDir: cacheDir ?? false,
    cwd: opts.cwd,
    include: opts.include,
    exclude: opts.exclude,
    arches: byArch.has(ANY_ARCH) ? undefined : [...byArch.keys()],
    onWarning: (message) => warn({ opts }, message),
  });
  try {
    const scan = await scanSnapshot(snapshot.dir, {
      include: opts.include,
      exclude: opts.exclude,
      followLinksOut: opts.followLinksOut,
    });
    for (const { path, reason } of scan.skipped) warn({ opts }, `${path}: skipped: ${reason}`);
    const slowXz = scan.kernels.some((k) => isTarXzPath(k.path)) && xzFallbackNote();
    if (slowXz) warn({ opts }, slowXz);
    if (scan.kernels.length === 0 && scan.invalid.length === 0) throw noKernelError(opts);
    const { revision: snapshotRevision, release: releaseSnapshot } = snapshot;
    const plan = { opts, mode, failOn, byArch, scan, snapshotRevision, releaseSnapshot, cacheDir, cache };
    return { ...plan, ...fingerprintPlan(plan), warnings: [] };
  } catch (err) {
    await snapshot.release();
    throw err;
  }
}

/** The fingerprint of a plan's inputs (none without a cache) and whether they are racy. */
function fingerprintPlan(
  plan: Pick<BuildPlan, 'cache' | 'byArch' | 'scan' | 'mode' | 'failOn' | 'opts'>,
): Pick<BuildPlan, 'fingerprint' | 'racy'> {
  if (!plan.cache) return { fingerprint: undefined, racy: false };
  const { mode, failOn, opts } = plan;
  return buildFingerprint(plan.byArch, plan.scan, { mode, failOn, maxKernelBytes: opts.maxKernelBytes });
}

/**
 * Read the objects the plan has not read yet (those whose hash the cache vouched for: a build answered from its
 * record needs none). An object that changed since it was hashed changes the plan's fingerprint.
 */
export async function readPlannedObjects(plan: BuildPlan): Promise<void> {
  if (await readObjects([...plan.byArch.values()].flat())) Object.assign(plan, fingerprintPlan(plan));
}

/**
 * The cache writes and evicts files under its dir: never inside a local snapshot, nor around it (a git
 * snapshot's checkout lives in the cache dir on purpose).
 */
function guardCacheDir(snapshot: string, cacheDir: string | null): void {
  if (cacheDir === null || parseGitSnapshot(snapshot)) return;
  const snapshotInput = new GuardedInputs([{ role: 'snapshot', path: snapshot, dir: true }]);
  checkOutputs([{ role: 'cache dir', path: cacheDir, dir: true }], snapshotInput);
}

/** The UsageError of a snapshot in which nothing is selected, naming the filter when there is one. */
function noKernelError(opts: BuildBundleOptions): UsageError {
  const snapshot = redactUrlCredentials(opts.snapshot);
  const filter = [
    ...(opts.include ?? []).map((g) => `include '${g}'`),
    ...(opts.exclude ?? []).map((g) => `exclude '${g}'`),
  ];
  return new UsageError(
    filter.length > 0
      ? `the filter (${filter.join(', ')}) selects no kernel of snapshot ${snapshot}`
      : `snapshot ${snapshot} has no kernel files (<distro>/<version>/<arch>/<release>.btf[.tar.xz])`,
  );
}

/**
 * The work of a planned build: the object sets of the arches present (each object parsed once), one task per
 * kernel of an arch with objects, and the reports of the rest (files that are no kernel, kernels of an arch
 * without objects), each noted as a warning.
 */
export function planKernels(plan: BuildPlan): KernelWork {
  const signed = plan.cacheDir !== null;
  const { sets, parsed, missing } = objectSetsFor(plan.scan.kernels, plan.byArch, signed);
  for (const arch of missing) note(plan, `no objects for arch ${arch}: its kernels are skipped`);
  const reports = new Map<string, KernelReport>();
  for (const { path, reason } of plan.scan.invalid) {
    note(plan, `${path}: ${reason}`);
    reports.set(path, { id: path, path, status: 'failed', failure: 'unreadable', reason });
  }
  const tasks: KernelTask[] = [];
  for (const { id, path, key } of plan.scan.kernels) {
    if (missing.has(key.arch))
      reports.set(id, { id, path, status: 'skipped', reason: `no objects for arch ${key.arch}` });
    else tasks.push({ id, path, arch: key.arch });
  }
  const { cacheDir, mode } = plan;
  const setup: TaskSetup = { objectSets: sets, cacheDir, mode, maxKernelBytes: plan.opts.maxKernelBytes };
  const kernelsById = new Map(plan.scan.kernels.map((k) => [k.id, k]));
  return { tasks, setup, parsed, reports, kernelsById };
}

/**
 * The object sets per arch present among `kernels` (each object parsed once, even when several arches share it),
 * the same sets parsed (for a main-thread lane), and the arches that have no objects. The objects' relocation
 * signatures are computed only when `signed` (they key the cache: without one nothing reads them).
 */
function objectSetsFor(
  kernels: readonly SnapshotKernel[],
  byArch: Map<string, ObjectFile[]>,
  signed: boolean,
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
      signatures: signed ? files.map(objectSignature) : [],
    };
  }
  return { sets, parsed, missing };
}
