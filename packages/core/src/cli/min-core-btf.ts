import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { runKernelTasks } from '../batch/pool.js';
import type { KernelOutcome, KernelTask, TaskSetup } from '../batch/task.js';
import { Btf } from '../btf/btf.js';
import { ANY_ARCH } from '../build/objects.js';
import { writeFileAtomic } from '../cache/atomic.js';
import { relocationSignature } from '../cache/signature.js';
import { annotateError, UsageError } from '../errors.js';
import { minimizeBtf } from '../minimize/minimize.js';
import { parseBpfObject } from '../object.js';
import { readKernelBtf } from '../snapshot/input.js';
import { scanSnapshot } from '../snapshot/scan.js';
import { MODES, oneOf, positiveInt } from './args.js';
import { progressReporter } from './progress.js';

const HELP = `usage: btf-bundle min-core-btf [--mode MODE] INPUT OUTPUT OBJECT...
       btf-bundle min-core-btf [--mode MODE] --inputdir DIR --outputdir DIR --object OBJ [--object OBJ...]

Reduce a kernel BTF to what the CO-RE relocations of the objects need (like 'bpftool gen min_core_btf').
INPUT is a raw BTF, an ELF with a .BTF section, or a BTFHub .btf.tar.xz. The batch form walks a tree in BTFHub
layout (<distro>/<version>/<arch>/<release>.btf[.tar.xz]) and writes <release>.btf files in the same layout,
isolating per-kernel failures.

  --mode MODE       robust (default: bpftool's algorithm with its known bugs fixed) | bpftool (byte-identical)
  --inputdir DIR    batch: snapshot dir to walk
  --outputdir DIR   batch: where to write the reduced BTFs
  --object OBJ      batch: an object (repeatable)
  --workers N       batch: worker threads (default: number of cores)
  -h, --help        this help`;

/** `btf-bundle min-core-btf`: single-kernel and batch minimization. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      mode: { type: 'string' },
      inputdir: { type: 'string' },
      outputdir: { type: 'string' },
      object: { type: 'string', multiple: true },
      workers: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const mode = oneOf('mode', values.mode, MODES) ?? 'robust';
  if (values.inputdir !== undefined || values.outputdir !== undefined) {
    if (!values.inputdir || !values.outputdir || !values.object?.length || positionals.length > 0) {
      throw new UsageError(`batch form needs --inputdir, --outputdir and at least one --object\n${HELP}`);
    }
    const workers = positiveInt('workers', values.workers) ?? availableParallelism();
    return runBatch(values.inputdir, values.outputdir, values.object, mode, workers);
  }
  const [input, output, ...objects] = positionals;
  if (!input || !output || objects.length === 0)
    throw new UsageError(`expected INPUT OUTPUT OBJECT...\n${HELP}`);
  const target = Btf.parse(await readKernelBtf(input), { file: input });
  const parsed = await Promise.all(objects.map(async (f) => parseBpfObject(await readFile(f), f)));
  const result = minimizeBtf(target, parsed, { mode });
  await writeFileAtomic(output, result.btf);
  return 0;
}

async function runBatch(
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
  const outcomes = await runKernelTasks(tasks, setup, { workers, onOutcome });
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
