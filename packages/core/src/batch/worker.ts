import { parentPort, workerData } from 'node:worker_threads';
import { KernelProcessor, type KernelTask, type TaskSetup, WORKER_CLOSE, WORKER_READY } from './task.js';

/**
 * Worker thread entry: processes the {@link KernelTask}s posted to it (each with the task it will get next, if
 * known, to read ahead), posting back each outcome. {@link WORKER_CLOSE} ends it: it ends its lane (the read-ahead
 * and the xz launcher shell, see {@link KernelProcessor.finish}), closes its port and so exits
 * once its event loop is empty, which lets Node finish the isolate's background work (concurrent compiler jobs)
 * before it tears the isolate down. `worker.terminate()` does not wait for them, and Node 20 then aborts the whole
 * process now and then.
 */
const processor = new KernelProcessor(workerData as TaskSetup);
const port = parentPort;
if (!port) throw new Error('batch/worker.js must run in a worker thread');
port.on('message', (message: { task: KernelTask; next?: KernelTask } | typeof WORKER_CLOSE) => {
  if (message === WORKER_CLOSE) {
    processor.finish().then(() => port.close());
    return;
  }
  const { task, next } = message;
  processor.run(task, next).then((outcome) => {
    const transfer = outcome.status === 'covered' ? [outcome.btf.buffer as ArrayBuffer] : [];
    port.postMessage(outcome, transfer);
  });
});
port.postMessage(WORKER_READY);
