import { type GitInDir, GitSnapshotError } from './git-command.js';

/** The revision a git snapshot builds from. */
export interface SnapshotRevision {
  /** The commit. */
  revision: string;
  /** Why the remote could not be reached when the revision is the cached one; undefined when it was just fetched. */
  unreachable?: string;
}

/** `git+<url>[#ref]`, as messages name a snapshot. */
export function snapshotName(url: string, ref: string | undefined): string {
  return `git+${url}${ref === undefined ? '' : `#${ref}`}`;
}

/** The ref as messages name it. */
function refName(ref: string | undefined): string {
  return ref === undefined ? "the remote's HEAD" : `ref ${ref}`;
}

/** Whether the remote `origin` answers at all (whatever refs it has). */
function remoteAnswers(inDir: GitInDir): Promise<boolean> {
  return inDir('ls-remote', 'origin', 'HEAD').then(
    () => true,
    () => false,
  );
}

/**
 * Fetch `ref` (the remote's HEAD when undefined) of the remote `origin` of the clone that `inDir` runs in, blobless
 * and depth 1. A remote that answers but cannot give the ref is a `GIT_REF_NOT_FOUND` error; a remote that cannot be
 * reached yields the revision checked out before (its `unreachable` says why), or a `GIT_UNREACHABLE` error when
 * there is none.
 */
export async function fetchRevision(
  inDir: GitInDir,
  url: string,
  ref: string | undefined,
): Promise<SnapshotRevision> {
  try {
    await inDir('fetch', '-q', '--filter=blob:none', '--depth=1', '--no-tags', 'origin', ref ?? 'HEAD');
  } catch (failure) {
    if (!(failure instanceof GitSnapshotError)) throw failure;
    if (await remoteAnswers(inDir))
      throw new GitSnapshotError(
        `snapshot ${snapshotName(url, ref)}: the remote answers but does not give ${refName(ref)} ` +
          `(${failure.detail}); check the branch, tag or commit`,
        'GIT_REF_NOT_FOUND',
        failure,
      );
    const cached = await inDir('rev-parse', '-q', '--verify', 'HEAD^{commit}').catch(() => '');
    if (cached.trim() === '')
      throw new GitSnapshotError(
        `snapshot ${snapshotName(url, ref)}: cannot reach the remote (${failure.detail}), and nothing is cached`,
        'GIT_UNREACHABLE',
        failure,
      );
    return { revision: cached.trim(), unreachable: failure.detail };
  }
  return { revision: (await inDir('rev-parse', 'FETCH_HEAD^{commit}')).trim() };
}
