import { lstatSync, readlinkSync, realpathSync, type Stats, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { UsageError } from './errors.js';
import { outputKind, STANDARD_OUTPUT, standardOutputState } from './util/standard-output.js';

/** A path a command reads (`dir`: the whole tree under it is read) or writes (`dir`: files are written under it). */
export interface GuardedPath {
  /** How the user named it, for messages: `OUTPUT`, `--out`, `the snapshot`, `object`, ... */
  role: string;
  /** The path as given. */
  path: string;
  /** A directory rather than a file. */
  dir?: boolean;
  /** An output of binary bytes (BTF, a bundle), which is not written to a terminal. */
  binary?: boolean;
}

/**
 * An output path would destroy or land inside an input or outside its output directory, or two outputs collide:
 * refused before any work, a command-line mistake (the CLI exits with 2).
 */
export class OutputPathError extends UsageError {
  override name = 'OutputPathError';
  override readonly code: string = 'OUTPUT_PATH';
}

/** Where a path really is: its real path, and its identity when it exists. */
interface Located {
  given: GuardedPath;
  /** Real path of the directory entry that would be written (its parent resolved through links). */
  entry: string;
  /** Real path of what the entry points at, when the entry is a link (else `entry`). */
  target: string;
  /** dev+ino when the path exists. */
  identity?: string;
  stats?: Stats;
}

/** stat that follows links; undefined when nothing is there (or a parent is not a directory). */
const statOrUndefined = (path: string): Stats | undefined => {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
};

/** Whether `path` is a link to nothing (stat found nothing, but the link is there). */
const isDanglingLink = (path: string): boolean => {
  try {
    return lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink() === true;
  } catch {
    return false;
  }
};

/**
 * The real path of `path`, which exists; for a name of a pipe or socket (`/proc/self/fd/1`, whose link leads to
 * `pipe:[…]`, not to a path) the absolute path itself: its dev+ino still identify it.
 */
function realPath(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return resolve(path);
  }
}

/** Where a directory really is (through links), or the ancestor that is a file and blocks it. */
type RealDir = string | { blockedBy: string };

/** {@link RealDir} of `dir`, memoized in `memo` (the outputs of a batch share their parents). */
function realDir(dir: string, memo: Map<string, RealDir>): RealDir {
  const known = memo.get(dir);
  if (known !== undefined) return known;
  const stats = statOrUndefined(dir);
  let real: RealDir;
  if (stats) real = stats.isDirectory() ? realpathSync.native(dir) : { blockedBy: dir };
  else if (isDanglingLink(dir)) real = { blockedBy: dir };
  else if (dirname(dir) === dir) real = dir;
  else {
    const parent = realDir(dirname(dir), memo);
    real = typeof parent === 'string' ? join(parent, basename(dir)) : parent;
  }
  memo.set(dir, real);
  return real;
}

/**
 * Resolve `given` through links: its parent with realpath (the missing part appended), the path itself when it
 * exists. When an ancestor exists but is not a directory, the path cannot be created: that ancestor is returned.
 */
function locate(given: GuardedPath, memo: Map<string, RealDir>): Located | { blockedBy: string } {
  const absolute = resolve(given.path);
  const parent = realDir(dirname(absolute), memo);
  if (typeof parent !== 'string') return parent;
  const entry = join(parent, basename(absolute));
  const stats = statOrUndefined(absolute);
  if (!stats) return { given, entry, target: entry };
  return {
    given,
    entry,
    target: realPath(absolute),
    identity: `${stats.dev}:${stats.ino}`,
    stats,
  };
}

/**
 * A file that is no link, found without `realpath` (which checks every component of the path, for each of the
 * thousands of kernels of a snapshot): its real path is its directory's real path (memoized) and its name. Undefined
 * for a link, a path with a `..` part (where a linked parent makes the lexical and the real parent differ), or
 * nothing there.
 */
