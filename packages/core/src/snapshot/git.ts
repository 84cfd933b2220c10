import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { sha256Hex } from '../util/sha256.js';
import { checkGitVersion, type GitInDir, GitSnapshotError, gitInDir, runGit } from './git-command.js';
import { fetchRevision, offlineNote } from './git-revision.js';
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
  /** True when the remote could not be reached and the revision an earlier build cached for the ref was used. */
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

/** The blob id of each file of `revision`, by path (read from its trees, which a blobless clone holds). */
async function listFiles(inDir: GitInDir, revision: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of (await inDir('ls-tree', '-r', '-z', revision)).split('\0')) {
    const m = /^[0-7]+ blob ([0-9a-f]+)\t(.+)$/s.exec(entry);
    if (m) files.set(m[2] as string, m[1] as string);
  }
  return files;
}

/**
 * Make the work tree at `dir` hold exactly `paths` of `revision`, fetching the contents it lacks of those. The
 * sparse patterns are written before the checkout switches revisions, so that git reads (and fetches) the contents
 * of `paths` at `revision` only: `git sparse-checkout set` would first apply them to the revision checked out
 * before, fetching contents of it that no build reads, and failing without the remote.
 */
async function checkOut(
  dir: string,
  inDir: GitInDir,
  revision: string,
  paths: readonly string[],
): Promise<void> {
  await inDir('config', 'core.sparseCheckout', 'true');
  await inDir('config', 'core.sparseCheckoutCone', 'false');
  // With no pattern git would check out everything: a pattern no file has keeps the checkout empty.
  const patterns = paths.length > 0 ? paths.map(sparsePattern) : ['/.btf-bundle-selects-nothing'];
  await mkdir(join(dir, '.git', 'info'), { recursive: true });
  await writeFile(join(dir, '.git', 'info', 'sparse-checkout'), `${patterns.join('\n')}\n`);
  await inDir('-c', 'advice.detachedHead=false', 'checkout', '-q', '--force', '--detach', revision);
}

/**
 * Make the part of a BTFHub git remote that a build needs available as a local directory: a blobless, depth-1,
 * sparse checkout under `cacheDir`, holding only the kernel files selected by the include/exclude globs and the
 * arches (the contents of all other files are never fetched). Later calls fetch only what changed. A remote that
 * answers but has no such ref is an error. When the remote cannot be reached, the revision an earlier build fetched
 * for the same ref is checked out, and `onWarning` says so, if the clone holds every kernel file this build selects;
 * otherwise it is an error too (a {@link GitSnapshotError} whose `code` says which).
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
  const files = await listFiles(inDir, revision);
  const selected = await selectKernelPaths([...files.keys()], opts);
  if (unreachable !== undefined) {
    const blobs = new Map(selected.map((path) => [path, files.get(path) as string]));
    const note = await offlineNote(inDir, spec.url, spec.ref, { revision, unreachable }, blobs);
    opts.onWarning?.(note);
  }
  await checkOut(dir, inDir, revision, selected);
  return { dir, revision, offline: unreachable !== undefined, files: selected.length };
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
