import { capLanes } from '../batch/lanes.js';
import { BuildFailedError, buildBundle } from '../build/build.js';
import {
  BUILD_OPTIONS,
  type BuildOptionSpec,
  choicesOf,
  cliOptionConfig,
  cliOptionHelp,
} from '../build/option-schema.js';
import type { FailOn } from '../build/types.js';
import { escapeControls } from '../errors.js';
import type { MinimizeMode } from '../minimize/minimize.js';
import { writeReportFiles } from '../report/files.js';
import { formatReport } from '../report/table.js';
import { redactUrlCredentials } from '../snapshot/git-url.js';
import { writeOutputFile } from '../util/atomic-write.js';
import { outputKind } from '../util/standard-output.js';
import { ArgumentError, oneOf, parseCommandLine, positiveInt } from './args.js';
import { checkBuildPaths } from './build-paths.js';
import { progressReporter } from './progress.js';

/** The options of `build` the plugin has no use for (it writes through the bundler). */
const CLI_ONLY = [
  { name: 'out', flag: 'out', kind: 'path', arg: 'FILE', doc: 'bundle to write' },
  {
    name: 'report',
    flag: 'report',
    kind: 'path',
    arg: 'FILE',
    doc: 'also write the coverage report as JSON (per-kernel × object counts)',
  },
  {
    name: 'cacheMaxBytes',
    flag: 'cache-max-bytes',
    kind: 'count',
    arg: 'N',
    default: '1 GiB',
    doc: 'evict least recently used cache entries beyond N bytes',
  },
] as const satisfies readonly BuildOptionSpec[];

const HELP = `usage: btf-bundle build --snapshot DIR|git+URL[#REF] --objects GLOB... --out FILE [--report FILE] [--report-html FILE] [options]

Minimize every kernel BTF of a BTFHub-layout snapshot for the CO-RE relocations of the objects, dedup the
results and write a bundle with the kernel→BTF lookup.

${cliOptionHelp([...BUILD_OPTIONS, ...CLI_ONLY]).join('\n')}
  --no-cache            do not use the cache (a git+ snapshot is checked out in a temporary dir, removed at the end)
  --quiet               no progress and no table (warnings still go to standard error)
  -h, --help            this help

An output FILE of - (or /dev/stdout) is standard output; the table and other lines then go to standard error.
Standard output closed, a terminal (for --out) or an input file is refused.`;

/** `btf-bundle build`: build a bundle from a snapshot, print progress and the coverage table. */
export async function run(argv: string[]): Promise<number> {
  const { values } = parseCommandLine(
    argv,
    {
      ...cliOptionConfig([...BUILD_OPTIONS, ...CLI_ONLY]),
      'no-cache': { type: 'boolean' },
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
  const lanes = capLanes(positiveInt('workers', values.workers), '--workers');
  const cacheMaxBytes = positiveInt('cache-max-bytes', values['cache-max-bytes']);
  const failOn = oneOf('fail-on', values['fail-on'], choicesOf<FailOn>('failOn'));
  const mode = oneOf('mode', values.mode, choicesOf<MinimizeMode>('mode'));
  await checkBuildPaths({
    ...values,
    snapshot: values.snapshot,
    objects: values.objects,
    outputs: { '--out': values.out, '--report': values.report, '--report-html': values['report-html'] },
    cacheDir: values['cache-dir'],
  });
  const progress = values.quiet ? undefined : progressReporter(process.stderr);
  // Warnings are said when they arise (a build waiting for another one's git checkout says so while it waits),
  // with --quiet too: a kernel left out or a cap on the lanes is not progress.
  const warn = (w: string) => {
    const line = `warning: ${escapeControls(w)}`;
    if (progress) progress.note(line);
    else process.stderr.write(`${line}\n`);
  };
  if (lanes.note) warn(lanes.note);
  const reportFiles = { json: values.report, html: values['report-html'] };
  // With an output on standard output (`-`), the table and the other lines go to standard error.
  const say = [values.out, values.report, values['report-html']].some(
    (path) => path !== undefined && outputKind(path) === 'stdout',
  )
    ? console.error
    : console.log;
  try {
    const result = await buildBundle({
      snapshot: values.snapshot,
      objects: values.objects,
      include: values.include,
      exclude: values.exclude,
      workers: lanes.workers,
      useMainThread: true,
      cacheMaxBytes,
      cacheDir: values['no-cache'] ? false : values['cache-dir'],
      failOn,
      mode,
      onProgress: progress?.update,
      onWarning: warn,
    });
    progress?.end();
    await writeOutputFile(values.out, result.bundle);
    await writeReportFiles(result.report, reportFiles);
    if (!values.quiet) {
      say(formatReport(result.report));
      if (result.snapshotRevision)
        say(`snapshot ${redactUrlCredentials(values.snapshot)} at ${result.snapshotRevision}`);
      say(`wrote ${values.out}`);
    }
    return 0;
  } catch (err) {
    progress?.end();
    if (!(err instanceof BuildFailedError)) throw err;
    if (err.report) {
      await writeReportFiles(err.report, reportFiles);
      if (!values.quiet) say(formatReport(err.report));
    }
    throw err.naming(`--fail-on ${err.failOn}`);
  }
}
