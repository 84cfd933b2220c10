import { rmSync } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { GitSnapshotError } from './git-command.js';

/** The environment variable that bounds the wait for another build's checkout, in seconds. */
export const LOCK_WAIT_VARIABLE = 'BTF_BUNDLE_GIT_LOCK_WAIT';

/** Default bound of that wait, in seconds: a whole build of another process may hold the checkout. */
const DEFAULT_LOCK_WAIT_S = 1800;

/** How often a waiting build looks at the lock again, in ms. */
const POLL_MS = 200;

/** Age after which a lock without its owner file (its holder died right after taking it) is stale, in ms. */
const OWNERLESS_STALE_MS = 60_000;

/** Who holds a lock: written into it by its holder. */
interface LockOwner {
  pid: number;
  host: string;
}

/** Gives a held lock back. */
export type ReleaseLock = () => Promise<void>;

/** The bound of the wait in milliseconds, from {@link LOCK_WAIT_VARIABLE} (seconds) or the default. */
function lockWaitMs(): number {
  const raw = process.env[LOCK_WAIT_VARIABLE];
  if (raw === undefined || raw === '') return DEFAULT_LOCK_WAIT_S * 1000;
  const seconds = Number(raw);
  if (!(seconds >= 0) || !Number.isFinite(seconds))
    throw new GitSnapshotError(`${LOCK_WAIT_VARIABLE} must be a number of seconds, got "${raw}"`);
  return seconds * 1000;
}

/** The owner a lock records; undefined while its holder has not written it yet (or wrote something else). */
async function readOwner(lock: string): Promise<LockOwner | undefined> {
  try {
    const owner = JSON.parse(await readFile(`${lock}/owner`, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? (owner as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether process `pid` of this machine runs. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the lock's holder is gone: a process of this machine that no longer runs, or a holder that never wrote
 * its owner file within {@link OWNERLESS_STALE_MS}. A lock of another machine (a shared file system) is never stale.
 */
async function isStale(lock: string, owner: LockOwner | undefined): Promise<boolean> {
  if (owner) return owner.host === hostname() && !alive(owner.pid);
  const since = await stat(lock).then(
    (s) => Date.now() - s.mtimeMs,
    () => 0,
  );
  return since > OWNERLESS_STALE_MS;
}

/** Takes `lock` (a directory, made atomically) for this process; false when it exists. */
async function tryTake(lock: string): Promise<boolean> {
  try {
    await mkdir(lock);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new GitSnapshotError(
      `cannot create the lock ${lock}: ${(err as Error).message}`,
      'GIT_SNAPSHOT',
      err,
    );
  }
  const owner: LockOwner = { pid: process.pid, host: hostname() };
  await writeFile(`${lock}/owner`, JSON.stringify(owner));
  return true;
}

/** Removes a stale lock: moved aside first, so that two builds breaking it never remove a third one's new lock. */
async function breakLock(lock: string): Promise<void> {
  const aside = `${lock}.stale-${process.pid}-${Date.now()}`;
  if (
    await rename(lock, aside).then(
      () => true,
      () => false,
    )
  )
    await rm(aside, { recursive: true, force: true });
}

/**
 * Take the lock of a git snapshot's checkout at `dir` (the directory `<dir>.lock`, holding the holder's pid and
 * host), waiting while another build holds it: builds sharing a cache dir use the checkout one at a time, each
 * reading the kernels it checked out. A lock whose holder died is broken. `onWait` is told once, when the lock is
 * held by another; a wait beyond {@link LOCK_WAIT_VARIABLE}'s bound is a GitSnapshotError naming the lock. The lock
 * is also removed if the process exits holding it.
 */
export async function lockCheckout(dir: string, onWait: (message: string) => void): Promise<ReleaseLock> {
  const lock = `${dir}.lock`;
  const waitMs = lockWaitMs();
  const start = Date.now();
  let told = false;
  while (!(await tryTake(lock))) {
    const owner = await readOwner(lock);
    if (await isStale(lock, owner)) {
      await breakLock(lock);
      continue;
    }
    const holder = owner ? `another build (pid ${owner.pid} on ${owner.host})` : 'another build';
    if (Date.now() - start >= waitMs)
      throw new GitSnapshotError(
        `${holder} has held the git snapshot checkout ${dir} for over ${waitMs / 1000} s; raise ` +
          `${LOCK_WAIT_VARIABLE} (seconds), or remove ${lock} if no build runs`,
      );
    if (!told) onWait(`waiting for ${holder} to finish with the git snapshot checkout ${dir}`);
    told = true;
    await new Promise((done) => setTimeout(done, POLL_MS));
  }
  const removeOnExit = (): void => rmSync(lock, { recursive: true, force: true });
  process.on('exit', removeOnExit);
  return async () => {
    process.off('exit', removeOnExit);
    await rm(lock, { recursive: true, force: true });
  };
}
