import { availableParallelism } from 'node:os';
import type { KernelTask } from './task.js';

/**
 * Work (in warm raw kernels) a lane must have to be worth starting. A lane costs a thread, a V8 isolate, loading
 * the code and its first kernels on cold (unoptimized) code: with the agent corpus (51 objects) on 2 cores, a
 * second lane added ~0.75 s of CPU to a batch of 26 raw kernels that took 1.4 s on one (~40 ms a warm kernel), so
 * it only shortens batches of several dozen raw kernels, and makes them slower when the cores are busy.
 */
const LANE_COST = 32;

/**
 * A `.btf.tar.xz` kernel costs as much as this many raw ones: decompressing it (~0.1 s) outweighs minimizing it
 * (5–40 ms warm, from 4 to 51 objects).
 */
const TARBALL_COST = 10;

/**
 * The default lane count for `tasks`: one per core, but no more than the work pays for, so that the default is
 * never slower than a single lane (a raw kernel counts 1, a `.btf.tar.xz` {@link TARBALL_COST}).
 */
export function defaultLanes(tasks: readonly KernelTask[], cores = availableParallelism()): number {
  let work = 0;
  for (const task of tasks) work += task.path.endsWith('.tar.xz') ? TARBALL_COST : 1;
  return Math.max(1, Math.min(cores, Math.floor(work / LANE_COST)));
}
