import type { Dirent, Stats } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { describeFileKind } from '../util/regular-file.js';
import { escapeNonUtf8, NON_UTF8_NAME, strictUtf8 } from '../util/utf8-names.js';

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
  /**
   * The directories listed (absolute, as seen through the snapshot dir; the root first, then in walk order): a
   * kernel file added to or removed from the snapshot changes the listing of one of them.
   */
  dirs: string[];
  /**
   * Directories that could not be listed, and directories and kernel files whose names are not UTF-8 (see
   * `NON_UTF8_NAME`): the kernels under them are lost.
   */
  unreadable: WalkProblem[];
  /** Entries passed over: special files, dangling links, links out of the snapshot, directory loops. */
  skipped: WalkProblem[];
}

/** Whether `name` ends in a kernel BTF suffix. */
function hasKernelSuffix(name: string): boolean {
  return KERNEL_SUFFIXES.some((s) => name.endsWith(s));
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
  const walk: Walk = {
    root,
    rootReal,
    followLinksOut: options.followLinksOut ?? false,
    out: { files: [], dirs: [], unreadable: [], skipped: [] },
    walked: new Set<string>([rootReal]),
    links: [],
  };
  // Real directories first, links after, each in walk order: a link never hides the directory it points to.
  await visitDir(walk, root, 0);
  for (let i = 0; i < walk.links.length; i++) {
    const link = walk.links[i] as { path: string; depth: number };
    await visitLink(walk, link.path, link.depth);
  }
  walk.out.files.sort();
  return walk.out;
}

/** The state of one {@link walkSnapshot}. */
interface Walk {
  root: string;
  /** The snapshot dir's real path: links are followed only inside it (unless `followLinksOut`). */
  rootReal: string;
  followLinksOut: boolean;
  out: SnapshotWalk;
  /** Real paths of the directories walked, so none is walked twice. */
  walked: Set<string>;
  /** Links met during the walk, followed once every real directory is walked. */
  links: { path: string; depth: number }[];
}

/** The target of the link at `path`, or undefined (reported) when it must not be followed. */
async function followLink(walk: Walk, path: string): Promise<{ real: string; info: Stats } | undefined> {
  const target = await Promise.all([realpath(path), stat(path)]).catch((err: NodeJS.ErrnoException) => err);
  if (!Array.isArray(target)) {
    walk.out.skipped.push({
      path,
      reason: `dangling or unreadable symbolic link (${target.code ?? target.message})`,
    });
    return undefined;
  }
  const [real, info] = target;
  const inside = real === walk.rootReal || real.startsWith(walk.rootReal + sep);
  if (!inside && !walk.followLinksOut) {
    walk.out.skipped.push({
      path,
      reason: `symbolic link to ${real}, outside the snapshot (allow links out of the snapshot to follow it)`,
    });
    return undefined;
  }
  return { real, info };
}

/** Lists `dir` (at `depth` under the root) in name order: kernel files at kernel depth, directories above it. */
async function visitDir(walk: Walk, dir: string, depth: number): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await listDir(walk, dir, depth);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    walk.out.unreadable.push({ path: dir, reason: `cannot list directory (${e.code ?? e.message})` });
    return;
  }
  walk.out.dirs.push(dir);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (depth === KERNEL_DEPTH) {
      if (!hasKernelSuffix(entry.name)) continue;
      if (entry.isSymbolicLink()) walk.links.push({ path, depth });
      else visitKernelFile(walk, path, entry);
    } else if (entry.isSymbolicLink()) walk.links.push({ path, depth });
    else if (entry.isDirectory())
      await visitSubdir(walk, path, await realpath(path).catch(() => path), depth);
    // other files above kernel level (README, ...) are not kernels
  }
}

/**
 * The entries of `dir` (at `depth`), but those whose names are not UTF-8, reported in `unreadable` instead when they
 * could hold a kernel (a directory or link above kernel level, a kernel file name at it). Node gives such a name
 * with U+FFFD in place of the bytes: only a listing holding that character is listed again, as bytes, to tell them.
 */
async function listDir(walk: Walk, dir: string, depth: number): Promise<Dirent[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  if (!entries.some((e) => e.name.includes('\uFFFD'))) return entries;
  const valid = new Set<string>();
  for (const entry of await readdir(dir, { withFileTypes: true, encoding: 'buffer' })) {
    const name = strictUtf8(entry.name);
    if (name !== undefined) valid.add(name);
    else if (depth === KERNEL_DEPTH ? hasKernelSuffix(entry.name.toString()) : !entry.isFile())
      walk.out.unreadable.push({ path: join(dir, escapeNonUtf8(entry.name)), reason: NON_UTF8_NAME });
  }
  return entries.filter((e) => valid.has(e.name));
}

/** Walks a subdirectory unless its real path was walked already (reported then). */
async function visitSubdir(walk: Walk, path: string, real: string, depth: number): Promise<void> {
  if (walk.walked.has(real)) {
    walk.out.skipped.push({
      path,
      reason: `directory ${real} is already walked (a link loop or a second link to it)`,
    });
    return;
  }
  walk.walked.add(real);
  await visitDir(walk, path, depth + 1);
}

/** Follow a link of the snapshot: to a kernel file at kernel level, to a directory above it. */
async function visitLink(walk: Walk, path: string, depth: number): Promise<void> {
  const target = await followLink(walk, path);
  if (!target) return;
  if (depth === KERNEL_DEPTH) visitKernelFile(walk, path, target.info);
  else if (target.info.isDirectory()) await visitSubdir(walk, path, target.real, depth);
}

/**
 * `path` relative to the walk's root, `/`-separated. The walk joins every path to the root, so a cut of the
 * root's prefix gives it without `path.relative`'s resolving of both paths (thousands of files per build).
 */
function relativePath(walk: Walk, path: string): string {
  const prefix = walk.root.endsWith(sep) ? walk.root : walk.root + sep;
  const rel = path.startsWith(prefix) ? path.slice(prefix.length) : relative(walk.root, path);
  return sep === '/' ? rel : rel.split(sep).join('/');
}

/** Keeps a regular file in kernel position; reports anything else, never opened. */
function visitKernelFile(walk: Walk, path: string, info: Stats | Dirent): void {
  if (!info.isFile()) {
    walk.out.skipped.push({ path, reason: `${describeFileKind(info)}, not a regular file: not read` });
    return;
  }
  walk.out.files.push(relativePath(walk, path));
}
