import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { sha256Hex } from '../util/sha256.js';
import { checkGitVersion, type GitInDir, GitSnapshotError, gitInDir, runGit } from './git-command.js';
import { lockCheckout, type ReleaseLock } from './git-lock.js';
import { fetchRevision, offlineNote } from './git-revision.js';
import { absoluteGitUrl, refusedUrl } from './git-url.js';
import { filterPaths } from './glob-filter.js';
import { parseKernelPath } from './scan.js';

/** Prefix that makes a snapshot option a git remote instead of a directory. */
const GIT_SNAPSHOT_PREFIX = 'git+';

/** A snapshot given as `git+<url>[#ref]`. */
export interface GitSnapshotSpec {
  /** What git fetches from: `https://…`, `file://…`, `ssh://…`, a path (a relative one against the build's cwd). */
  url: string;
  /** Branch, tag or commit; the remote's HEAD when absent. */
  ref?: string;
}

/** Options of {@link checkoutGitSnapshot}. */
export interface GitSnapshotOptions {
  /**
   * Directory under which the checkout lives (one folder per remote URL), kept for later builds; false: a
   * temporary checkout, removed by {@link GitSnapshot.release}.
   */
  cacheDir: string | false;
  /** Directory a relative local path of the remote is resolved against; default the process's cwd. */
  cwd?: string;
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
  /**
   * Gives the checkout back once the build has read its kernels: other builds sharing the cache dir wait until
   * then; a temporary checkout is removed.
   */
  release: () => Promise<void>;
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
  const refused = refusedUrl(url);
  if (refused) throw new GitSnapshotError(`snapshot ${snapshot}: ${refused}`);
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

/** Where the checkout of `url` lives, taken for this build: the cache's (locked), or a new temporary one. */
async function takeCheckoutDir(
  url: string,
  opts: GitSnapshotOptions,
): Promise<{ dir: string; release: ReleaseLock }> {
  if (opts.cacheDir === false) {
    const dir = await mkdtemp(join(tmpdir(), 'btf-bundle-git-'));
    return { dir, release: () => rm(dir, { recursive: true, force: true }) };
  }
  const dir = resolve(opts.cacheDir, 'snapshots', sha256Hex(url).slice(0, 16));
  await mkdir(dir, { recursive: true });
  return { dir, release: await lockCheckout(dir, (message) => opts.onWarning?.(message)) };
}

/** Fetch the revision into the clone at `dir` and check out the selected kernels; the checkout's facts. */
async function fetchAndCheckOut(
  git: string,
  dir: string,
  spec: GitSnapshotSpec,
  opts: GitSnapshotOptions,
): Promise<Omit<GitSnapshot, 'release'>> {
  const inDir = gitInDir(git, dir);
  if (!existsSync(join(dir, '.git'))) {
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

/** A failure of a git command that does not say which snapshot, saying it (the URL's credentials hidden). */
function namingSnapshot(err: unknown, spec: GitSnapshotSpec): unknown {
  if (!(err instanceof GitSnapshotError) || err.detail.startsWith('snapshot ')) return err;
  const name = `git+${spec.url}${spec.ref === undefined ? '' : `#${spec.ref}`}`;
  return new GitSnapshotError(`snapshot ${name}: ${err.detail}`, err.code, err);
}

/**
 * Make the part of a BTFHub git remote that a build needs available as a local directory: a blobless, depth-1,
 * sparse checkout under `cacheDir`, holding only the kernel files selected by the include/exclude globs and the
 * arches (the contents of all other files are never fetched). Later calls fetch only what changed. A remote that
 * answers but has no such ref is an error. When the remote cannot be reached, the revision an earlier build fetched
 * for the same ref is checked out, and `onWarning` says so, if the clone holds every kernel file this build selects;
 * otherwise it is an error too (a {@link GitSnapshotError} whose `code` says which). The checkout is the caller's
 * until it calls {@link GitSnapshot.release}: builds sharing the cache dir take turns (see `git-lock.ts`).
 */
export async function checkoutGitSnapshot(
  spec: GitSnapshotSpec,
  opts: GitSnapshotOptions,
): Promise<GitSnapshot> {
  const git = opts.git ?? 'git';
  const local = { ...spec, url: absoluteGitUrl(spec.url, opts.cwd ?? process.cwd()) };
  try {
    await checkGitVersion(git);
    const { dir, release } = await takeCheckoutDir(local.url, opts);
    try {
      return { ...(await fetchAndCheckOut(git, dir, local, opts)), release };
    } catch (err) {
      await release();
      throw err;
    }
  } catch (err) {
    throw namingSnapshot(err, spec);
  }
}

/**
 * The local directory to scan for a build's `snapshot` option: the option itself for a directory, a sparse
 * checkout of the selected kernels for `git+<url>[#ref]` (with the revision it holds, and its release, to call
 * once the build has read the kernels).
 */
export async function snapshotDirectory(
  snapshot: string,
  opts: GitSnapshotOptions,
): Promise<{ dir: string; revision?: string; release: () => Promise<void> }> {
  const spec = parseGitSnapshot(snapshot);
  if (!spec) return { dir: snapshot, release: async () => {} };
  const { dir, revision, release } = await checkoutGitSnapshot(spec, opts);
  return { dir, revision, release };
}
