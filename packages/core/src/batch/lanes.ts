import { availableParallelism } from 'node:os';
import type { KernelTask } from './task.js';

/**
 * What starting one more lane costs, in warm raw kernels: a thread, a V8 isolate, loading the code and its first
 * kernels on cold (unoptimized) code cost about as much CPU as minimizing a dozen raw kernels on a warm lane
 * (measured with the agent corpus: ~0.5 s against ~35 ms a kernel).
 */
const LANE_COST = 12;

/** A `.btf.tar.xz` kernel costs as much as this many raw ones: decompressing it outweighs minimizing it. */
const TARBALL_COST = 5;

/**
 * The default lane count for `tasks`: one per core, but no more than the work pays for, so that the default is
 * never slower than a single lane (a raw kernel counts 1, a `.btf.tar.xz` {@link TARBALL_COST}).
 */
export function defaultLanes(tasks: readonly KernelTask[], cores = availableParallelism()): number {
  let work = 0;
  for (const task of tasks) work += task.path.endsWith('.tar.xz') ? TARBALL_COST : 1;
  return Math.max(1, Math.min(cores, Math.floor(work / LANE_COST)));
}
