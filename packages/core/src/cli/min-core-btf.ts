import { Btf } from '../btf/btf.js';
import { minimizeBtf } from '../minimize/minimize.js';
import { checkOutputs, GuardedInputs } from '../output-guard.js';
import { readKernelBtf } from '../snapshot/input.js';
import { writeOutputFile } from '../util/atomic-write.js';
import { ArgumentError, MODES, oneOf, parseCommandLine, positiveInt } from './args.js';
import { readInputObject } from './files.js';

const HELP = `usage: btf-bundle min-core-btf [--mode MODE] INPUT OUTPUT OBJECT...
       btf-bundle min-core-btf [--mode MODE] --inputdir DIR --outputdir DIR --object OBJ [--object OBJ...]

Reduce a kernel BTF to what the CO-RE relocations of the objects need (like 'bpftool gen min_core_btf').
INPUT is a raw BTF, an ELF with a .BTF section, or a BTFHub .btf.tar.xz. The batch form walks a tree in BTFHub
layout (<distro>/<version>/<arch>/<release>.btf[.tar.xz]) and writes <release>.btf files in the same layout,
isolating per-kernel failures. OUTPUT may be - (or /dev/stdout): standard output (refused when closed, a
terminal or an input file). The batch form creates the directories of that layout under --outputdir and refuses
to write through a symbolic link found there.

  --mode MODE       robust (default: bpftool's algorithm with its known bugs fixed) | bpftool (byte-identical)
  --inputdir DIR    batch: snapshot dir to walk
  --outputdir DIR   batch: where to write the reduced BTFs
  --object OBJ...   batch: objects (several after one flag, or repeated)
  --workers N       batch: kernels minimized at once, at most one per core (default: one per core, fewer
                    for little work)
  -h, --help        this help`;

/** `btf-bundle min-core-btf`: single-kernel and batch minimization. */
export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      mode: { type: 'string' },
      inputdir: { type: 'string' },
      outputdir: { type: 'string' },
      object: { type: 'string', multiple: true },
      workers: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    { positionals: true, lists: ['object'] },
  );
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const mode = oneOf('mode', values.mode, MODES) ?? 'robust';
  const workers = positiveInt('workers', values.workers);
  if (values.inputdir !== undefined || values.outputdir !== undefined) {
    if (!values.inputdir || !values.outputdir || !values.object?.length || positionals.length > 0) {
      throw new ArgumentError('batch form needs --inputdir, --outputdir and at least one --object');
    }
    // The batch engine (worker pool, snapshot scan, fast-glob) is loaded only for the batch form.
    const { runBatch } = await import('./min-core-btf-batch.js');
    return runBatch(values.inputdir, values.outputdir, values.object, mode, workers);
  }
  if (workers !== undefined || values.object !== undefined) {
    throw new ArgumentError('--workers and --object belong to the batch form (--inputdir, --outputdir)');
  }
  const [input, output, ...objects] = positionals;
  if (!input || !output || objects.length === 0) throw new ArgumentError('expected INPUT OUTPUT OBJECT...');
  const inputs = new GuardedInputs([
    { role: 'INPUT', path: input },
    ...objects.map((path) => ({ role: 'OBJECT', path })),
  ]);
  checkOutputs([{ role: 'OUTPUT', path: output, binary: true }], inputs);
  // The kernel's bytes come in on the thread pool while the objects are read and parsed here, one after the other
  // and synchronously, by positioned reads of the few sections used (concurrent reads of them would only cost
  // event-loop round trips). Objects are parsed before the kernel: parsing their BTF runs the record walk hot
  // enough to be optimized by the time it meets the kernel's ~100k records (the other way round, most of the
  // kernel is walked by the interpreter).
  const kernel = readKernelBtf(input);
  // Settled here too, so that an unreadable kernel is not an unhandled rejection while an object fails first.
  kernel.catch(() => {});
  const parsed = objects.map(readInputObject);
  const target = Btf.parse(await kernel, { file: input, typeChecks: 'deferred' });
  const result = minimizeBtf(target, parsed, { mode });
  await writeOutputFile(output, result.btf);
  return 0;
}
