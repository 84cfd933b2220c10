import { spawn } from 'node:child_process';
import { BtfBundleError, boundText } from '../errors.js';
import { killGroup, killOnExit } from './git-process.js';
import { redactUrlCredentials } from './git-url.js';

/** Oldest git with `fetch --filter`, non-cone sparse checkouts and `rev-list --missing`. */
const MIN_GIT: readonly [number, number] = [2, 27];

/** Bound of what one git command may print (a tree listing of a whole BTFHub archive is a few MB). */
const GIT_MAX_BUFFER = 256 * 1024 * 1024;

/** Longest part of git's error output an error or warning quotes. */
const MAX_GIT_SAID = 400;

/** The environment variable that bounds each git command, in seconds. */
export const GIT_TIMEOUT_VARIABLE = 'BTF_BUNDLE_GIT_TIMEOUT';

/** Default bound of one git command, in seconds: a first fetch of many kernels' contents can take minutes. */
const DEFAULT_GIT_TIMEOUT_S = 600;

/**
 * git's own bound on a stalled HTTP transfer (unless the environment sets it): below 1 KB/s for 30 s, it gives up.
 * The overall timeout covers the other transports.
 */
const LOW_SPEED_ENV = { GIT_HTTP_LOW_SPEED_LIMIT: '1000', GIT_HTTP_LOW_SPEED_TIME: '30' };

/**
 * Why a git snapshot could not be used: `GIT_REF_NOT_FOUND` the remote answers but cannot give the ref (no such
 * branch, tag or commit), `GIT_UNREACHABLE` the remote cannot be reached and no revision of the ref is cached (or a
 * git command talking to it did not finish within {@link GIT_TIMEOUT_VARIABLE}'s bound, or could not connect or
 * stalled, as git says), `GIT_CACHE_INCOMPLETE`
 * the remote cannot be reached and the cached revision lacks kernels the build selects,
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

  /** `detail` with the credentials of any URL in it hidden. */
  constructor(detail: string, code: GitSnapshotErrorCode = 'GIT_SNAPSHOT', cause?: unknown) {
    super(redactUrlCredentials(detail), {}, { code, cause });
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

/**
 * How git (through curl) says that an HTTP(S) remote could not be reached or stalled below the low-speed bound:
 * asking that remote anything again would fail, or wait as long, the same way.
 */
const UNREACHABLE_SAID =
  /unable to access '[^']*': (?:Operation too slow|Operation timed out|Connection timed out|Failed to connect|Could not resolve host|Couldn't connect)/;

/** The git command that `args` runs, past the global options (`-C DIR`, `-c KEY=VALUE`). */
function subcommand(args: readonly string[]): string {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '-C' || arg === '-c') i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return '';
}

/** The bound of one git command in milliseconds, from {@link GIT_TIMEOUT_VARIABLE} (seconds) or the default. */
function gitTimeoutMs(): number {
  const raw = process.env[GIT_TIMEOUT_VARIABLE];
  if (raw === undefined || raw === '') return DEFAULT_GIT_TIMEOUT_S * 1000;
  const seconds = Number(raw);
  if (!(seconds > 0) || !Number.isFinite(seconds))
    throw new GitSnapshotError(`${GIT_TIMEOUT_VARIABLE} must be a positive number of seconds, got "${raw}"`);
  return seconds * 1000;
}

/**
 * Run git, resolving with its standard output; a failure becomes a GitSnapshotError with git's own words. A command
 * that runs longer than {@link GIT_TIMEOUT_VARIABLE} allows is killed with its process group (a `GIT_UNREACHABLE`
 * error), and so is every one still running when the process exits or is interrupted.
 */
export function runGit(git: string, args: string[]): Promise<string> {
  const timeoutMs = gitTimeoutMs();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(git, args, {
      // Its own process group, so that a timeout or an interrupt kills git's helpers with it.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Never wait for a password prompt: an unreachable or private remote must fail, not hang.
      env: {
        ...LOW_SPEED_ENV,
        ...process.env,
        GIT_TERMINAL_PROMPT: '0',
        GIT_ASKPASS: '',
        SSH_ASKPASS: '',
        LC_ALL: 'C',
      },
    });
    const exited = killOnExit(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outBytes = 0;
    let failure: GitSnapshotError | undefined;
    const stop = (why: GitSnapshotError): void => {
      failure ??= why;
      killGroup(child);
    };
    const timer = setTimeout(
      () =>
        stop(
          new GitSnapshotError(
            `git ${subcommand(args)} did not finish within ${timeoutMs / 1000} s (raise ${GIT_TIMEOUT_VARIABLE}, in seconds, for a slow remote)`,
            'GIT_UNREACHABLE',
          ),
        ),
      timeoutMs,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > GIT_MAX_BUFFER)
        stop(new GitSnapshotError(`git ${subcommand(args)} printed more than ${GIT_MAX_BUFFER} bytes`));
      else out.push(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    let settled = false;
    /** What the run gives: its output, or the error to reject with. */
    const outcome = (
      error: Error | undefined,
      status: number | null,
      signal: string | null,
    ): string | Error => {
      if ((error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT')
        return new GitSnapshotError(`${git} not found: a git+ snapshot needs git ${MIN_GIT.join('.')}+`);
      if (failure) return failure;
      if (!error && status === 0) return Buffer.concat(out).toString('utf8');
      const said =
        gitErrorSummary(Buffer.concat(err).toString('utf8')) ?? error?.message ?? `exit ${status ?? signal}`;
      const code = UNREACHABLE_SAID.test(said) ? 'GIT_UNREACHABLE' : 'GIT_SNAPSHOT';
      return new GitSnapshotError(`git ${subcommand(args)} failed: ${said}`, code, error);
    };
    const settle = (error: Error | undefined, status: number | null, signal: string | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      exited();
      const result = outcome(error, status, signal);
      if (result instanceof Error) reject(result);
      else resolvePromise(result);
    };
    child.once('error', (error) => settle(error, null, null));
    child.once('close', (status, signal) => settle(undefined, status, signal));
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
