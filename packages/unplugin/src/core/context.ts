import { stat } from 'node:fs/promises';
import { basename, isAbsolute, posix, relative, resolve } from 'node:path';
import {
  type BuildStats,
  buildBundle,
  checkOutputs,
  expandObjectGlobs,
  GuardedInputs,
  UsageError,
  writeReportFiles,
} from '@btf-bundle/core';
import {
  ANY_ARCH,
  localSnapshotInputs,
  parseGitSnapshot,
  readBpfObjectFile,
  scanSnapshot,
} from '@btf-bundle/core/internal';
import type { EmitMode, ObjectGlobs, ResolvedOptions } from '../types.js';
import {
  type ChunkFormat,
  hash8,
  isVirtualId,
  locationExpression,
  objectModuleCode,
  parseObjectId,
  virtualModuleCode,
} from './codegen.js';
import { pluginError } from './errors.js';
import { noOutputDirError } from './output.js';
import {
  type Edit,
  findPlaceholders,
  needsBundle,
  type PlaceholderValues,
  placeholderEdits,
} from './placeholders.js';
import { guessObjects } from './prescan.js';

/** Where the plugin reports to: the bundler's warning channel and, where there is one, its logger. */
export interface Logger {
  /** Warnings (failed kernels, ...). */
  warn(message: string): void;
  /** The summary line. */
  info(message: string): void;
  /** Progress lines, where the bundler has a logger for them. */
  progress?(message: string): void;
}

/** A file to emit next to the output. */
export interface EmittedFile {
  /** Path relative to the output directory. */
  fileName: string;
  bytes: Uint8Array;
}

/** A `.bpf.o` the app imports. */
export interface ImportedObject {
  /** Absolute path of the source file. */
  path: string;
  /** Its bytes (validated as a BPF object with BTF and .BTF.ext). */
  bytes: Uint8Array;
  /** Name of its emitted copy (`<stem>-<sha256 prefix>.bpf.o`), for `?path` imports. */
  fileName: string;
  /** Whether it was imported with `?path` (so its copy is emitted). */
  emitted: boolean;
}

/** A module the plugin generated. */
export interface GeneratedModule {
  /** Its code, with placeholders. */
  code: string;
  /** The source file, for a `.bpf.o` module. */
  sourcePath?: string;
  /**
   * For `virtual:btf-bundle`: the snapshot directories (every one the scan listed, the snapshot first). A kernel
   * file added or removed changes the listing of one of them, for a watcher that watches directory listings
   * (esbuild's `watchDirs`).
   */
  watchDirs?: string[];
}

/** Whether `path` is `dir` or lies under it (both absolute). */
function isWithin(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return !rel.startsWith('..') && !isAbsolute(rel);
}

/** A finished bundle build: the placeholders' values and the build's totals. */
export interface FinalBundle extends PlaceholderValues {
  /** Build totals. */
  stats: BuildStats;
}

/** `work`, its failure turned into the plugin's one-line error (see {@link pluginError}). */
const reported = <T>(work: Promise<T>): Promise<T> =>
  work.catch((err: unknown) => {
    throw pluginError(err);
  });

