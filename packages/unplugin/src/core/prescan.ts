/**
 * The dev server's guess of the objects an app imports. A dev server generates `virtual:btf-bundle` before the
 * app's `.bpf.o` imports are seen, so it builds the first bundle for the objects it finds under the root; the real
 * imports replace that guess as soon as one is seen. A guess must never fail the dev server nor drag in stray files.
 */
import { basename, relative } from 'node:path';
import { expandObjectGlobs, parseBpfObject } from '@btf-bundle/core';
import { readObjectFile } from '@btf-bundle/core/internal';
import { hash8 } from './codegen.js';

/** Where {@link guessObjects} looks and what it must not collide with. */
export interface GuessOptions {
  /** Directories not searched (absolute): the bundler's output dirs, the cache dir, the snapshot. */
  skip: readonly string[];
  /** Objects the build takes anyway (the `objects` globs' files): a guess may not share a name with another one. */
  taken: readonly string[];
}

/** Whether `path` (holding `bytes`) is a copy the plugin emitted next to an output: `<stem>-<its hash8>.bpf.o`. */
const isEmittedCopy = (path: string, bytes: Uint8Array): boolean =>
  basename(path).endsWith(`-${hash8(bytes)}.bpf.o`);

/** The path of `file` if it is a BPF object with BTF that the plugin did not emit, else undefined. */
async function candidate(root: string, file: string): Promise<string | undefined> {
  const bytes = await readObjectFile(file).catch(() => undefined); // a FIFO, a device, ...: no guess
  if (!bytes || isEmittedCopy(file, bytes)) return undefined;
  try {
    parseBpfObject(bytes, relative(root, file));
    return file;
  } catch {
    return undefined; // not an object the app can import: no guess
  }
}

/**
 * Every `.bpf.o` under `root` that may be one the app imports: outside node_modules, dot-directories and
 * `opts.skip`; a BPF object with BTF; not a copy the plugin emitted (`dist/probe-c1179549.bpf.o`, whatever the
 * output dir); and named like no other guess nor object of `opts.taken` (objects are named by their file name in
 * the bundle, so two of one name fail a build). Sorted.
 */
export async function guessObjects(root: string, opts: GuessOptions): Promise<string[]> {
  const files = await expandObjectGlobs(['**/*.bpf.o'], root, {
    allowUnmatched: true,
    ignore: ['**/node_modules/**'],
    ignoreDirs: opts.skip,
  }).catch(() => []); // a directory that cannot be listed: no guess rather than a failed dev server
  const found = (await Promise.all(files.map((f) => candidate(root, f)))).filter((f) => f !== undefined);
  const byName = new Map<string, Set<string>>();
  for (const path of [...found, ...opts.taken]) {
    const name = basename(path);
    byName.set(name, (byName.get(name) ?? new Set()).add(path));
  }
  return found.filter((path) => byName.get(basename(path))?.size === 1);
}
