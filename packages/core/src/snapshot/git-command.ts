import { execFile } from 'node:child_process';
import { BtfBundleError, boundText } from '../errors.js';

/** Oldest git with `fetch --filter`, non-cone sparse checkouts and `rev-list --missing`. */
const MIN_GIT: readonly [number, number] = [2, 27];

/** Bound of what one git command may print (a tree listing of a whole BTFHub archive is a few MB). */
const GIT_MAX_BUFFER = 256 * 1024 * 1024;

/** Longest part of git's error output an error or warning quotes. */
const MAX_GIT_SAID = 400;

/**
 * Why a git snapshot could not be used: `GIT_REF_NOT_FOUND` the remote answers but cannot give the ref (no such
 * branch, tag or commit), `GIT_UNREACHABLE` the remote cannot be reached and no revision of the ref is cached,
 * `GIT_CACHE_INCOMPLETE` the remote cannot be reached and the cached revision lacks kernels the build selects,
 * `GIT_SNAPSHOT` anything else (a malformed `git+` option, git missing or too old, a failing git command).
 */
export type GitSnapshotErrorCode =
  | 'GIT_SNAPSHOT'
  | 'GIT_REF_NOT_FOUND'
  | 'GIT_UNREACHABLE'
  | 'GIT_CACHE_INCOMPLETE';

/** A git remote or its checkout could not be used as a snapshot; `code` says why. */
export class GitSnapshotError extends BtfBundleError {
  override name = 'GitSnapshotError';
  /** Why, stable and machine-readable. */
  declare readonly code: GitSnapshotErrorCode;

  constructor(detail: string, code: GitSnapshotErrorCode = 'GIT_SNAPSHOT', cause?: unknown) {
    super(detail, {}, { code, cause });
  }
}

/**
 * What git printed to say why it failed, as one bounded line: the first paragraph of its standard error (the
 * advice git adds after a blank line and `hint:` lines left out), its lines joined by `; `.
 */
function gitErrorSummary(stderr: string): string | undefined {
  const lines = stderr
    .split(/\r?\n|\r/)
    .map((line) => line.trim())
    .filter((line) => !line.startsWith('hint:'));
  const start = lines.findIndex((line) => line !== '');
  if (start < 0) return undefined;
  const end = lines.indexOf('', start);
  return boundText(lines.slice(start, end < 0 ? undefined : end).join('; '), MAX_GIT_SAID);
}

/** The git command that `args` runs, past the global options (`-C DIR`, `-c KEY=VALUE`). */
function subcommand(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '-C' || arg === '-c') i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return '';
}

/** Run git, resolving with its standard output; a failure becomes a GitSnapshotError with git's own words. */
export function runGit(git: string, args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = execFile(
      git,
      args,
      {
        maxBuffer: GIT_MAX_BUFFER,
        // Never wait for a password prompt: an unreachable or private remote must fail, not hang.
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_ASKPASS: '', SSH_ASKPASS: '', LC_ALL: 'C' },
      },
      (err, stdout, stderr) => {
        if (!err) return resolvePromise(stdout);
        if ((err as NodeJS.ErrnoException).code === 'ENOENT')
          return reject(
            new GitSnapshotError(`${git} not found: a git+ snapshot needs git ${MIN_GIT.join('.')}+`),
          );
        const said = gitErrorSummary(stderr) ?? err.message;
        reject(new GitSnapshotError(`git ${subcommand(args)} failed: ${said}`, 'GIT_SNAPSHOT', err));
      },
    );
    // No command here reads input: git sees its end at once. Closing the pipe of a git that has already exited
    // (a failure) is not the error to report.
    child.stdin?.on('error', () => {});
    child.stdin?.end();
  });
}

/** Throws a GitSnapshotError unless `git` runs and is at least {@link MIN_GIT}. */
export async function checkGitVersion(git: string): Promise<void> {
  const out = await runGit(git, ['--version']);
  const m = /(\d+)\.(\d+)/.exec(out);
  const [major, minor] = m ? [Number(m[1]), Number(m[2])] : [0, 0];
  if (major < MIN_GIT[0] || (major === MIN_GIT[0] && minor < MIN_GIT[1]))
    throw new GitSnapshotError(`${out.trim()} is too old: a git+ snapshot needs git ${MIN_GIT.join('.')}+`);
}

/** git run in one directory (`git -C DIR …`), resolving with its standard output. */
export type GitInDir = (...args: string[]) => Promise<string>;

/** {@link runGit} in `dir`. */
export function gitInDir(git: string, dir: string): GitInDir {
  return (...args) => runGit(git, ['-C', dir, ...args]);
}
