import { sha256Hex } from '../util/sha256.js';
import { type GitInDir, GitSnapshotError } from './git-command.js';
import { redactUrlCredentials } from './git-url.js';

/** How many cached kernel files an error about an incomplete cache names. */
const NAMED_FILES = 3;

/** The revision a git snapshot builds from. */
export interface SnapshotRevision {
  /** The commit. */
  revision: string;
  /**
   * Why the remote could not be reached when the revision is the one an earlier build cached for the ref;
   * undefined when it was just fetched.
   */
  unreachable?: string;
}

/** `git+<url>[#ref]`, as messages name a snapshot (the URL's credentials hidden). */
function snapshotName(url: string, ref: string | undefined): string {
  return redactUrlCredentials(`git+${url}${ref === undefined ? '' : `#${ref}`}`);
}

/** The ref as messages name it. */
function refName(ref: string | undefined): string {
  return ref === undefined ? "the remote's HEAD" : `ref ${ref}`;
}

/**
 * The local ref that records the revision last fetched for `ref` (the remote's HEAD when undefined): what an
 * offline build of the same ref uses, never the revision of another ref. Named by a hash: a ref the `git+` syntax
 * accepts need not be a valid name under `refs/`.
 */
function cacheRef(ref: string | undefined): string {
  return `refs/btf-bundle/${sha256Hex(ref ?? 'HEAD').slice(0, 16)}`;
}

/** Whether the remote `origin` answers at all (whatever refs it has). */
function remoteAnswers(inDir: GitInDir): Promise<boolean> {
  return inDir('ls-remote', 'origin', 'HEAD').then(
    () => true,
    () => false,
  );
}

/**
 * Fetch `ref` (the remote's HEAD when undefined) of the remote `origin` of the clone that `inDir` runs in: blobless
 * and depth 1, recording the revision for later offline builds. A remote that answers but cannot give the ref is a
 * `GIT_REF_NOT_FOUND` error; a remote that cannot be reached yields the revision an earlier build recorded for the
 * same ref (its `unreachable` says why), or a `GIT_UNREACHABLE` error when there is none.
 */
export async function fetchRevision(
  inDir: GitInDir,
  url: string,
  ref: string | undefined,
): Promise<SnapshotRevision> {
  const record = cacheRef(ref);
  try {
    await inDir('fetch', '-q', '--filter=blob:none', '--depth=1', '--no-tags', 'origin', ref ?? 'HEAD');
  } catch (failure) {
    if (!(failure instanceof GitSnapshotError)) throw failure;
    // A fetch that timed out, stalled or could not connect met a remote that does not answer (asking again would
    // wait as long).
    if (failure.code !== 'GIT_UNREACHABLE' && (await remoteAnswers(inDir)))
      throw new GitSnapshotError(
        `snapshot ${snapshotName(url, ref)}: the remote answers but does not give ${refName(ref)} ` +
          `(${failure.detail}); check the branch, tag or commit`,
        'GIT_REF_NOT_FOUND',
        failure,
      );
    const cached = await inDir('rev-parse', '-q', '--verify', `${record}^{commit}`).catch(() => '');
    if (cached.trim() === '')
      throw new GitSnapshotError(
        `snapshot ${snapshotName(url, ref)}: cannot reach the remote (${failure.detail}), and no earlier ` +
          `build cached a revision of ${refName(ref)}`,
        'GIT_UNREACHABLE',
        failure,
      );
    return { revision: cached.trim(), unreachable: failure.detail };
  }
  const revision = (await inDir('rev-parse', 'FETCH_HEAD^{commit}')).trim();
  await inDir('update-ref', record, revision);
  return { revision };
}

/** `paths` as a short list: the first few, then how many more. */
function nameSome(paths: readonly string[]): string {
  const named = paths.slice(0, NAMED_FILES).join(', ');
  return paths.length > NAMED_FILES ? `${named} and ${paths.length - NAMED_FILES} more` : named;
}

/**
 * For a build from a cached revision (the remote unreachable): the warning to give when the clone holds the
 * contents of every selected kernel file (`selected`: path → blob id), so that the checkout needs nothing from the
 * remote. A `GIT_CACHE_INCOMPLETE` error when it does not: an earlier build selected fewer kernels (other globs or
 * arches), and building from the cached ones only would silently leave kernels out.
 */
export async function offlineNote(
  inDir: GitInDir,
  url: string,
  ref: string | undefined,
  { revision, unreachable }: Required<SnapshotRevision>,
  selected: ReadonlyMap<string, string>,
): Promise<string> {
  // --missing=print lists the objects a partial clone lacks instead of fetching them.
  const objects = await inDir('rev-list', '--objects', '--missing=print', revision);
  const missing = new Set(
    objects
      .split('\n')
      .filter((line) => line.startsWith('?'))
      .map((line) => line.slice(1)),
  );
  const held = [...selected].filter(([, blob]) => !missing.has(blob)).map(([path]) => path);
  const what = `snapshot ${snapshotName(url, ref)}: cannot reach the remote (${unreachable})`;
  const cached = `the revision ${revision} of ${refName(ref)} that an earlier build cached`;
  if (held.length < selected.size)
    throw new GitSnapshotError(
      `${what}, and ${cached} holds only ${held.length} of the ${selected.size} kernel files this build ` +
        `selects${held.length > 0 ? ` (${nameSome(held)})` : ''}; build once with the remote reachable, or ` +
        'select only cached kernels with include/exclude',
      'GIT_CACHE_INCOMPLETE',
    );
  return `${what}; building from ${cached}, which holds every kernel file this build selects`;
}
