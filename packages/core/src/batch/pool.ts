import { Worker } from 'node:worker_threads';
import type { ObjectBtf } from '../object.js';
import { defaultLanes } from './lanes.js';
import {
  type KernelOutcome,
  KernelProcessor,
  type KernelTask,
  type TaskSetup,
  WORKER_READY,
} from './task.js';

/** Options of {@link runKernelTasks}. */
export interface PoolOptions {
  /**
   * Kernels processed at once, each on its own thread (at least 1; never more than there are tasks). Default
   * {@link defaultLanes}: as many as the work pays for.
   */
  workers?: number;
  /**
   * Make the calling thread one of those lanes instead of starting a worker for it: one V8 isolate fewer (less
   * memory, no start-up for that lane), but it blocks the caller's event loop while it minimizes a kernel, so it
   * suits command-line tools, not a bundler's process. A kernel that throws there fails alone, as in a worker.
   */
  useMainThread?: boolean;
  /** The object sets of the setup already parsed, for the main-thread lane (see {@link KernelProcessor}). */
  parsedObjects?: Record<string, ObjectBtf[]>;
  /** Called as each kernel finishes, in completion order. */
  onOutcome?: (outcome: KernelOutcome) => void;
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

/** The outcome of a task whose thread died or threw outside the task's own error handling. */
function crashed(task: KernelTask, reason: string): KernelOutcome {
  return { id: task.id, cached: false, ms: 0, status: 'failed', failure: 'error', reason };
}

/**
 * Run `tasks` on a pool of worker threads (and optionally the calling thread), each with `setup`. A kernel's
 * failure, and even a crashing worker, only fails that kernel (a crashed worker is replaced). Resolves with the
 * outcomes in task order.
 */
export async function runKernelTasks(
  tasks: readonly KernelTask[],
  setup: TaskSetup,
  opts: PoolOptions,
): Promise<KernelOutcome[]> {
  const outcomes: (KernelOutcome | undefined)[] = new Array(tasks.length);
  let next = 0;
  let finished = 0;
  const size = Math.max(1, Math.min(opts.workers ?? defaultLanes(tasks), tasks.length));
  if (tasks.length === 0) return [];
  return new Promise((resolveAll) => {
    const record = (index: number, outcome: KernelOutcome): void => {
      outcomes[index] = outcome;
      finished++;
      opts.onOutcome?.(outcome);
      if (finished === tasks.length) resolveAll(outcomes as KernelOutcome[]);
    };
    const start = (): void => {
      const worker = new Worker(WORKER_URL, {
        workerData: setup,
        resourceLimits: { maxYoungGenerationSizeMb: 2 },
      });
      // Tasks go to a worker only once it says it is ready: a worker still loading its code would otherwise hold
      // a kernel that the main-thread lane or a warm worker could have finished meanwhile.
      let ready = false;
      let current = -1;
      const feed = (): void => {
        if (next >= tasks.length) {
          current = -1;
          void worker.terminate();
          return;
        }
        current = next++;
        worker.postMessage(tasks[current]);
      };
      worker.on('message', (message: KernelOutcome | typeof WORKER_READY) => {
        if (message === WORKER_READY) {
          ready = true;
          feed();
          return;
        }
        const index = current;
        feed();
        record(index, message);
      });
      let lastError: Error | undefined;
      worker.on('error', (err) => {
        lastError = err;
      });
      worker.on('exit', (code) => {
        // A worker that dies before it is ready fails the next task instead (so that a worker that cannot start
        // at all fails each task once rather than being restarted forever).
        if (!ready && current < 0 && next < tasks.length) current = next++;
        if (current < 0) return;
        const index = current;
        const task = tasks[index] as KernelTask;
        const reason = `worker crashed: ${lastError?.message ?? `exit code ${code}`}`;
        current = -1;
        if (next < tasks.length) start();
        record(index, crashed(task, reason));
      });
    };
    const mainLane = async (): Promise<void> => {
      let processor: KernelProcessor | undefined;
      while (next < tasks.length) {
        const index = next++;
        const task = tasks[index] as KernelTask;
        let outcome: KernelOutcome;
        try {
          processor ??= new KernelProcessor(setup, opts.parsedObjects);
          outcome = await processor.run(task);
        } catch (err) {
          outcome = crashed(
            task,
            `failed on the main thread: ${err instanceof Error ? err.message : String(err)}`,
          );
        }
        record(index, outcome);
        // Let the worker lanes' messages through between two kernels.
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    const workers = opts.useMainThread ? size - 1 : size;
    for (let i = 0; i < workers; i++) start();
    if (opts.useMainThread) void mainLane();
  });
}
