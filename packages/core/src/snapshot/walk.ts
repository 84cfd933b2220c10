import type { Dirent, Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** File name suffixes of kernel BTFs in a BTFHub archive, longest first. */
export const KERNEL_SUFFIXES = ['.btf.tar.xz', '.btf'] as const;

/** Directory levels above a kernel file: `<distro>/<version>/<arch>/`. */
const KERNEL_DEPTH = 3;

/** Options of {@link walkSnapshot}. */
export interface WalkOptions {
  /** Follow symbolic links whose target lies outside the snapshot (default: they are reported and skipped). */
  followLinksOut?: boolean;
}

/** A path of the snapshot with why it was not used. */
export interface WalkProblem {
  /** Absolute path as seen through the snapshot dir. */
  path: string;
  /** What is wrong with it. */
  reason: string;
}

/** What {@link walkSnapshot} found. */
export interface SnapshotWalk {
  /** Paths relative to the snapshot (`/`-separated) of the regular files in kernel position, sorted. */
  files: string[];
  /** Directories that could not be listed: the kernels under them are lost. */
  unreadable: WalkProblem[];
  /** Entries passed over: special files, dangling links, links out of the snapshot, directory loops. */
  skipped: WalkProblem[];
}

/** Whether `name` ends in a kernel BTF suffix. */
export function hasKernelSuffix(name: string): boolean {
  return KERNEL_SUFFIXES.some((s) => name.endsWith(s));
}

/** The kind of a non-regular, non-directory file, for messages. */
function describeSpecial(info: Stats | Dirent): string {
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/**
 * Walk a BTFHub-layout snapshot dir (`<distro>/<version>/<arch>/<release>.btf[.tar.xz]`) without opening a file.
 * The walk goes no deeper than kernel files, lists each real directory once (a link back to a directory already
 * walked, such as `x86_64/loop -> ..`, is reported, not entered; real directories are walked before links, so a
 * link never takes the place of the directory it points to), follows links only inside the snapshot unless
 * `followLinksOut`, and keeps only regular files in kernel position: FIFOs, sockets, devices, dangling links and
 * links out are reported in `skipped`, never opened. Directories it cannot list are reported in `unreadable` and
 * the rest of the snapshot is still walked. Entries are visited in name order, so the result is deterministic.
 */
export async function walkSnapshot(root: string, options: WalkOptions = {}): Promise<SnapshotWalk> {
  const rootReal = await realpath(root);
  const out: SnapshotWalk = { files: [], unreadable: [], skipped: [] };
  const walked = new Set<string>([rootReal]);
  const inside = (real: string) => real === rootReal || real.startsWith(rootReal + sep);

  /** The target of the link at `path`, or undefined (reported) when it must not be followed. */
  async function followLink(path: string): Promise<{ real: string; info: Stats } | undefined> {
    const target = await Promise.all([realpath(path), stat(path)]).catch((err: NodeJS.ErrnoException) => err);
    if (!Array.isArray(target)) {
      out.skipped.push({
        path,
        reason: `dangling or unreadable symbolic link (${target.code ?? target.message})`,
      });
      return undefined;
    }
    const [real, info] = target;
    if (!inside(real) && !options.followLinksOut) {
      out.skipped.push({
        path,
        reason: `symbolic link to ${real}, outside the snapshot (allow links out of the snapshot to follow it)`,
      });
      return undefined;
    }
    return { real, info };
  }

  /** Links met during the walk, followed once every real directory is walked. */
  const links: { path: string; depth: number }[] = [];

  async function visitDir(dir: string, depth: number): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      out.unreadable.push({ path: dir, reason: `cannot list directory (${e.code ?? e.message})` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (depth === KERNEL_DEPTH) {
        if (!hasKernelSuffix(entry.name)) continue;
        if (entry.isSymbolicLink()) links.push({ path, depth });
        else visitKernelFile(path, entry);
      } else if (entry.isSymbolicLink()) links.push({ path, depth });
      else if (entry.isDirectory()) await visitSubdir(path, await realpath(path).catch(() => path), depth);
      // other files above kernel level (README, ...) are not kernels
    }
  }

  async function visitSubdir(path: string, real: string, depth: number): Promise<void> {
    if (walked.has(real)) {
      out.skipped.push({
        path,
        reason: `directory ${real} is already walked (a link loop or a second link to it)`,
      });
      return;
    }
    walked.add(real);
    await visitDir(path, depth + 1);
  }

  /** Follow a link of the snapshot: to a kernel file at kernel level, to a directory above it. */
  async function visitLink(path: string, depth: number): Promise<void> {
    const target = await followLink(path);
    if (!target) return;
    if (depth === KERNEL_DEPTH) visitKernelFile(path, target.info);
    else if (target.info.isDirectory()) await visitSubdir(path, target.real, depth);
  }

  function visitKernelFile(path: string, info: Stats | Dirent): void {
    if (!info.isFile()) {
      out.skipped.push({ path, reason: `${describeSpecial(info)}, not a regular file: not read` });
      return;
    }
    out.files.push(relative(root, path).split(sep).join('/'));
  }

  // Real directories first, links after, each in walk order: a link never hides the directory it points to.
  await visitDir(root, 0);
  for (let i = 0; i < links.length; i++) {
    const link = links[i] as { path: string; depth: number };
    await visitLink(link.path, link.depth);
  }
  out.files.sort();
  return out;
}
