import { stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { checkKernelKey, compareKernelKeys, type KernelKey, kernelId } from '@btf-bundle/runtime';
import fg from 'fast-glob';
import { UsageError } from '../errors.js';

/** File name suffixes of kernel BTFs in a BTFHub archive, longest first. */
const SUFFIXES = ['.btf.tar.xz', '.btf'] as const;

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
}

/** What {@link scanSnapshot} found. */
export interface SnapshotScan {
  /** Kernels, sorted by kernel key (deterministic whatever the file system order). */
  kernels: SnapshotKernel[];
  /** Files in kernel position whose path is not a valid kernel key, with the reason. */
  invalid: { path: string; reason: string }[];
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
  const suffix = SUFFIXES.find((s) => file.endsWith(s));
  if (!suffix) return undefined;
  return checkKernelKey({ distro, version, arch, release: file.slice(0, -suffix.length) });
}

/**
 * List the kernels of a BTFHub-layout snapshot dir, filtered by `include`/`exclude` globs. Files are not opened.
 * A release present both as `.btf` and `.btf.tar.xz` is listed once (the raw `.btf` wins: no decompression).
 * Throws UsageError when `dir` is not a directory.
 */
export async function scanSnapshot(dir: string, opts: ScanOptions = {}): Promise<SnapshotScan> {
  const root = resolve(dir);
  const info = await stat(root).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`snapshot ${dir} is not a directory`);
  const include = opts.include?.length ? opts.include : SUFFIXES.map((s) => `**/*${s}`);
  const files = await fg(include, {
    cwd: root,
    ignore: opts.exclude ?? [],
    onlyFiles: true,
    followSymbolicLinks: true,
    dot: false,
  });
  const byId = new Map<string, SnapshotKernel>();
  const invalid: SnapshotScan['invalid'] = [];
  for (const rel of files.sort()) {
    const path = resolve(root, rel);
    let key: KernelKey | undefined;
    try {
      key = parseKernelPath(rel);
    } catch (err) {
      invalid.push({ path, reason: err instanceof Error ? err.message : String(err) });
      continue;
    }
    if (!key) continue;
    const id = kernelId(key);
    const prev = byId.get(id);
    if (!prev || path.endsWith('.btf')) byId.set(id, { key, id, path });
  }
  const kernels = [...byId.values()].sort((a, b) => compareKernelKeys(a.key, b.key));
  return { kernels, invalid };
}
