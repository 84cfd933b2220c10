import type { ChildProcess } from 'node:child_process';

/** The git commands running now, each the leader of its own process group. */
const running = new Set<ChildProcess>();

/** Kills `child`'s process group (git and the helpers it started: transports, upload-pack, ssh). */
export function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already exited
  }
}

/** Kills every running git command with its process group. */
function killRunning(): void {
  for (const child of running) killGroup(child);
}

/**
 * SIGINT/SIGTERM while git runs: its process group is killed (it is not the terminal's, so nothing else would end
 * it). When no other handler is left to act on the signal, its default action is carried out again.
 */
function onSignal(signal: NodeJS.Signals): void {
  killRunning();
  if (process.listenerCount(signal) === 1) {
    unwatch();
    process.kill(process.pid, signal);
  }
}

/** Starts killing the running git commands on exit and on SIGINT/SIGTERM. */
function watch(): void {
  process.on('exit', killRunning);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** Stops what {@link watch} started. */
function unwatch(): void {
  process.off('exit', killRunning);
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
}

/**
 * Kill `child` (started in its own process group) with its group if the process exits or gets SIGINT/SIGTERM while
 * it runs. Returns the function to call once it has exited.
 */
export function killOnExit(child: ChildProcess): () => void {
  if (running.size === 0) watch();
  running.add(child);
  return () => {
    if (running.delete(child) && running.size === 0) unwatch();
  };
}
