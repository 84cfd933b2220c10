import { join, relative } from 'node:path';
import { capLanes } from '../batch/lanes.js';
import { runKernelTasks } from '../batch/pool.js';
import type { KernelOutcome, KernelTask, TaskSetup } from '../batch/task.js';
import { ANY_ARCH } from '../build/objects.js';
import { escapeControls, formatError } from '../errors.js';
import type { BpfObject } from '../object.js';
import { checkOutputs, GuardedInputs, refuseLinksUnder } from '../output-guard.js';
import { type SnapshotKernel, scanSnapshot } from '../snapshot/scan.js';
import { writeOutputFile } from '../util/atomic-write.js';
import { readInputObject } from './files.js';
import { progressReporter } from './progress.js';

/**
 * The batch form of `btf-bundle min-core-btf` (`--inputdir`): minimizes every kernel of a BTFHub-layout tree on
 * `workers` lanes (default: chosen from the work, see `defaultLanes`; at most one per core, see `capLanes`) and writes `<release>.btf` files in the same
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
  const objects = readBatchObjects(objectPaths);
  const scan = await scanSnapshot(inputDir);
  for (const bad of scan.invalid) console.error(escapeControls(`skipped ${bad.path}: ${bad.reason}`));
  const tasks: KernelTask[] = scan.kernels.map((k) => ({ id: k.id, path: k.path, arch: ANY_ARCH }));
  const outputs = outputPaths(scan.kernels, inputDir, outputDir, objectInputs);
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
  const writer = outputWriter(outputs);
  let done = 0;
  const lanes = capLanes(workers, '--workers');
  if (lanes.note) console.error(`warning: ${lanes.note}`);
  const outcomes = await runKernelTasks(tasks, setup, {
    workers: lanes.workers,
    useMainThread: true,
    parsedObjects: { [ANY_ARCH]: objects.map((o) => o.parsed) },
    onOutcome: (o) => {
      done++;
      const elapsedMs = performance.now() - started;
      const etaMs = (elapsedMs / done) * (tasks.length - done);
      progress.update({ done, total: tasks.length, current: o.id, elapsedMs, etaMs });
      writer.write(o);
    },
  });
  await writer.finished();
  progress.end();
  return summarize(outcomes, writer, started);
}

/** The objects, each checked and parsed here so that a bad one fails the run before any kernel. */
function readBatchObjects(paths: string[]): { name: string; parsed: BpfObject }[] {
  return paths.map((name) => ({ name, parsed: readInputObject(name) }));
}

/**
 * The output path of every kernel (its path under `outputDir`, ending in `.btf`), each checked before any work:
 * links inside either tree could still point an output at an input, and a linked directory under `outputDir`
 * would take outputs out of it.
 */
function outputPaths(
  kernels: readonly SnapshotKernel[],
  inputDir: string,
  outputDir: string,
  objectInputs: { role: string; path: string }[],
): Map<string, string> {
  const outputs = new Map(
    kernels.map((k) => [
      k.id,
      join(outputDir, relative(inputDir, k.path).replace(/\.btf(\.tar\.xz)?$/, '.btf')),
    ]),
  );
  const files = kernels.map((k) => ({ role: 'output', path: outputs.get(k.id) as string }));
  checkOutputs(
    files,
    new GuardedInputs([...objectInputs, ...kernels.map((k) => ({ role: 'kernel', path: k.path }))]),
    { allowUncreatable: true },
  );
  refuseLinksUnder({ role: '--outputdir', path: outputDir, dir: true }, files);
  return outputs;
}

/** Writes each covered kernel's BTF as it finishes (overlapping the writes with the kernels still running). */
function outputWriter(outputs: Map<string, string>) {
  const writes: Promise<void>[] = [];
  const state = { written: 0, bytes: 0, unwritten: [] as string[] };
  return {
    state,
    write(o: KernelOutcome): void {
      if (o.status !== 'covered') return;
      const written = writeOutputFile(outputs.get(o.id) as string, o.btf).then(
        () => {
          state.written++;
          state.bytes += o.btf.length;
        },
        (err: unknown) => {
          state.unwritten.push(`FAILED ${o.id}: cannot write ${formatError(err)}`);
        },
      );
      writes.push(written);
    },
    finished: async (): Promise<void> => {
      await Promise.all(writes);
    },
  };
}

/** Prints the failures and the summary line; returns the exit code (1 when a kernel failed or was not written). */
function summarize(
  outcomes: readonly KernelOutcome[],
  writer: ReturnType<typeof outputWriter>,
  started: number,
): number {
  for (const outcome of outcomes) {
    if (outcome.status !== 'covered')
      console.error(escapeControls(`FAILED ${outcome.id}: ${outcome.reason}`));
  }
  const { written, bytes, unwritten } = writer.state;
  for (const line of unwritten) console.error(escapeControls(line));
  const failed = outcomes.length - written;
  const secs = ((performance.now() - started) / 1000).toFixed(2);
  console.log(
    `min-core-btf: ${outcomes.length} kernels, ${written} written (${bytes} bytes), ${failed} failed, in ${secs} s`,
  );
  return failed > 0 ? 1 : 0;
}
