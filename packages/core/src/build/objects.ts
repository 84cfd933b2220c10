import { fstatSync, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, isAbsolute, relative, resolve, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { archOfBpfTarget } from '@btf-bundle/runtime/internal';
import type { BuildCache } from '../cache/cache.js';
import { FileSource } from '../elf/file.js';
import { FormatError, UsageError } from '../errors.js';
import { type BpfObject, parseBpfObject } from '../object.js';
import { relocationSignature } from '../object-signature.js';
import { errorMessage } from '../util/error-message.js';
import { checkGlob, fastGlob, isGlobPattern } from '../util/fast-glob.js';
import { type FileIdentity, fileIdentity, isRacy } from '../util/file-identity.js';
import { isOpened, openRegularFileSync, readRegularFile } from '../util/regular-file.js';
import { sha256Hex, sha256OfFile } from '../util/sha256.js';
import { describeNonUtf8Path, NON_UTF8_NAME } from '../util/utf8-names.js';
import type { ObjectsOption } from './types.js';

/** A `.bpf.o` file to minimize for. */
export interface ObjectFile {
  /** Base name, used in reports and the bundle. */
  name: string;
  /** Absolute path. */
  path: string;
  /**
   * The object parsed (see {@link readObject}), once read: an object whose hash a {@link FileHashIndex} vouched for
   * is read only when a build needs it ({@link readObjects}).
   */
  object?: BpfObject;
  /** Hex sha256 of the file's contents (recorded in the bundle to detect stale bundles). */
  sha256: string;
}

/** Remembered hashes of files by identity: the cache's file index. */
export type FileHashIndex = Pick<BuildCache, 'fileHash' | 'setFileHash'>;

/** The special arch of objects whose name does not pin one: they apply to every arch. */
export const ANY_ARCH = '*';

/**
 * The arch a bpf2go-style object name pins (`foo_x86_bpfel.o` → `x86_64`, `foo_arm64_bpfel.o` → `arm64`,
 * `foo_s390_bpfeb.o` → `s390x`, as the runtime names arches), or {@link ANY_ARCH} for any other name (including plain `foo_bpfel.o`).
 */
export function archOfObjectName(name: string): string {
  const m = /_([a-z0-9]+)_bpfe[lb]\.o$/.exec(basename(name));
  return (m && archOfBpfTarget(m[1] as string)) ?? ANY_ARCH;
}

/** How {@link expandObjectGlobs} treats globs. */
export interface ExpandOptions {
  /** A glob that matches no file gives none instead of an error. Default false. */
  allowUnmatched?: boolean;
  /** Globs of files to leave out (such as everything under `node_modules`). */
  ignore?: string[];
  /**
   * Directories (absolute) whose files are left out, their names taken literally; one that is `cwd` itself or lies
   * outside it leaves nothing out.
   */
  ignoreDirs?: readonly string[];
}

/** Why an object path that stat did not find is missing: it does not exist, or its name is not UTF-8. */
function missingReason(path: string): string {
  const nonUtf8 = describeNonUtf8Path(path);
  return nonUtf8 === undefined ? 'does not exist' : `is ${nonUtf8}: ${NON_UTF8_NAME}`;
}

/**
 * Expand object globs with fast-glob semantics (`*`, `**`, `?`, braces, classes) against `cwd`, returning sorted,
 * deduplicated absolute paths. A pattern without glob syntax is taken literally and must name a file; a glob must
 * match at least one file unless `allowUnmatched` (a plugin's objects may be imported instead); `ignore` globs
 * leave files out. Throws UsageError naming the pattern otherwise. Shared by the CLI and the plugin.
 */
export async function expandObjectGlobs(
  patterns: readonly string[],
  cwd = process.cwd(),
  opts: ExpandOptions = {},
): Promise<string[]> {
  const out = new Set<string>();
  for (const pattern of patterns) {
    // A longer pattern would make fast-glob build a regular expression V8 cannot compile and throw it from a stream
    // callback, out of reach of the caller; a brace explosion would fill the memory before matching.
    checkGlob(pattern, 'objects');
    if (!(await isGlobPattern(pattern))) {
      const path = resolve(cwd, pattern);
      const info = await stat(path).catch(() => undefined);
      if (!info) throw new UsageError(`objects: '${pattern}' ${missingReason(path)}`);
      if (!info.isFile()) throw new UsageError(`objects: '${pattern}' is not a file`);
      out.add(path);
      continue;
    }
    const fg = await fastGlob();
    const ignore = [...(opts.ignore ?? []), ...ignoredDirGlobs(fg.escapePath, cwd, opts.ignoreDirs ?? [])];
    const matches = await fg(pattern, { cwd, absolute: true, onlyFiles: true, ignore }).catch(
      (err: unknown) => {
        throw new UsageError(`objects: '${pattern}' is not a valid glob: ${errorMessage(err)}`);
      },
    );
    if (matches.length === 0 && !opts.allowUnmatched)
      throw new UsageError(`objects: '${pattern}' matches no file`);
    for (const m of matches) {
      const nonUtf8 = describeNonUtf8Path(m);
      if (nonUtf8 !== undefined)
        throw new UsageError(`objects: '${pattern}' matches ${nonUtf8}: ${NON_UTF8_NAME}`);
      out.add(resolve(m));
    }
  }
  return [...out].sort();
}

/** The globs (relative to `cwd`) of what lies under `dirs` inside `cwd`, each directory's name escaped literally. */
function ignoredDirGlobs(
  escapePath: (path: string) => string,
  cwd: string,
  dirs: readonly string[],
): string[] {
  return dirs
    .map((dir) => relative(cwd, dir))
    .filter((rel) => rel !== '' && !rel.startsWith('..') && !isAbsolute(rel))
    .map((rel) => `${escapePath(rel.split(sep).join('/'))}/**`);
}

/** The largest object read, in bytes: a clang-built `.bpf.o`, DWARF included, is a few MiB at most. */
export const MAX_OBJECT_BYTES = 256 * 1024 * 1024;

/**
 * The contents of the object at `path`, a regular file of at most {@link MAX_OBJECT_BYTES} (`readRegularFile`: a
 * FIFO, a device such as /dev/zero, or a special file that stat calls regular but whose reads wait, like
 * /proc/kmsg, is neither waited for nor read without end); a UsageError naming it when it cannot be read.
 */
export async function readObjectFile(path: string): Promise<Uint8Array> {
  const bytes = await readRegularFile(path, { maxBytes: MAX_OBJECT_BYTES }).catch((err: unknown) => {
    throw unreadable(path, errorMessage(err));
  });
  if (!Buffer.isBuffer(bytes)) throw unreadable(path, refusal(bytes));
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
}

/** The UsageError of an object that cannot be read, saying `why`. */
const unreadable = (path: string, why: string) => new UsageError(`cannot read object ${path}: ${why}`);

/** Why the object file of these stats is refused: not a regular file, or larger than {@link MAX_OBJECT_BYTES}. */
const refusal = (stats: Stats) =>
  stats.isFile() ? `${stats.size} bytes, more than the ${MAX_OBJECT_BYTES} accepted` : 'not a regular file';

/** An object read for a build: parsed, and the SHA-256 of its whole file. */
interface ReadObject {
  object: BpfObject;
  sha256: string;
}

/**
 * The object at `path` for a build (named `name` in messages), through one descriptor of a regular file of at most
 * {@link MAX_OBJECT_BYTES}: parsed by positioned reads (the ELF's section table, symbols, program code, `.BTF` and
 * `.BTF.ext`, never its DWARF or relocations: see `readBpfObject`), and hashed by streaming the whole file through
 * one reused buffer, so that its size does not stay in memory. A file whose identity changed between the two
 * ends (written meanwhile), or whose last change is too recent for its identity to vouch for its contents
 * (`isRacy`), is read whole instead: its hash and its parse then come from the same bytes. A file that is no BPF
 * object because it was being written as it was read (as `cp` rewrites a file in place) is read again
 * once it has settled (see {@link rereadAfter}). A UsageError naming it when it cannot be read; a FormatError when
 * it is no BPF object.
 */
async function readObject(path: string, name: string): Promise<ReadObject> {
  return readSettled(path, () => readObjectOnce(path, name));
}

/**
 * The bytes of the BPF object at `path` (read whole, as {@link readObjectFile} reads it) and the object parsed from
 * them, named `name` in messages; read again once settled when it was being written as it was read (see
 * {@link rereadAfter}). A UsageError naming it when it cannot be read; a FormatError when it is no BPF object.
 */
export async function readBpfObjectFile(
  path: string,
  name: string,
): Promise<{ bytes: Uint8Array; object: BpfObject }> {
  return readSettled(path, async () => {
    // Taken before the read: a change after it is a change, which is all that a read again needs.
    const stats = await stat(path, { bigint: true }).catch((err: unknown) => {
      throw unreadable(path, errorMessage(err));
    });
    const bytes = await readObjectFile(path);
    return {
      result: formatErrorOf(() => ({ bytes, object: parseBpfObject(bytes, name) })),
      identity: fileIdentity(stats),
    };
  });
}

/** One read of an object file: what it gave or the FormatError it met, and the identity of the file read. */
interface ObjectRead<T> {
  result: T | FormatError;
  identity: FileIdentity;
}

/**
 * What `readOnce` gives for the object at `path`: a read that meets a FormatError is made again when the file was
 * being written (see {@link rereadAfter}), at most {@link MAX_OBJECT_READS} reads in all; else the FormatError
 * is thrown, or after the last read a UsageError saying that the file kept changing.
 */
async function readSettled<T>(path: string, readOnce: () => Promise<ObjectRead<T>>): Promise<T> {
  for (let read = 1; ; read++) {
    const { result, identity } = await readOnce();
    if (!(result instanceof FormatError)) return result;
    if (!(await rereadAfter(path, identity))) throw result;
    if (read === MAX_OBJECT_READS)
      throw unreadable(
        path,
        `it changed while it was read, ${MAX_OBJECT_READS} times (is it still being written?); ` +
          `the last read: ${result.message}`,
      );
  }
}

/** How many times {@link readSettled} reads an object that keeps changing as it is read. */
const MAX_OBJECT_READS = 3;
/** How long {@link rereadAfter} waits at most for a file to settle, and how often it looks. */
const SETTLE_LIMIT_MS = 1000;
const SETTLE_POLL_MS = 25;

/**
 * Whether an object that read as no BPF object (its identity `identity` when it was opened) is worth reading again:
 * once its last change lies safely in the past (`isRacy`; waited for at most {@link SETTLE_LIMIT_MS}), it is no
 * longer the file that was read (written, replaced or removed meanwhile). A file that did not change is refused at
 * once when its last change is old, else after it has settled.
 */
async function rereadAfter(path: string, identity: FileIdentity): Promise<boolean> {
  const until = Date.now() + SETTLE_LIMIT_MS;
  for (;;) {
    const statAtMs = Date.now();
    const stats = await stat(path, { bigint: true }).catch(() => undefined);
    if (!stats) return true; // gone: the next read says so
    if (!isRacy(stats, statAtMs) || statAtMs >= until) return fileIdentity(stats) !== identity;
    await sleep(SETTLE_POLL_MS);
  }
}

/**
 * One read of the object at `path` (see {@link readObject}): the object and its hash, or the FormatError of a file
 * that is no BPF object, with the identity of the file opened.
 */
async function readObjectOnce(path: string, name: string): Promise<ObjectRead<ReadObject>> {
  const statAtMs = Date.now();
  let opened: ReturnType<typeof openRegularFileSync>;
  try {
    opened = openRegularFileSync(path, { maxBytes: MAX_OBJECT_BYTES });
  } catch (err) {
    throw unreadable(path, errorMessage(err));
  }
  if (!isOpened(opened)) throw unreadable(path, refusal(opened));
  const { fd, stats } = opened;
  const source = new FileSource(path, { fd, size: stats.size });
  let identity: FileIdentity;
  try {
    const before = fstatSync(fd, { bigint: true });
    identity = fileIdentity(before);
    if (!isRacy(before, statAtMs)) {
      const result = formatErrorOf(() => ({
        object: parseBpfObject(source, name),
        sha256: sha256OfFile(fd, stats.size),
      }));
      // Unchanged meanwhile: the object and its hash, or its defect, are the file's.
      if (fileIdentity(fstatSync(fd, { bigint: true })) === identity) return { result, identity };
    }
  } finally {
    source.close();
  }
  const bytes = await readObjectFile(path);
  return {
    result: formatErrorOf(() => ({ object: parseBpfObject(bytes, name), sha256: sha256Hex(bytes) })),
    identity,
  };
}

/** What `read` returns, or the FormatError it throws (any other error is thrown on). */
function formatErrorOf<T>(read: () => T): T | FormatError {
  try {
    return read();
  } catch (err) {
    if (err instanceof FormatError) return err;
    throw err;
  }
}

/**
 * The object at `path` with its sha256: taken from `index` when the file's identity is the one recorded there
 * (then the file is not read), else read and hashed, and the hash recorded unless the identity is racy.
 */
async function load(path: string, index: FileHashIndex | undefined): Promise<ObjectFile> {
  const name = basename(path);
  let identity: FileIdentity | undefined;
  if (index) {
    const statAtMs = Date.now();
    const stats = await stat(path, { bigint: true }).catch(() => undefined);
    if (stats && !isRacy(stats, statAtMs)) identity = fileIdentity(stats);
    const known = identity && (await index.fileHash(path, identity));
    if (known) return { name, path, sha256: known };
  }
  const { object, sha256 } = await readObject(path, name);
  // Only a hint for the next build: one not written costs that build a read, nothing else.
  if (index && identity) await index.setFileHash(path, identity, sha256).catch(() => undefined);
  return { name, path, object, sha256 };
}

/**
 * Read the objects not read yet (see {@link ObjectFile.object}) and check them against their sha256. An object
 * that changed since it was hashed takes its new hash; returns whether any did (a fingerprint made from the old
 * hashes is then stale).
 */
export async function readObjects(files: Iterable<ObjectFile>): Promise<boolean> {
  let changed = false;
  for (const file of files) {
    if (file.object) continue;
    const { object, sha256 } = await readObject(file.path, file.name);
    file.object = object;
    if (sha256 !== file.sha256) {
      file.sha256 = sha256;
      changed = true;
    }
  }
  return changed;
}

/**
 * Resolve the objects option into objects per arch: a plain list is split by bpf2go names (unpinned names go
 * under {@link ANY_ARCH}); a record is taken as given. Each list is sorted by name; duplicate names within an
 * arch are a UsageError (reports and the bundle identify objects by name). With a file hash `index` (the cache's),
 * objects whose identity it knows are not read: {@link readObjects} reads them when a build needs them.
 */
export async function resolveObjects(
  option: ObjectsOption,
  cwd = process.cwd(),
  index?: FileHashIndex,
): Promise<Map<string, ObjectFile[]>> {
  const byArch = new Map<string, ObjectFile[]>();
  const add = (arch: string, file: ObjectFile): void => {
    const list = byArch.get(arch) ?? [];
    if (list.some((o) => o.name === file.name)) {
      throw new UsageError(`objects: two objects named '${file.name}' for arch ${arch}`);
    }
    list.push(file);
    byArch.set(arch, list);
  };
  const entries: [string | undefined, string[]][] = Array.isArray(option)
    ? [[undefined, option]]
    : Object.entries(option).map(([arch, list]) => [arch, list ?? []]);
  for (const [arch, patterns] of entries) {
    const paths = await expandObjectGlobs(patterns, cwd);
    // Loaded side by side (a warm build only stats each and reads its hash record), added (or failed) in path order.
    for (const loaded of await Promise.allSettled(paths.map((path) => load(path, index)))) {
      if (loaded.status === 'rejected') throw loaded.reason;
      add(arch ?? archOfObjectName(loaded.value.name), loaded.value);
    }
  }
  for (const list of byArch.values()) list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return byArch;
}

/** The objects that apply to kernels of `arch`: those pinned to it plus the unpinned ones. */
export function objectsForArch(byArch: Map<string, ObjectFile[]>, arch: string): ObjectFile[] {
  return [...(byArch.get(arch) ?? []), ...(arch === ANY_ARCH ? [] : (byArch.get(ANY_ARCH) ?? []))].sort(
    (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
}

const signatures = new WeakMap<ObjectFile, string>();

/**
 * `file` parsed (once per process: objects shared by several arches are not parsed again), named by its base name
 * as the report and the bundle name objects: messages and bytes do not depend on where the objects sit.
 */
export function parsedObject(file: ObjectFile): BpfObject {
  if (!file.object) throw new Error(`object ${file.path} is used before it is read`);
  return file.object;
}

/** The relocation signature of `file` (see {@link relocationSignature}), computed once per process. */
export function objectSignature(file: ObjectFile): string {
  let signature = signatures.get(file);
  if (signature === undefined) {
    signature = relocationSignature(parsedObject(file));
    signatures.set(file, signature);
  }
  return signature;
}
