import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { runKernelTasks } from '../batch/pool.js';
import type { KernelOutcome, KernelTask, TaskSetup } from '../batch/task.js';
import { ANY_ARCH } from '../build/objects.js';
import { writeFileAtomic } from '../cache/atomic.js';
import { relocationSignature } from '../cache/signature.js';
import { annotateError } from '../errors.js';
import { parseBpfObject } from '../object.js';
import { scanSnapshot } from '../snapshot/scan.js';
import { progressReporter } from './progress.js';

/**
 * The batch form of `btf-bundle min-core-btf` (`--inputdir`): minimizes every kernel of a BTFHub-layout tree on a
 * pool of `workers` threads and writes `<release>.btf` files in the same layout under `outputDir`. Returns the exit
 * code (1 when a kernel failed).
 */
export async function runBatch(
  inputDir: string,
  outputDir: string,
  objectPaths: string[],
  mode: 'robust' | 'bpftool',
  workers: number,
): Promise<number> {
  const started = performance.now();
  const objects = await Promise.all(
    objectPaths.map(async (name) => {
      const bytes = new Uint8Array(await readFile(name));
      try {
        return { name, bytes, signature: relocationSignature(parseBpfObject(bytes, name)) };
      } catch (err) {
        throw annotateError(err, { file: name });
      }
    }),
  );
  const scan = await scanSnapshot(inputDir);
  for (const bad of scan.invalid) console.error(`skipped ${bad.path}: ${bad.reason}`);
  const tasks: KernelTask[] = scan.kernels.map((k) => ({ id: k.id, path: k.path, arch: ANY_ARCH }));
  const setup: TaskSetup = {
    objectSets: {
      [ANY_ARCH]: {
        objects: objects.map(({ name, bytes }) => ({ name, bytes })),
        signatures: objects.map((o) => o.signature),
      },
    },
    cacheDir: null,
    mode,
  };
  const progress = progressReporter(process.stderr);
  let done = 0;
  const onOutcome = (o: KernelOutcome) => {
    done++;
    const elapsed = performance.now() - started;
    progress.update({
      done,
      total: tasks.length,
      current: o.id,
      etaMs: (elapsed / done) * (tasks.length - done),
    });
  };
  const outcomes = await runKernelTasks(tasks, setup, { workers, useMainThread: true, onOutcome });
  progress.end();
  let written = 0;
  let bytes = 0;
  for (const [i, outcome] of outcomes.entries()) {
    const kernel = scan.kernels[i] as (typeof scan.kernels)[number];
    if (outcome.status !== 'covered') {
      console.error(`FAILED ${outcome.id}: ${outcome.reason}`);
      continue;
    }
    const rel = relative(inputDir, kernel.path).replace(/\.btf(\.tar\.xz)?$/, '.btf');
    await writeFileAtomic(join(outputDir, rel), outcome.btf);
    written++;
    bytes += outcome.btf.length;
  }
  const failed = outcomes.length - written;
  const secs = ((performance.now() - started) / 1000).toFixed(2);
  console.log(
    `min-core-btf: ${outcomes.length} kernels, ${written} written (${bytes} bytes), ${failed} failed, in ${secs} s`,
  );
  return failed > 0 ? 1 : 0;
}