function plainFile(path: string, memo: Map<string, RealDir>): { target: string; stats: Stats } | undefined {
  if (path.split(sep).includes('..')) return undefined;
  let stats: Stats | undefined;
  try {
    stats = lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
  if (!stats || stats.isSymbolicLink() || stats.isDirectory()) return undefined;
  const absolute = resolve(path);
  const dir = realDir(dirname(absolute), memo);
  return typeof dir === 'string' ? { target: join(dir, basename(absolute)), stats } : undefined;
}

const isInside = (path: string, dir: string): boolean =>
  path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/**
 * The inputs of a command, resolved once (real paths and dev+ino of those that exist) so that many outputs can be
 * checked against them with {@link checkOutputs}. An input that does not exist is known by where it would be. A
 * directory input guards what lies inside it; a file it links to elsewhere is guarded when listed as an input of
 * its own (the commands list the kernels their snapshot scan found).
 */
export class GuardedInputs {
  private readonly files = new Map<string, GuardedPath>();
  private readonly dirs: Located[] = [];

  constructor(inputs: readonly GuardedPath[]) {
    const memo = new Map<string, RealDir>();
    for (const input of inputs) {
      const plain = plainFile(input.path, memo);
      const stats = plain?.stats ?? statOrUndefined(input.path);
      if (!stats) {
        // Missing (or a dangling link): its entry still may not be an output's.
        const parent = realDir(dirname(resolve(input.path)), memo);
        if (typeof parent === 'string') this.files.set(join(parent, basename(input.path)), input);
        continue;
      }
      const target = plain?.target ?? realPath(input.path);
      // A directory is guarded as one even where a file was expected (reading it fails later; writing into it
      // must not happen first).
      if (stats.isDirectory()) {
        this.dirs.push({ given: input, entry: target, target, stats });
      } else {
        this.files.set(target, input);
        this.files.set(`${stats.dev}:${stats.ino}`, input);
      }
    }
  }

  /** Throw when writing `output` could change an input: it is one (a link or hard link to one too) or lies in an input dir. */
  check(output: Located): void {
    const { role, path } = output.given;
    for (const key of [output.entry, output.target, output.identity]) {
      const input = key === undefined ? undefined : this.files.get(key);
      if (input) {
        throw new OutputPathError(
          `${role} ${path} is the ${input.role} ${input.path}: refusing to write over an input`,
        );
      }
    }
    for (const dir of this.dirs) {
      const relation =
        output.entry === dir.entry || output.target === dir.entry
          ? 'is'
          : isInside(output.entry, dir.entry) || isInside(output.target, dir.entry)
            ? 'lies inside'
            : output.given.dir && isInside(dir.entry, output.entry)
              ? 'contains'
              : undefined;
      if (relation) {
        throw new OutputPathError(
          `${role} ${path} ${relation} the ${dir.given.role} ${dir.given.path}: refusing to write into an input`,
        );
      }
    }
  }
}

/**
 * Whether `given` is standard output (`-`, `/dev/stdout`: written as a stream, see `outputKind`); throws
 * {@link OutputPathError} for a directory output named so, and for the name of another open descriptor.
 */
function standardOutput(given: GuardedPath): boolean {
  const kind = outputKind(given.path);
  if (kind === 'descriptor') {
    throw new OutputPathError(
      `${given.role} ${given.path} names an open descriptor, not a file: only standard output can be written so, as '${STANDARD_OUTPUT}'`,
    );
  }
  if (kind === 'stdout' && given.dir)
    throw new OutputPathError(`${given.role} ${given.path} is standard output, not a directory`);
  return kind === 'stdout';
}

/** The name of standard output's open file in /proc, which leads to its path when it is a file. */
const STDOUT_LINK = '/proc/self/fd/1';

/**
 * Check standard output, about to receive `given`, as an output: refused when it is closed (the output would be
 * lost), a terminal for a {@link GuardedPath.binary} output (as gzip refuses to write compressed data there), or
 * a file that is one of the `inputs` or lies in an input dir (`1<>INPUT`, `>>INPUT`). Throws {@link OutputPathError}.
 */
function checkStandardOutput(given: GuardedPath, inputs: GuardedInputs): void {
  const state = standardOutputState();
  if (state.kind === 'closed') {
    throw new OutputPathError(
      `${given.role} ${given.path}: standard output is closed, the output would be lost (to discard it, redirect it to /dev/null)`,
    );
  }
  if (state.kind === 'terminal' && given.binary) {
    throw new OutputPathError(
      `${given.role} ${given.path}: standard output is a terminal, refusing to write binary data there (redirect it to a file or a pipe)`,
    );
  }
  if (state.kind === 'file') {
    const target = realPath(STDOUT_LINK);
    const { dev, ino } = state.stats;
    const path = `${given.path} (standard output, ${target})`;
    inputs.check({ given: { ...given, path }, entry: target, target, identity: `${dev}:${ino}` });
  }
}

/** Options of {@link checkOutputs}. */
export interface CheckOutputsOptions {
  /**
   * Let an output that cannot be created (a file where a parent directory should be) pass: its write fails on its
   * own later (the batch form of min-core-btf reports such a kernel and writes the others). Default false.
   */
  allowUncreatable?: boolean;
}

/**
 * Check a command's outputs before any work: none may be, or resolve (through links, or as a hard link) to, an
 * input file; none may lie inside an input dir (nor an output dir contain one); two outputs may not be the same
 * path; a file output may not be an existing directory, device, FIFO or socket, nor a dir output an existing file;
 * every output's parent must be creatable (unless allowed). A file output may be standard output (`-`,
 * `/dev/stdout`), not another descriptor's name (`/dev/stderr`, `/dev/fd/3`), and standard output is checked too
 * (see {@link checkStandardOutput}). Throws {@link OutputPathError} naming the paths.
 */
export function checkOutputs(
  outputs: readonly GuardedPath[],
  inputs: GuardedInputs,
  options: CheckOutputsOptions = {},
): void {
  const seen = new Map<string, GuardedPath>();
  const dirs = new Map<string, RealDir>();
  const claim = (key: string, given: GuardedPath) => {
    const other = seen.get(key);
    if (other && other !== given) {
      throw new OutputPathError(`${other.role} and ${given.role} are the same path ${given.path}`);
    }
    seen.set(key, given);
  };
  for (const given of outputs) {
    if (standardOutput(given)) {
      checkStandardOutput(given, inputs);
      claim(STANDARD_OUTPUT, given);
      continue;
    }
    const output = locate(given, dirs);
    if ('blockedBy' in output) {
      if (options.allowUncreatable) continue;
      throw new OutputPathError(`${given.role} ${given.path}: ${output.blockedBy} is not a directory`);
    }
    if (output.stats && output.stats.isDirectory() !== Boolean(given.dir)) {
      const what = given.dir ? 'is a file, not a directory' : 'is a directory';
      throw new OutputPathError(`${given.role} ${given.path} ${what}`);
    }
    // The atomic write renames a temp file over the path: over a device or FIFO (/dev/stdout) that would replace
    // the device node itself.
    if (output.stats && !given.dir && !output.stats.isFile()) {
      throw new OutputPathError(
        `${given.role} ${given.path} is not a regular file (a device, FIFO or socket)`,
      );
    }
    inputs.check(output);
    for (const key of [output.entry, output.target, output.identity])
      if (key !== undefined) claim(key, given);
  }
}

/**
 * Refuse outputs that a command places under `dir` itself (the batch form of min-core-btf mirrors a snapshot's
 * layout there) when a directory between `dir` and the output is a symbolic link, dangling or not: the files would
 * be written wherever it leads, outside `dir`. (`dir` itself, and the directories above it, are the user's
 * choice; an output file that is a link is replaced by the atomic write, never written through.) Throws
 * {@link OutputPathError} naming the output and the link.
 */
export function refuseLinksUnder(dir: GuardedPath, outputs: readonly GuardedPath[]): void {
  const root = resolve(dir.path);
  const linkOf = new Map<string, string | undefined>();
  for (const given of outputs) {
    const parts = relative(root, resolve(given.path)).split(sep).slice(0, -1);
    for (let i = 1; i <= parts.length; i++) {
      const at = join(root, ...parts.slice(0, i));
      let link = linkOf.get(at);
      if (!linkOf.has(at)) {
        link = linkTarget(at);
        linkOf.set(at, link);
      }
      if (link === '') break; // nothing there: the write creates real directories from here on
      if (link !== undefined) {
        throw new OutputPathError(
          `${given.role} ${given.path}: ${join(dir.path, ...parts.slice(0, i))} is a symbolic link (to ${link}): refusing to write through it out of the ${dir.role} ${dir.path}`,
        );
      }
    }
  }
}

/** What the link at `path` points to; undefined when `path` is no link, '' when nothing can be there. */
function linkTarget(path: string): string | undefined {
  try {
    const stats = lstatSync(path, { throwIfNoEntry: false });
    if (!stats) return '';
    return stats.isSymbolicLink() ? readlinkSync(path) : undefined;
  } catch {
    return ''; // a file on the way (ENOTDIR): the write fails on its own, see CheckOutputsOptions
  }
}
