import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sha256Hex } from '../util/sha256.js';
import { checkGitVersion, GitSnapshotError, gitInDir, runGit } from './git-command.js';
import { fetchRevision, snapshotName } from './git-revision.js';
import { filterPaths } from './glob-filter.js';
import { parseKernelPath } from './scan.js';

/** Prefix that makes a snapshot option a git remote instead of a directory. */
const GIT_SNAPSHOT_PREFIX = 'git+';

/** A snapshot given as `git+<url>[#ref]`. */
export interface GitSnapshotSpec {
  /** What git fetches from: `https://…`, `file://…`, `ssh://…`, a path. */
  url: string;
  /** Branch, tag or commit; the remote's HEAD when absent. */
  ref?: string;
}

/** Options of {@link checkoutGitSnapshot}. */
export interface GitSnapshotOptions {
  /** Directory under which the checkout lives (one folder per remote URL). */
  cacheDir: string;
  /** Globs over `<distro>/<version>/<arch>/<release>.btf[.tar.xz]`; only matching kernels are fetched. */
  include?: string[];
  /** Globs of kernel files never to fetch. */
  exclude?: string[];
  /** BTFHub arch names with objects; kernels of other arches are not fetched. Undefined: every arch. */
  arches?: readonly string[];
  /** The git executable (default `git` on the PATH). */
  git?: string;
  /** Called with what the user should know (offline build, the revision used). */
  onWarning?: (message: string) => void;
}

/** A local checkout of the selected part of a git snapshot. */
export interface GitSnapshot {
  /** Directory in BTFHub layout to scan. */
  dir: string;
  /** Commit the checkout holds. */
  revision: string;
  /** True when the remote could not be reached and the cached revision was used. */
  offline: boolean;
  /** Kernel files in the checkout (only these had their contents fetched). */
  files: number;
}

/** Parse `git+<url>[#ref]`; undefined when `snapshot` is not a git remote. */
export function parseGitSnapshot(snapshot: string): GitSnapshotSpec | undefined {
  if (!snapshot.startsWith(GIT_SNAPSHOT_PREFIX)) return undefined;
  const rest = snapshot.slice(GIT_SNAPSHOT_PREFIX.length);
  const hash = rest.lastIndexOf('#');
  const url = hash < 0 ? rest : rest.slice(0, hash);
  const ref = hash < 0 ? undefined : rest.slice(hash + 1);
  if (url === '' || url.startsWith('-'))
    throw new GitSnapshotError(`snapshot ${snapshot}: expected git+<url>[#ref]`);
  if (ref !== undefined && (ref === '' || ref.startsWith('-') || /[\s~^:?*[\\]|\.\./.test(ref)))
    throw new GitSnapshotError(`snapshot ${snapshot}: "${ref}" is not a valid git ref`);
  return ref === undefined ? { url } : { url, ref };
}

/**
 * The kernel files of a tree listing that the include/exclude globs (fast-glob rules, as for a directory snapshot)
 * and the arches select, sorted.
 */
export async function selectKernelPaths(
  paths: readonly string[],
  opts: GitSnapshotOptions,
): Promise<string[]> {
  const arches = opts.arches ? new Set(opts.arches) : undefined;
  const kernels = paths.filter((path) => {
    let key: ReturnType<typeof parseKernelPath>;
    try {
      key = parseKernelPath(path);
    } catch {
      return false; // an unsafe name is never fetched; a directory snapshot reports it, a remote one skips it
    }
    return key !== undefined && (!arches || arches.has(key.arch));
  });
  return filterPaths(kernels, opts.include?.length ? opts.include : ['**'], opts.exclude ?? []);
}

/** A path as a non-cone sparse-checkout pattern that matches exactly that file. */
function sparsePattern(path: string): string {
  return `/${path.replace(/[\\*?[!#]/g, (c) => `\\${c}`)}`;
}

/**
 * Make the part of a BTFHub git remote that a build needs available as a local directory: a blobless, depth-1,
 * sparse checkout under `cacheDir`, holding only the kernel files selected by the include/exclude globs and the
 * arches (the contents of all other files are never fetched). Later calls fetch only what changed. A remote that
 * answers but has no such ref is an error. When the remote cannot be reached, the cached checkout is used as it is
 * and `onWarning` says which revision.
 */
export async function checkoutGitSnapshot(
  spec: GitSnapshotSpec,
  opts: GitSnapshotOptions,
): Promise<GitSnapshot> {
  const git = opts.git ?? 'git';
  await checkGitVersion(git);
  const dir = resolve(opts.cacheDir, 'snapshots', sha256Hex(spec.url).slice(0, 16));
  const inDir = gitInDir(git, dir);
  if (!existsSync(join(dir, '.git'))) {
    await mkdir(dir, { recursive: true });
    await runGit(git, ['init', '-q', dir]);
    await inDir('remote', 'add', 'origin', spec.url);
  }
  const { revision, unreachable } = await fetchRevision(inDir, spec.url, spec.ref);
  const offline = unreachable !== undefined;
  if (offline)
    opts.onWarning?.(
      `snapshot ${snapshotName(spec.url, spec.ref)}: cannot reach the remote (${unreachable}); building from ` +
        `the cached revision ${revision}`,
    );
  const listing = await inDir('ls-tree', '-r', '-z', '--name-only', revision);
  const selected = await selectKernelPaths(listing.split('\0').filter(Boolean), opts);
  if (!offline) {
    await runGit(
      git,
      ['-C', dir, 'sparse-checkout', 'set', '--no-cone', '--stdin'],
      // With no pattern git would check out everything: a pattern no file has keeps the checkout empty.
      (selected.length > 0 ? selected.map(sparsePattern) : ['/.btf-bundle-selects-nothing']).join('\n'),
    );
    await inDir('-c', 'advice.detachedHead=false', 'checkout', '-q', '--force', '--detach', revision);
  }
  return { dir, revision, offline, files: selected.length };
}

/**
 * The local directory to scan for a build's `snapshot` option: the option itself for a directory, a sparse
 * checkout of the selected kernels for `git+<url>[#ref]` (with the revision it holds).
 */
export async function snapshotDirectory(
  snapshot: string,
  opts: GitSnapshotOptions,
): Promise<{ dir: string; revision?: string }> {
  const spec = parseGitSnapshot(snapshot);
  if (!spec) return { dir: snapshot };
  const { dir, revision } = await checkoutGitSnapshot(spec, opts);
  return { dir, revision };
}
