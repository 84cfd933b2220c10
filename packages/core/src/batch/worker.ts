import { parentPort, workerData } from 'node:worker_threads';
import { KernelProcessor, type KernelTask, type TaskSetup, WORKER_READY } from './task.js';

/** Worker thread entry: processes the {@link KernelTask}s posted to it, posting back each outcome. */
const processor = new KernelProcessor(workerData as TaskSetup);
const port = parentPort;
if (!port) throw new Error('batch/worker.js must run in a worker thread');
port.on('message', (task: KernelTask) => {
  processor.run(task).then((outcome) => {
    const transfer = outcome.status === 'covered' ? [outcome.btf.buffer as ArrayBuffer] : [];
    port.postMessage(outcome, transfer);
  });
});
port.postMessage(WORKER_READY);
