import { parentPort, workerData } from 'node:worker_threads';
import { KernelProcessor, type KernelTask, type TaskSetup, WORKER_READY } from './task.js';

/**
 * Worker thread entry: processes the {@link KernelTask}s posted to it (each with the task it will get next, if
 * known, to read ahead), posting back each outcome.
 */
const processor = new KernelProcessor(workerData as TaskSetup);
const port = parentPort;
if (!port) throw new Error('batch/worker.js must run in a worker thread');
port.on('message', ({ task, next }: { task: KernelTask; next?: KernelTask }) => {
  processor.run(task, next).then((outcome) => {
    const transfer = outcome.status === 'covered' ? [outcome.btf.buffer as ArrayBuffer] : [];
    port.postMessage(outcome, transfer);
  });
});
port.postMessage(WORKER_READY);
