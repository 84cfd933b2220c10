import { statSync } from 'node:fs';
import type { BundleManifest } from '@btf-bundle/runtime';
import type { BuildCache } from '../cache/cache.js';
import type { BuildReport } from '../report/report.js';
import type { SnapshotScan } from '../snapshot/scan.js';
import { sha256Hex } from '../util/sha256.js';
import { MINIMIZER_REVISION, TOOL_VERSION } from '../version/version.js';
import type { ObjectFile } from './objects.js';

/** What a build depends on besides its files: the options that change its bundle or report. */
export interface MemoOptions {
  mode: string;
  failOn: string;
  maxKernelBytes: number | undefined;
}

/**
 * The fingerprint of a whole build: the tool and minimizer revision, the options, every object's name and
 * sha256 per arch, and every kernel file's identity (path, size, mtime, ctime, inode — as the per-kernel source
 * index judges a file unchanged) with what the scan refused. Equal fingerprints give equal bundles and reports.
 */
export function buildFingerprint(
  byArch: ReadonlyMap<string, readonly ObjectFile[]>,
  scan: SnapshotScan,
  opts: MemoOptions,
): string {
  const kernels = scan.kernels.map((k) => {
    const info = statSync(k.path, { throwIfNoEntry: false });
    return [k.id, k.path, info?.size, info?.mtimeMs, info?.ctimeMs, info?.ino];
  });
  const objects = [...byArch].map(([arch, files]) => [arch, files.map((f) => [f.name, f.sha256])]);
  const text = JSON.stringify([
    'build',
    TOOL_VERSION,
    MINIMIZER_REVISION,
    opts,
    objects,
    kernels,
    scan.invalid,
    scan.skipped,
  ]);
  return sha256Hex(text);
}

/** A remembered build: its bundle with the bundle's manifest, report and warnings. */
export interface MemoizedBuild {
  bundle: Uint8Array;
  manifest: BundleManifest;
  report: BuildReport;
  warnings: string[];
}

/** The build remembered under `fingerprint`, or undefined (absent, corrupted or of another shape). */
export async function recallBuild(
  cache: BuildCache,
  fingerprint: string,
): Promise<MemoizedBuild | undefined> {
  const record = await cache.getRecord(fingerprint);
  const meta = record?.meta as Omit<MemoizedBuild, 'bundle'> | undefined;
  if (
    !record ||
    !meta ||
    !Array.isArray(meta.warnings) ||
    !Array.isArray(meta.report?.kernels) ||
    !Array.isArray(meta.manifest?.kernels)
  )
    return undefined;
  return { ...meta, bundle: record.payload };
}

/** Remember a finished build under `fingerprint` (in the cache, evicted with the per-kernel results). */
export function rememberBuild(cache: BuildCache, fingerprint: string, build: MemoizedBuild): Promise<void> {
  const { bundle, ...meta } = build;
  return cache.putRecord(fingerprint, meta, bundle);
}
