import { expandObjectGlobs } from '../build/objects.js';
import { checkOutputs, GuardedInputs, type GuardedPath } from '../output-guard.js';
import { parseGitSnapshot } from '../snapshot/git.js';
import { scanSnapshot } from '../snapshot/scan.js';
import { errorMessage } from '../util/error-message.js';
import { ArgumentError } from './args.js';

/** What `btf-bundle build` reads and writes, as given on its command line. */
export interface BuildPaths {
  snapshot: string;
  objects: string[];
  include?: string[];
  exclude?: string[];
  /** Output files by flag (`--out`, `--report`, ...); undefined entries are flags not given. */
  outputs: Record<string, string | undefined>;
  /** The cache dir, when given. */
  cacheDir?: string;
}

/**
 * A local snapshot dir and every kernel file in it, also those it links to elsewhere (followed or not by the
 * build, a file the snapshot names is not to be overwritten). A git snapshot is remote: its checkout is the cache's.
 */
export async function localSnapshotInputs(
  paths: Pick<BuildPaths, 'snapshot' | 'include' | 'exclude'>,
): Promise<GuardedPath[]> {
  const scan = await scanSnapshot(paths.snapshot, {
    include: paths.include,
    exclude: paths.exclude,
    followLinksOut: true,
  });
  return [
    { role: 'snapshot', path: paths.snapshot, dir: true },
    ...scan.kernels.map((k) => ({ role: 'kernel', path: k.path })),
  ];
}

/** Whether `--snapshot` is a git remote; a malformed `git+` one is a command-line mistake (an ArgumentError). */
function gitSnapshotArgument(snapshot: string): boolean {
  try {
    return parseGitSnapshot(snapshot) !== undefined;
  } catch (err) {
    throw new ArgumentError(`--snapshot: ${errorMessage(err)}`);
  }
}

/**
 * Refuse, before any work, outputs of `build` that would write over an input or over each other: an object, the
 * snapshot dir, a kernel file the snapshot links to from elsewhere, or another output.
 */
export async function checkBuildPaths(paths: BuildPaths): Promise<void> {
  const objects = await expandObjectGlobs(paths.objects);
  const inputs = new GuardedInputs([
    ...(gitSnapshotArgument(paths.snapshot) ? [] : await localSnapshotInputs(paths)),
    ...objects.map((path) => ({ role: 'object', path })),
  ]);
  // The bundle (`--out`) is binary; the reports are text.
  const outputs: GuardedPath[] = Object.entries(paths.outputs).flatMap(([role, path]) =>
    path === undefined ? [] : [{ role, path, binary: role === '--out' }],
  );
  if (paths.cacheDir !== undefined) outputs.push({ role: '--cache-dir', path: paths.cacheDir, dir: true });
  checkOutputs(outputs, inputs);
}