const kib = (n: number): string => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`);

/** The one-line summary printed at the end of a build. */
function summaryLine(stats: BuildStats): string {
  const k = stats.kernels;
  const failed = k.failed > 0 ? `, ${k.failed} failed` : '';
  const skipped = k.skipped > 0 ? `, ${k.skipped} skipped` : '';
  return (
    `btf-bundle: ${k.covered}/${k.total} kernels${failed}${skipped}, ${stats.distinctBlobs} distinct BTFs, ` +
    `${kib(stats.bundleBytes)} bundle, ${Math.round(stats.ms)} ms, ${stats.cacheHits} cache hits`
  );
}

/**
 * The state one plugin instance shares across the hooks of one bundler: the options, the `.bpf.o` files the
 * app imported, and the bundle of the current build (built once per build, on first demand, after every module
 * was loaded; a dev server, which has no builds, forgets it when one of its inputs changes).
 */
export class BuildContext {
  readonly options: ResolvedOptions;
  /** Directory relative paths are resolved against. */
  root: string;
  /** The bundler's output directories (absolute), which the dev server's guess of the objects skips. */
  private outDirs: string[] = [];
  private readonly imported = new Map<string, ImportedObject>();
  /**
   * A dev server's guess of the imported objects (see {@link prescanObjects}), used until one is imported; then
   * the imports alone count, also when the app stops importing every object.
   */
  private guessed: string[] | undefined;
  /** Every file the `objects` globs have matched (one that no longer does only costs a rebuild when it changes). */
  private readonly matched = new Set<string>();
  /** Paths of the objects loaded since the current build started (see {@link loadedThisBuild}). */
  private readonly loadedSinceStart = new Set<string>();
  /** The bundle of the current build, and the objects it is built for (sorted, as a key). */
  private current: { objects: string; bundle: Promise<FinalBundle> } | undefined;

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.root = resolve(options.root ?? process.cwd());
  }

  /**
   * Uses the bundler's root for relative paths unless the user set `root`, and knows the bundler's output
   * directories (relative to that root or absolute).
   */
  setBundlerDirs(root: string, outDirs: readonly string[]): void {
    if (this.options.root === undefined) this.root = resolve(root);
    this.outDirs = outDirs.map((dir) => resolve(root, dir));
  }

  /**
   * Knows the output directories of a bundler with no root of its own (absolute, or relative to the working
   * directory): the build refuses a cache dir inside one (see {@link guardCacheDir}).
   */
  setOutputDirs(outDirs: readonly string[]): void {
    this.outDirs = outDirs.map((dir) => resolve(dir));
  }

  /**
   * Refuses a cache dir that is, or lies inside, an output directory: the cache's files would ship with the app
   * (and a bundler that empties its output directory would empty the cache). An output directory that holds the
   * root (esbuild's `outfile: 'main.js'`) is the project, not a directory that ships: the default cache dir is
   * inside it.
   */
  private guardCacheDir(): void {
    const cacheDir = this.cacheDir();
    if (cacheDir === false) return;
    for (const outDir of this.outDirs) {
      if (isWithin(this.root, outDir) || !isWithin(cacheDir, outDir)) continue;
      const where = cacheDir === outDir ? 'is' : 'lies inside';
      throw new UsageError(
        `unplugin-btf-bundle: cacheDir ${cacheDir} ${where} the output directory ${outDir}: the cache would ship with the app`,
      );
    }
  }

  /** `path` made absolute against the root. */
  path(path: string): string {
    return isAbsolute(path) ? path : resolve(this.root, path);
  }

  /** The snapshot as `buildBundle` takes it: a directory made absolute, or a `git+<url>[#ref]` remote as given. */
  snapshot(): { dir?: string; spec: string } {
    const { snapshot } = this.options;
    if (parseGitSnapshot(snapshot)) return { spec: snapshot };
    const dir = this.path(snapshot);
    return { dir, spec: dir };
  }

  /** Starts a (re)build: forgets the previous bundle and checks that a snapshot directory exists. */
  startBuild(): Promise<void> {
    return reported(this.start());
  }

  private async start(): Promise<void> {
    this.current = undefined;
    this.loadedSinceStart.clear();
    const { dir } = this.snapshot();
    if (dir === undefined) return; // a git remote: the build fetches it, or says why it cannot
    const info = await stat(dir).catch(() => undefined);
    if (!info) throw new UsageError(`unplugin-btf-bundle: snapshot directory ${dir} does not exist`);
    if (!info.isDirectory()) throw new UsageError(`unplugin-btf-bundle: snapshot ${dir} is not a directory`);
  }

  /**
   * Refuses, before the build, a `reportHtml` that the CLI would refuse as its `--report-html` (core's output
   * guard): one of the `objects` or a file of the snapshot (or inside it: each build would start the next one in
   * watch mode), the cache dir, a device, FIFO or socket (the atomic write would rename a file over it), or the
   * name of an open descriptor (`/dev/stderr`).
   */
  private async guardReport(objects: readonly string[]): Promise<void> {
    const { reportHtml, include, exclude } = this.options;
    if (reportHtml === undefined) return;
    const { dir } = this.snapshot();
    const cacheDir = this.cacheDir();
    const inputs = new GuardedInputs([
      ...(dir === undefined ? [] : await localSnapshotInputs({ snapshot: dir, include, exclude })),
      ...objects.map((path) => ({ role: 'object', path })),
    ]);
    checkOutputs(
      [
        { role: 'reportHtml', path: this.path(reportHtml) },
        ...(cacheDir ? [{ role: 'cacheDir', path: cacheDir, dir: true }] : []),
      ],
      inputs,
    );
  }

  /** The build cache directory (absolute), or false. */
  private cacheDir(): string | false {
    const { cacheDir } = this.options;
    return cacheDir === false ? false : this.path(cacheDir ?? 'node_modules/.cache/btf-bundle');
  }

  /** The scan of a snapshot directory with the `include`/`exclude` globs, as the build scans it; none for a remote. */
  private async scan(): Promise<{ kernels: string[]; dirs: string[] }> {
    const { dir } = this.snapshot();
    if (dir === undefined) return { kernels: [], dirs: [] }; // a git checkout in the cache dir: not the user's files
    const { include, exclude } = this.options;
    const scan = await reported(scanSnapshot(dir, { include, exclude }));
    return { kernels: scan.kernels.map((k) => k.path), dirs: scan.dirs };
  }

  /**
   * What the virtual module depends on besides the imported objects, from one scan: as files, the snapshot
   * directory (a watcher that watches a directory with what is under it, as rollup's and vite's do, sees kernel
   * files added and removed), each kernel file the globs select and each file the `objects` globs match; and the
   * directories the scan listed (see {@link GeneratedModule.watchDirs}).
   */
  private async watchInputs(): Promise<{ files: string[]; dirs: string[] }> {
    const { dir } = this.snapshot();
    const objects = (await reported(this.globbedObjects())).flatMap(([, files]) => files);
    const { kernels, dirs } = await this.scan();
    return { files: [...(dir === undefined ? [] : [dir]), ...kernels, ...objects], dirs };
  }

  /**
   * Reads and validates an imported `.bpf.o` (errors name the file) and adds it to the minimization set (a bundle
   * built with its former bytes is forgotten).
   */
  private async importObject(file: string, asPath: boolean): Promise<ImportedObject> {
    const path = this.path(file);
    const { bytes } = await readBpfObjectFile(path, relative(this.root, path) || path);
    const previous = this.imported.get(path);
    const fileName = `${basename(path, '.bpf.o')}-${hash8(bytes)}.bpf.o`;
    const object = { path, bytes, fileName, emitted: asPath || previous?.emitted === true };
    this.imported.set(path, object);
    this.loadedSinceStart.add(path);
    if (previous && previous.fileName !== fileName) this.current = undefined;
    return object;
  }

  /**
   * The code of a module the plugin generates (`virtual:btf-bundle` or a `.bpf.o`), placeholders included, or
   * undefined for any other id; `watch` receives the files it depends on. `emit` overrides the option (a dev
   * server always inlines).
   */
  loadModule(
    id: string,
    watch: (file: string) => void,
    emit: EmitMode = this.options.emit,
  ): Promise<GeneratedModule | undefined> {
    return reported(this.generate(id, watch, emit));
  }

  private async generate(
    id: string,
    watch: (file: string) => void,
    emit: EmitMode,
  ): Promise<GeneratedModule | undefined> {
    if (isVirtualId(id)) {
      const { files, dirs } = await this.watchInputs();
      for (const file of files) watch(file);
      return { code: virtualModuleCode(emit, this.options.runtime), watchDirs: dirs };
    }
    const ref = parseObjectId(id);
    if (!ref) return undefined;
    watch(this.path(ref.file));
    const object = await this.importObject(ref.file, ref.kind === 'path');
    return { code: objectModuleCode(ref.kind, object.bytes, object.fileName), sourcePath: object.path };
  }

  /**
   * Whether the object at `path` was loaded during the current build: the live set for a bundler that loads
   * every module again on each rebuild (esbuild) and has no module graph to ask. An object the app stopped
   * importing then leaves the bundle at the next rebuild.
   */
  loadedThisBuild(path: string): boolean {
    return this.loadedSinceStart.has(path);
  }

  /**
   * For a dev server, which generates `virtual:btf-bundle` before the app's `.bpf.o` imports are seen: until one
   * is seen, the bundle is built for a guess, the objects under the root that the app may import (see
   * `prescan.ts`: the output dirs, the cache dir and the snapshot are skipped, a guess never fails the build).
   * The first real import replaces the guess (the set changed: see {@link bundleChanged}).
   */
  private async prescanObjects(): Promise<void> {
    if (this.imported.size > 0 || this.guessed) return;
    const { dir } = this.snapshot();
    const cacheDir = this.cacheDir();
    const taken = (await this.globbedObjects()).flatMap(([, files]) => files);
    const skip = [...this.outDirs, ...(dir === undefined ? [] : [dir]), ...(cacheDir ? [cacheDir] : [])];
    this.guessed = await guessObjects(this.root, { skip, taken });
  }

  /** Whether `file` may change the bundle: a `.bpf.o`, a file the `objects` globs matched, or one under the snapshot. */
  private isInput(file: string): boolean {
    if (file.endsWith('.bpf.o') || this.matched.has(file)) return true;
    const { dir } = this.snapshot();
    return dir !== undefined && isWithin(file, dir);
  }

  /**
   * For a dev server: `file` was changed, added or removed. When the bundle may depend on it (see
   * {@link isInput}), the bundle is forgotten, so that the next load of the virtual module builds it again (from
   * the on-disk cache, for what did not change); returns whether it was.
   */
  fileChanged(file: string): boolean {
    if (!this.isInput(file)) return false;
    this.current = undefined;
    return true;
  }

  /** The paths of the objects imported so far, live or not. */
  importedPaths(): string[] {
    return [...this.imported.keys()];
  }

  /**
   * The objects a bundle is built for: the imported objects that `live` accepts (those the module graph still
   * holds), or a dev server's guess while none was imported. Sorted.
   */
  private bundleObjects(live: (path: string) => boolean): string[] {
    const imported = [...this.imported.keys()].filter(live);
    return (this.imported.size > 0 ? imported : (this.guessed ?? [])).sort();
  }

  /**
   * The bundle of the current build: minimizes the snapshot for {@link bundleObjects} plus the `objects` globs.
   * Built once per build and set of objects; warnings and the summary go to `logger`.
   */
  bundle(logger: Logger, live: (path: string) => boolean = () => true): Promise<FinalBundle> {
    const objects = this.bundleObjects(live);
    const key = objects.join('\0');
    if (this.current?.objects !== key)
      this.current = { objects: key, bundle: reported(this.build(logger, objects)) };
    return this.current.bundle;
  }

  /**
   * For a dev server: whether the set of objects (see {@link bundleObjects}) differs from the one of the bundle
   * built last, which the served virtual module holds. False when no bundle is kept (the next load builds one).
   */
  bundleChanged(live: (path: string) => boolean): boolean {
    return this.current !== undefined && this.current.objects !== this.bundleObjects(live).join('\0');
  }

  /**
   * The replacements of the placeholders in a rendered chunk of `format` whose path relative to the output
   * directory is `chunkFile` (builds the bundle on first need); undefined for an output without a directory,
   * where an emitted file's placeholder fails the build (see {@link noOutputDirError}).
   */
  async chunkEdits(
    code: string,
    format: ChunkFormat,
    chunkFile: string | undefined,
    logger: Logger,
    live?: (path: string) => boolean,
  ): Promise<Edit[]> {
    const found = findPlaceholders(code);
    if (found.length === 0) return [];
    const final = needsBundle(found) ? await this.bundle(logger, live) : undefined;
    const chunkDir = chunkFile === undefined ? undefined : posix.dirname(chunkFile.replaceAll('\\', '/'));
    return placeholderEdits(found, final, (file) => {
      if (chunkDir === undefined) throw noOutputDirError();
      return locationExpression(format, posix.relative(chunkDir, file));
    });
  }

  /**
   * The replacements of the placeholders in a module served by a dev server (no output): the bundle of the
   * imported objects that `live` accepts (those the app imports now), inlined, and emitted files located at their
   * source (`sourcePath`).
   */
  async devEdits(
    code: string,
    logger: Logger,
    live: (path: string) => boolean,
    sourcePath?: string,
  ): Promise<Edit[]> {
    const found = findPlaceholders(code);
    if (!needsBundle(found)) return placeholderEdits(found, undefined, () => JSON.stringify(sourcePath));
    await reported(this.prescanObjects());
    return placeholderEdits(found, await this.bundle(logger, live), () => JSON.stringify(sourcePath));
  }

  /** Files to emit next to the output: the bundle (emit 'asset', once built) and the objects imported with `?path`. */
  async emittedFiles(live: (path: string) => boolean = () => true): Promise<EmittedFile[]> {
    const files = [...this.imported.values()]
      .filter((o) => o.emitted && live(o.path))
      .map((o) => ({ fileName: o.fileName, bytes: o.bytes }));
    if (this.options.emit === 'asset' && this.current) {
      const final = await this.current.bundle;
      files.push({ fileName: final.fileName, bytes: final.bytes });
    }
    return files;
  }

  /** The files the `objects` globs match, per arch (remembered: see {@link isInput}). */
  private async globbedObjects(): Promise<[string, string[]][]> {
    const objects: ObjectGlobs = this.options.objects;
    const lists = Array.isArray(objects) ? [[ANY_ARCH, objects] as const] : Object.entries(objects);
    const globbed = await Promise.all(
      lists.map(async ([arch, globs]): Promise<[string, string[]]> => {
        return [arch, await expandObjectGlobs(globs ?? [], this.root)];
      }),
    );
    for (const [, files] of globbed) for (const file of files) this.matched.add(file);
    return globbed;
  }

  private async build(logger: Logger, imported: string[]): Promise<FinalBundle> {
    const globbed = await this.globbedObjects();
    // imported objects apply to every arch: the engine's '*' list
    const union = (...lists: string[][]) => [...new Set(lists.flat())].sort();
    const objects = Array.isArray(this.options.objects)
      ? union(imported, globbed[0]?.[1] ?? [])
      : {
          ...Object.fromEntries(
            globbed.map(([arch, files]) => [arch, files.filter((f) => !imported.includes(f))]),
          ),
          [ANY_ARCH]: union(imported, globbed.find(([arch]) => arch === ANY_ARCH)?.[1] ?? []),
        };
    const all = Array.isArray(objects) ? objects : Object.values(objects).flat();
    if (all.length === 0) {
      throw new UsageError('unplugin-btf-bundle: no .bpf.o objects: import one or set the `objects` option');
    }
    this.guardCacheDir();
    await this.guardReport(all);
    const { include, exclude, failOn, mode, workers } = this.options;
    let lastProgress = performance.now();
    const result = await buildBundle({
      snapshot: this.snapshot().spec,
      objects,
      cwd: this.root,
      cacheDir: this.cacheDir(),
      failOn,
      mode,
      ...(include ? { include } : {}),
      ...(exclude ? { exclude } : {}),
      ...(workers ? { workers } : {}),
      onWarning: (message) => logger.warn(message),
      onProgress: ({ done, total }) => {
        const now = performance.now();
        if (done < total && now - lastProgress < 1000) return;
        lastProgress = now;
        logger.progress?.(`btf-bundle: ${done}/${total} kernels`);
      },
    });
    logger.info(summaryLine(result.stats));
    if (this.options.reportHtml)
      await writeReportFiles(result.report, { html: this.path(this.options.reportHtml) });
    return {
      bytes: result.bundle,
      manifest: result.manifest,
      fileName: `btf-bundle-${hash8(result.bundle)}.btfb`,
      stats: result.stats,
    };
  }
}
