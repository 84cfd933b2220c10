import { Worker } from 'node:worker_threads';
import type { KernelOutcome, KernelTask, TaskSetup } from './task.js';

/** Options of {@link runKernelTasks}. */
export interface PoolOptions {
  /** Worker threads (at least 1; never more than there are tasks). */
  workers: number;
  /** Called as each kernel finishes, in completion order. */
  onOutcome?: (outcome: KernelOutcome) => void;
}

const WORKER_URL = new URL('./worker.js', import.meta.url);

/**
 * Run `tasks` on a pool of worker threads, each with `setup`. A kernel's failure, and even a crashing worker, only
 * fails that kernel (a crashed worker is replaced). Resolves with the outcomes in task order.
 */
export async function runKernelTasks(
  tasks: readonly KernelTask[],
  setup: TaskSetup,
  opts: PoolOptions,
): Promise<KernelOutcome[]> {
  const outcomes: (KernelOutcome | undefined)[] = new Array(tasks.length);
  let next = 0;
  let finished = 0;
  const size = Math.max(1, Math.min(opts.workers, tasks.length));
  if (tasks.length === 0) return [];
  return new Promise((resolveAll) => {
    const record = (index: number, outcome: KernelOutcome): void => {
      outcomes[index] = outcome;
      finished++;
      opts.onOutcome?.(outcome);
      if (finished === tasks.length) resolveAll(outcomes as KernelOutcome[]);
    };
    const start = (): void => {
      const worker = new Worker(WORKER_URL, { workerData: setup });
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
      worker.on('message', (outcome: KernelOutcome) => {
        const index = current;
        feed();
        record(index, outcome);
      });
      let lastError: Error | undefined;
      worker.on('error', (err) => {
        lastError = err;
      });
      worker.on('exit', (code) => {
        if (current < 0) return;
        const index = current;
        const task = tasks[index] as KernelTask;
        const reason = `worker crashed: ${lastError?.message ?? `exit code ${code}`}`;
        current = -1;
        if (next < tasks.length) start();
        record(index, { id: task.id, cached: false, ms: 0, status: 'failed', failure: 'error', reason });
      });
      feed();
    };
    for (let i = 0; i < size; i++) start();
  });
}
