import { Worker } from 'node:worker_threads';
import type { ObjectBtf } from '../object.js';
import { defaultLanes, setupRelocations } from './lanes.js';
import {
  type KernelOutcome,
  KernelProcessor,
  type KernelTask,
  readsAhead,
  type TaskSetup,
  WORKER_CLOSE,
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

/**
 * The Node options of this process that a worker may inherit: all but `--input-type`, which Node refuses in a
 * worker (it only applies to code given with `--eval` or on stdin, as in `node --input-type=module -e …`).
 */
export function workerExecArgv(execArgv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] as string;
    if (arg === '--input-type') i++;
    else if (!arg.startsWith('--input-type=')) out.push(arg);
  }
  return out;
}

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
  if (tasks.length === 0) return [];
  const size = Math.max(
    1,
    Math.min(opts.workers ?? defaultLanes(tasks, setupRelocations(setup)), tasks.length),
  );
  return new Promise((resolveAll) => {
    const pool = new TaskPool(tasks, setup, opts, (outcomes) => {
      livePools.delete(pool);
      resolveAll(outcomes);
    });
    livePools.add(pool);
    const workers = opts.useMainThread ? size - 1 : size;
    for (let i = 0; i < workers; i++) pool.startWorker();
    if (opts.useMainThread) void pool.runMainLane();
  });
}

/** The pools of {@link runKernelTasks} calls still running. */
const livePools = new Set<TaskPool>();

/**
 * Stops every running {@link runKernelTasks} call of this process, for a process that is being interrupted: no
 * task is started any more, each lane finishes the kernel it is on (its cache writes included) and its worker
 * exits. Resolves once all have; the interrupted calls never resolve.
 */
export async function stopKernelTasks(): Promise<void> {
  await Promise.all([...livePools].map((pool) => pool.stop()));
}

/** The state of one {@link runKernelTasks} call: the next task to hand out and the outcomes so far. */
class TaskPool {
  private readonly outcomes: (KernelOutcome | undefined)[];
  private next = 0;
  /** Tasks a crashed worker held for later, handed out again first. */
  private readonly returned: number[] = [];
  private finished = 0;
  /** Set by {@link stop}: no task is handed out any more. */
  private stopped = false;
  /** Lanes (workers, and the main-thread lane) running, and who waits for them to end after a stop. */
  private lanes = 0;
  private lanesEnded: (() => void) | undefined;

  constructor(
    private readonly tasks: readonly KernelTask[],
    private readonly setup: TaskSetup,
    private readonly opts: PoolOptions,
    private readonly resolveAll: (outcomes: KernelOutcome[]) => void,
  ) {
    this.outcomes = new Array(tasks.length);
  }

  /** The index of the next task to run, or -1 when every task is handed out (or the pool is stopped). */
  private take(): number {
    if (this.stopped) return -1;
    return this.returned.pop() ?? (this.next < this.tasks.length ? this.next++ : -1);
  }

  /** Whether tasks remain to be handed out. */
  private hasMore(): boolean {
    return !this.stopped && (this.returned.length > 0 || this.next < this.tasks.length);
  }

  /** The task a lane runs next: the one it holds for later (`queued`, -1 if none) unless the pool is stopped. */
  private afterTask(queued: number): number {
    return queued >= 0 && !this.stopped ? queued : this.take();
  }

  /** Hands out no more tasks; resolves once every lane has ended (see {@link stopKernelTasks}). */
  stop(): Promise<void> {
    this.stopped = true;
    return this.lanes === 0 ? Promise.resolve() : new Promise((resolve) => (this.lanesEnded = resolve));
  }

  private laneEnded(): void {
    if (--this.lanes === 0) this.lanesEnded?.();
  }

  /**
   * The task a lane that has just been given one should run after it, taken now so that the lane can decode it
   * ahead (see {@link KernelProcessor.run}), or -1 when it cannot ({@link readsAhead}).
   */
  private takeAhead(): number {
    const peek = this.returned.at(-1) ?? this.next;
    const task = this.tasks[peek];
    return readsAhead(this.setup, task) ? this.take() : -1;
  }

  private record(index: number, outcome: KernelOutcome): void {
    this.outcomes[index] = outcome;
    this.finished++;
    this.opts.onOutcome?.(outcome);
    if (this.finished === this.tasks.length) this.resolveAll(this.outcomes as KernelOutcome[]);
  }

  /** Starts a worker lane; it takes tasks until none is left, and is replaced if it crashes while more remain. */
  startWorker(): void {
    this.lanes++;
    const worker = new Worker(WORKER_URL, {
      workerData: this.setup,
      execArgv: workerExecArgv(process.execArgv),
      resourceLimits: { maxYoungGenerationSizeMb: 2 },
    });
    // Tasks go to a worker only once it says it is ready: a worker still loading its code would otherwise hold
    // a kernel that the main-thread lane or a warm worker could have finished meanwhile.
    let ready = false;
    let current = -1;
    let queued = -1;
    const feed = (): void => {
      current = this.afterTask(queued);
      queued = current >= 0 ? this.takeAhead() : -1;
      if (current < 0) worker.postMessage(WORKER_CLOSE);
      else worker.postMessage({ task: this.tasks[current], next: this.tasks[queued] });
    };
    worker.on('message', (message: KernelOutcome | typeof WORKER_READY) => {
      if (message === WORKER_READY) {
        ready = true;
        feed();
        return;
      }
      const index = current;
      feed();
      this.record(index, message);
    });
    let lastError: Error | undefined;
    worker.on('error', (err) => {
      lastError = err;
    });
    worker.on('exit', (code) => {
      this.laneEnded();
      // A worker that dies before it is ready fails the next task instead (so that a worker that cannot start
      // at all fails each task once rather than being restarted forever).
      if (!ready && current < 0) current = this.take();
      if (queued >= 0) this.returned.push(queued);
      queued = -1;
      if (current < 0) return;
      const index = current;
      const reason = `worker crashed: ${lastError?.message ?? `exit code ${code}`}`;
      current = -1;
      if (this.hasMore()) this.startWorker();
      this.record(index, crashed(this.tasks[index] as KernelTask, reason));
    });
  }

  /** Runs tasks on the calling thread until none is left, yielding to the worker lanes between two kernels. */
  async runMainLane(): Promise<void> {
    let processor: KernelProcessor | undefined;
    let queued = -1;
    this.lanes++;
    try {
      for (let index = this.take(); index >= 0; index = this.afterTask(queued)) {
        queued = this.takeAhead();
        const task = this.tasks[index] as KernelTask;
        let outcome: KernelOutcome;
        try {
          processor ??= new KernelProcessor(this.setup, this.opts.parsedObjects);
          outcome = await processor.run(task, this.tasks[queued]);
        } catch (err) {
          const message = err instanceof Error ? err.message : String(err);
          outcome = crashed(task, `failed on the main thread: ${message}`);
        }
        this.record(index, outcome);
        // Let the worker lanes' messages through between two kernels.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } finally {
      await processor?.finish();
      this.laneEnded();
    }
  }
}
