import { join, relative } from 'node:path';
import { runKernelTasks } from '../batch/pool.js';
import type { KernelOutcome, KernelTask, TaskSetup } from '../batch/task.js';
import { ANY_ARCH } from '../build/objects.js';
import { writeOutputFile } from '../cache/atomic.js';
import { annotateError, formatError } from '../errors.js';
import { readBpfObject } from '../object.js';
import { checkOutputs, GuardedInputs } from '../output-guard.js';
import { scanSnapshot } from '../snapshot/scan.js';
import { checkInputFile } from './files.js';
import { progressReporter } from './progress.js';

/**
 * The batch form of `btf-bundle min-core-btf` (`--inputdir`): minimizes every kernel of a BTFHub-layout tree on
 * `workers` lanes (default: chosen from the work, see `defaultLanes`) and writes `<release>.btf` files in the same
 * layout under `outputDir`. Returns the exit code (1 when a kernel failed).
 */
export async function runBatch(
  inputDir: string,
  outputDir: string,
  objectPaths: string[],
  mode: 'robust' | 'bpftool',
  workers: number | undefined,
): Promise<number> {
  const started = performance.now();
  const objectInputs = objectPaths.map((path) => ({ role: 'object', path }));
  checkOutputs(
    [{ role: '--outputdir', path: outputDir, dir: true }],
    new GuardedInputs([{ role: '--inputdir', path: inputDir, dir: true }, ...objectInputs]),
  );
  // Parsed here so that a bad object fails the run before any kernel; the main-thread lane reuses them.
  const objects = objectPaths.map((name) => {
    checkInputFile(name);
    try {
      return { name, parsed: readBpfObject(name) };
    } catch (err) {
      throw annotateError(err, { file: name });
    }
  });
  const scan = await scanSnapshot(inputDir);
  for (const bad of scan.invalid) console.error(`skipped ${bad.path}: ${bad.reason}`);
  const tasks: KernelTask[] = scan.kernels.map((k) => ({ id: k.id, path: k.path, arch: ANY_ARCH }));
  const outputs = new Map(
    scan.kernels.map((k) => [
      k.id,
      join(outputDir, relative(inputDir, k.path).replace(/\.btf(\.tar\.xz)?$/, '.btf')),
    ]),
  );
  // Links inside either tree could still point an output at an input: check every output before any work.
  checkOutputs(
    scan.kernels.map((k) => ({ role: 'output', path: outputs.get(k.id) as string })),
    new GuardedInputs([...objectInputs, ...scan.kernels.map((k) => ({ role: 'kernel', path: k.path }))]),
    { allowUncreatable: true },
  );
  const setup: TaskSetup = {
    // No cache, so no relocation signatures to key it with.
    objectSets: {
      [ANY_ARCH]: {
        objects: objects.map(({ name, parsed }) => ({ name, sections: parsed.sections })),
        signatures: [],
      },
    },
    cacheDir: null,
    mode,
  };
  const progress = progressReporter(process.stderr);
  let done = 0;
  let written = 0;
  let bytes = 0;
  // Each output is written as its kernel finishes, overlapping the writes with the kernels still running.
  const writes: Promise<void>[] = [];
  const unwritten: string[] = [];
  const onOutcome = (o: KernelOutcome) => {
    done++;
    const elapsed = performance.now() - started;
    progress.update({
      done,
      total: tasks.length,
      current: o.id,
      elapsedMs: elapsed,
      etaMs: (elapsed / done) * (tasks.length - done),
    });
    if (o.status !== 'covered') return;
    const path = outputs.get(o.id) as string;
    writes.push(
      writeOutputFile(path, o.btf).then(
        () => {
          written++;
          bytes += o.btf.length;
        },
        (err: unknown) => {
          unwritten.push(`FAILED ${o.id}: cannot write ${formatError(err)}`);
        },
      ),
    );
  };
  const outcomes = await runKernelTasks(tasks, setup, {
    workers,
    useMainThread: true,
    parsedObjects: { [ANY_ARCH]: objects.map((o) => o.parsed) },
    onOutcome,
  });
  await Promise.all(writes);
  progress.end();
  for (const outcome of outcomes) {
    if (outcome.status !== 'covered') console.error(`FAILED ${outcome.id}: ${outcome.reason}`);
  }
  for (const line of unwritten) console.error(line);
  const failed = outcomes.length - written;
  const secs = ((performance.now() - started) / 1000).toFixed(2);
  console.log(
    `min-core-btf: ${outcomes.length} kernels, ${written} written (${bytes} bytes), ${failed} failed, in ${secs} s`,
  );
  return failed > 0 ? 1 : 0;
}
