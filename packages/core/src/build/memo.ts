import { statSync } from 'node:fs';
import type { BundleManifest } from '@btf-bundle/runtime';
import { BUNDLE_FORMAT_VERSION } from '@btf-bundle/runtime/internal';
import type { BuildCache } from '../cache/cache.js';
import type { ObjectRelocationSummary } from '../report/relocations.js';
import type { BuildReport, KernelReport } from '../report/report.js';
import type { SnapshotScan } from '../snapshot/scan.js';
import { fileIdentity, isRacy } from '../util/file-identity.js';
import { sha256Hex } from '../util/sha256.js';
import { ENCODER_REVISION, MINIMIZER_REVISION, TOOL_VERSION } from '../version/version.js';
import type { ObjectFile } from './objects.js';

/** What a build depends on besides its files: the options that change its bundle or report. */
export interface MemoOptions {
  mode: string;
  failOn: string;
  maxKernelBytes: number | undefined;
}

/** The fingerprint of a build's inputs, and whether a build made from them may be remembered under it. */
export interface BuildFingerprint {
  /** Hex sha256 of the inputs (see {@link buildFingerprint}). */
  fingerprint: string;
  /**
   * A kernel file changed too recently for its identity to vouch for its contents (`isRacy`): the build may
   * be answered from a record made earlier, but its own result is not remembered.
   */
  racy: boolean;
}

/** The layout of the stored record (part of the fingerprint: a record of another layout is never looked up). */
const RECORD_LAYOUT = 'build 2';

/**
 * The fingerprint of a whole build: the tool version, the minimizer's and the bundle encoder's revisions and the
 * bundle format version, the options, every object's name and
 * sha256 per arch, and every kernel file's path and identity (device, inode, size, modification and change time:
 * `util/file-identity.ts`) with what the scan refused. Equal fingerprints give equal bundles and reports, as
 * long as no identity was racy when a build was remembered under it.
 */
export function buildFingerprint(
  byArch: ReadonlyMap<string, readonly ObjectFile[]>,
  scan: SnapshotScan,
  opts: MemoOptions,
): BuildFingerprint {
  const statAtMs = Date.now();
  let racy = false;
  const kernels = scan.kernels.map((k) => {
    const stats = statSync(k.path, { bigint: true, throwIfNoEntry: false });
    if (stats && isRacy(stats, statAtMs)) racy = true;
    return [k.id, k.path, stats ? fileIdentity(stats) : null];
  });
  const objects = [...byArch].map(([arch, files]) => [arch, files.map((f) => [f.name, f.sha256])]);
  const text = JSON.stringify([
    RECORD_LAYOUT,
    TOOL_VERSION,
    MINIMIZER_REVISION,
    BUNDLE_FORMAT_VERSION,
    ENCODER_REVISION,
    opts,
    objects,
    kernels,
    scan.invalid,
    scan.skipped,
  ]);
  return { fingerprint: sha256Hex(text), racy };
}

/** A remembered build: its bundle with the bundle's manifest, report and warnings. */
export interface MemoizedBuild {
  bundle: Uint8Array;
  manifest: BundleManifest;
  report: BuildReport;
  warnings: string[];
}

/** A kernel report as stored: its per-object counts as an index into {@link StoredBuild.objectLists}. */
type StoredKernel = Omit<KernelReport, 'objects'> & { objects?: number };

/**
 * A remembered build's metadata as stored: the per-object counts of the kernels are kept once per distinct list
 * (a thousand kernels share a few dozen), which keeps the record a tenth of the report's size to read and parse.
 */
interface StoredBuild {
  manifest: BundleManifest;
  warnings: string[];
  report: Omit<BuildReport, 'kernels'> & { kernels: StoredKernel[] };
  objectLists: ObjectRelocationSummary[][];
}

/** The metadata of `build` as stored. */
function storedBuild({ bundle: _, report, ...rest }: MemoizedBuild): StoredBuild {
  const objectLists: ObjectRelocationSummary[][] = [];
  const listIndex = new Map<string, number>();
  const kernels = report.kernels.map(({ objects, ...kernel }): StoredKernel => {
    if (objects === undefined) return kernel;
    const key = JSON.stringify(objects);
    let index = listIndex.get(key);
    if (index === undefined) {
      index = objectLists.push(objects) - 1;
      listIndex.set(key, index);
    }
    return { ...kernel, objects: index };
  });
  return { ...rest, report: { ...report, kernels }, objectLists };
}

/**
 * The build stored as `meta` with `bundle`, or undefined when `meta` is not of that shape. Kernels whose
 * per-object counts are equal share one list.
 */
function memoizedBuild(meta: StoredBuild | undefined, bundle: Uint8Array): MemoizedBuild | undefined {
  if (
    !meta ||
    !Array.isArray(meta.warnings) ||
    !Array.isArray(meta.objectLists) ||
    !Array.isArray(meta.report?.kernels) ||
    !Array.isArray(meta.manifest?.kernels)
  )
    return undefined;
  const { objectLists, report, ...rest } = meta;
  const kernels: KernelReport[] = [];
  for (const { objects, ...kernel } of report.kernels) {
    if (objects === undefined) {
      kernels.push(kernel);
      continue;
    }
    const list = objectLists[objects];
    if (!Array.isArray(list)) return undefined;
    kernels.push({ ...kernel, objects: list });
  }
  return { ...rest, report: { ...report, kernels }, bundle };
}

/** The build remembered under `fingerprint`, or undefined (absent, corrupted or of another shape). */
export async function recallBuild(
  cache: BuildCache,
  fingerprint: string,
): Promise<MemoizedBuild | undefined> {
  const record = await cache.getRecord(fingerprint);
  return record && memoizedBuild(record.meta as StoredBuild | undefined, record.payload);
}

/** Remember a finished build under `fingerprint` (in the cache, evicted with the per-kernel results). */
export function rememberBuild(cache: BuildCache, fingerprint: string, build: MemoizedBuild): Promise<void> {
  return cache.putRecord(fingerprint, storedBuild(build), build.bundle);
}
