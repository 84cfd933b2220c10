import { BuildFailedError, buildBundle } from '../build/build.js';
import type { FailOn } from '../build/types.js';
import { writeReportFiles } from '../report/files.js';
import { formatReport } from '../report/table.js';
import { ArgumentError, MODES, oneOf, parseCommandLine, positiveInt } from './args.js';
import { checkBuildPaths } from './build-paths.js';
import { writeOutputFile } from './files.js';
import { progressReporter } from './progress.js';

const HELP = `usage: btf-bundle build --snapshot DIR --objects GLOB... --out FILE [options]

Minimize every kernel BTF of a BTFHub-layout snapshot for the CO-RE relocations of the objects, dedup the
results and write a bundle with the kernel→BTF lookup.

  --snapshot DIR        snapshot dir (<distro>/<version>/<arch>/<release>.btf[.tar.xz])
  --objects GLOB...     .bpf.o files or globs (several after one flag, or repeated; braces, ?, [..] and ** work;
                        bpf2go names *_x86_bpfel.o, *_arm64_bpfel.o pick their arch)
  --out FILE            bundle to write
  --report FILE         also write the coverage report as JSON (per-kernel × object counts)
  --report-html FILE    also write the coverage picture as one self-contained HTML page
  --include GLOB        kernel files to include, relative to the snapshot (repeatable; default all)
  --exclude GLOB        kernel files to exclude (repeatable)
  --workers N           kernels minimized at once (default: one per core, fewer for few kernels)
  --cache-dir DIR       cache dir (default node_modules/.cache/btf-bundle)
  --cache-max-bytes N   evict least recently used cache entries beyond N bytes (default 1 GiB)
  --no-cache            do not use the cache
  --fail-on WHEN        never (default) | unreadable | error
  --mode MODE           robust (default) | bpftool
  --quiet               no progress and no table
  -h, --help            this help`;

const FAIL_ON: readonly FailOn[] = ['never', 'unreadable', 'error'];

/** `btf-bundle build`: build a bundle from a snapshot, print progress and the coverage table. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandLine(
    argv,
    {
      snapshot: { type: 'string' },
      objects: { type: 'string', multiple: true },
      out: { type: 'string' },
      report: { type: 'string' },
      'report-html': { type: 'string' },
      include: { type: 'string', multiple: true },
      exclude: { type: 'string', multiple: true },
      workers: { type: 'string' },
      'cache-dir': { type: 'string' },
      'cache-max-bytes': { type: 'string' },
      'no-cache': { type: 'boolean' },
      'fail-on': { type: 'string' },
      mode: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    { lists: ['objects'] },
  );
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (!values.snapshot || !values.objects?.length || !values.out) {
    throw new ArgumentError('build needs --snapshot, --objects and --out');
  }
  if (values['no-cache'] && values['cache-dir'])
    throw new ArgumentError('--cache-dir and --no-cache exclude each other');
  const workers = positiveInt('workers', values.workers);
  const cacheMaxBytes = positiveInt('cache-max-bytes', values['cache-max-bytes']);
  const failOn = oneOf('fail-on', values['fail-on'], FAIL_ON);
  const mode = oneOf('mode', values.mode, MODES);
  await checkBuildPaths({
    ...values,
    snapshot: values.snapshot,
    objects: values.objects,
    outputs: { '--out': values.out, '--report': values.report, '--report-html': values['report-html'] },
    cacheDir: values['cache-dir'],
  });
  const progress = values.quiet ? undefined : progressReporter(process.stderr);
  const warnings: string[] = [];
  const reportFiles = { json: values.report, html: values['report-html'] };
  try {
    const result = await buildBundle({
      snapshot: values.snapshot,
      objects: values.objects,
      include: values.include,
      exclude: values.exclude,
      workers,
      useMainThread: true,
      cacheMaxBytes,
      cacheDir: values['no-cache'] ? false : values['cache-dir'],
      failOn,
      mode,
      onProgress: progress?.update,
      onWarning: (w) => warnings.push(w),
    });
    progress?.end();
    await writeOutputFile(values.out, result.bundle);
    await writeReportFiles(result.report, reportFiles);
    if (!values.quiet) {
      for (const w of warnings) console.error(`warning: ${w}`);
      console.log(formatReport(result.report));
      console.log(`wrote ${values.out}`);
    }
    return 0;
  } catch (err) {
    progress?.end();
    if (err instanceof BuildFailedError && err.report) {
      await writeReportFiles(err.report, reportFiles);
      if (!values.quiet) console.log(formatReport(err.report));
    }
    throw err;
  }
}
