import { stat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { type KernelKey, kernelId } from '@btf-bundle/runtime';
import { checkKernelKey, sortByKernelKey } from '@btf-bundle/runtime/internal';
import { UsageError } from '../errors.js';
import { errorMessage } from '../util/error-message.js';
import { filterPaths, withoutDotPaths } from './glob-filter.js';
import { KERNEL_SUFFIXES, type WalkProblem, walkSnapshot } from './walk.js';

/** The globs that select every kernel file (the walk keeps kernel suffixes only). */
const DEFAULT_INCLUDE: string[] = KERNEL_SUFFIXES.map((s) => `**/*${s}`);

/** One kernel file of a snapshot. */
export interface SnapshotKernel {
  /** Parsed from the path. */
  key: KernelKey;
  /** `distro/version/arch/release`. */
  id: string;
  /** Absolute path of the file. */
  path: string;
}

/** Options of {@link scanSnapshot}. */
export interface ScanOptions {
  /** Globs relative to the snapshot dir; a file is kept if it matches one (default: all). */
  include?: string[];
  /** Globs relative to the snapshot dir; a matching file is dropped. */
  exclude?: string[];
  /** Follow symbolic links whose target lies outside the snapshot (default: they are reported and skipped). */
  followLinksOut?: boolean;
}

/** What {@link scanSnapshot} found. */
export interface SnapshotScan {
  /** Kernels, sorted by kernel key (deterministic whatever the file system order). */
  kernels: SnapshotKernel[];
  /**
   * Kernels that cannot be built, with the reason: files in kernel position whose path is not a valid kernel key,
   * and directories that cannot be listed (their kernels are unknown, the directory stands for them).
   */
  invalid: WalkProblem[];
  /** Entries not read, with the reason: special files, dangling links, links out of the snapshot, link loops. */
  skipped: WalkProblem[];
  /** The directories the walk listed (see {@link walkSnapshot}): what a watcher of the snapshot watches. */
  dirs: string[];
}

/**
 * Parse a path relative to a BTFHub snapshot dir (`<distro>/<version>/<arch>/<release>.btf[.tar.xz]`, `/` or the
 * platform separator) into a kernel key; undefined when it does not have that shape. Throws
 * InvalidKernelKeyError when it has the shape but a part is not a safe key component.
 */
export function parseKernelPath(relPath: string): KernelKey | undefined {
  const parts = relPath.split(sep).join('/').split('/');
  if (parts.length !== 4) return undefined;
  const [distro, version, arch, file] = parts as [string, string, string, string];
  const suffix = KERNEL_SUFFIXES.find((s) => file.endsWith(s));
  if (!suffix) return undefined;
  return checkKernelKey({ distro, version, arch, release: file.slice(0, -suffix.length) });
}

/**
 * List the kernels of a BTFHub-layout snapshot dir, filtered by `include`/`exclude` globs. Files are not opened;
 * the walk is bounded and never follows a loop ({@link walkSnapshot}). A release present both as `.btf` and
 * `.btf.tar.xz` is listed once (the raw `.btf` wins: no decompression). Throws UsageError when `dir` is not a
 * directory.
 */
export async function scanSnapshot(dir: string, opts: ScanOptions = {}): Promise<SnapshotScan> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`snapshot ${dir} is not a directory`);
  const walk = await walkSnapshot(root, { followLinksOut: opts.followLinksOut ?? false });
  const files =
    opts.include?.length || opts.exclude?.length
      ? await filterPaths(
          walk.files,
          opts.include?.length ? opts.include : DEFAULT_INCLUDE,
          opts.exclude ?? [],
        )
      : withoutDotPaths(walk.files);
  const byId = new Map<string, SnapshotKernel>();
  const invalid: WalkProblem[] = [...walk.unreadable];
  for (const rel of files) {
    const path = join(root, rel);
    let key: KernelKey | undefined;
    try {
      key = parseKernelPath(rel);
    } catch (err) {
      invalid.push({ path, reason: errorMessage(err) });
      continue;
    }
    if (!key) continue;
    const id = kernelId(key);
    const prev = byId.get(id);
    if (!prev || path.endsWith('.btf')) byId.set(id, { key, id, path });
  }
  const kernels = sortByKernelKey([...byId.values()], (k) => k.key);
  return { kernels, invalid, skipped: walk.skipped, dirs: walk.dirs };
}
