import { join, relative, sep } from 'node:path';
import type FastGlob from 'fast-glob';
import { UsageError } from '../errors.js';
import { errorMessage } from '../util/error-message.js';
import { checkGlob, fastGlob } from '../util/fast-glob.js';

/** A file or directory of the in-memory tree, shaped like the `fs.Dirent`/`fs.Stats` that fast-glob reads. */
class TreeEntry {
  constructor(
    readonly name: string,
    private readonly directory: boolean,
  ) {}
  isFile(): boolean {
    return !this.directory;
  }
  isDirectory(): boolean {
    return this.directory;
  }
  isSymbolicLink(): boolean {
    return false;
  }
  isBlockDevice(): boolean {
    return false;
  }
  isCharacterDevice(): boolean {
    return false;
  }
  isFIFO(): boolean {
    return false;
  }
  isSocket(): boolean {
    return false;
  }
}

type Callback<T> = (err: NodeJS.ErrnoException | null, value?: T) => void;

function notFound(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOENT: no such file or directory, '${path}'`), { code: 'ENOENT' });
}

/**
 * The paths of `files` (relative, `/`-separated) that match one of `include` and none of `exclude`, with
 * fast-glob's rules (braces, `?`, classes, `**`, no dot files, an excluded directory excludes what is under it).
 * fast-glob reads an in-memory tree of exactly these files instead of the disk, so the filter cannot see, follow
 * or block on anything the snapshot walk did not vet. Throws {@link UsageError} for an empty pattern, one that
 * {@link checkGlob} refuses, or one fast-glob cannot use.
 */
export async function filterPaths(
  files: readonly string[],
  include: string[],
  exclude: string[],
): Promise<string[]> {
  if ([...include, ...exclude].includes('')) throw new UsageError('an --include or --exclude glob is empty');
  for (const glob of include) checkGlob(glob, 'include');
  for (const glob of exclude) checkGlob(glob, 'exclude');
  const cwd = `${sep}snapshot`;
  const dirs = new Map<string, Map<string, TreeEntry>>([['', new Map()]]);
  for (const file of files) {
    const parts = file.split('/');
    let dir = '';
    parts.forEach((name, i) => {
      const isDir = i < parts.length - 1;
      dirs.get(dir)?.set(name, new TreeEntry(name, isDir));
      dir = dir === '' ? name : `${dir}/${name}`;
      if (isDir && !dirs.has(dir)) dirs.set(dir, new Map());
    });
  }
  const key = (path: string) => relative(cwd, path).split(sep).join('/');
  const lookup = (path: string): TreeEntry | undefined => {
    const rel = key(path);
    if (rel === '') return new TreeEntry('', true);
    const at = rel.lastIndexOf('/');
    return dirs.get(at < 0 ? '' : rel.slice(0, at))?.get(rel.slice(at + 1));
  };
  const statEntry = (path: string, cb: Callback<TreeEntry>) => {
    const entry = lookup(path);
    queueMicrotask(() => (entry ? cb(null, entry) : cb(notFound(path))));
  };
  const readdir = (path: string, _options: unknown, cb: Callback<TreeEntry[]>) => {
    const entries = dirs.get(key(path));
    queueMicrotask(() => (entries ? cb(null, [...entries.values()]) : cb(notFound(path))));
  };
  const fg = await fastGlob();
  const found = await fg(include, {
    cwd,
    ignore: exclude,
    onlyFiles: true,
    followSymbolicLinks: false,
    dot: false,
    fs: { lstat: statEntry, stat: statEntry, readdir } as unknown as FastGlob.FileSystemAdapter,
  }).catch((err: unknown) => {
    throw new UsageError(`include/exclude globs: ${errorMessage(err)}`);
  });
  return found.map((p) => key(join(cwd, p))).sort();
}

/**
 * The paths of `files` (relative, `/`-separated) that no glob filter leaves out: those without a dot file or
 * directory in them. For the files of a walk (kernel suffixes only) this is what {@link filterPaths} keeps with
 * the globs of every kernel suffix (the scan's default), without building a tree and matching it.
 */
export function withoutDotPaths(files: readonly string[]): string[] {
  return files.filter((file) => !file.startsWith('.') && !file.includes('/.'));
}
