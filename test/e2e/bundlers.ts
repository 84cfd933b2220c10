/** Builds the e2e fixture app with each real bundler through its JS API. */
import { cpSync, mkdirSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { rspack } from '@rspack/core';
import * as esbuild from 'esbuild';
import { type InputOptions, type OutputOptions, rollup, watch as rollupWatch } from 'rollup';
import btfBundle, { type BtfBundleOptions } from 'unplugin-btf-bundle';
import * as vite from 'vite';
import webpack from 'webpack';

/** The bundlers under test. */
export const BUNDLERS = ['vite', 'rollup', 'esbuild', 'webpack', 'rspack'] as const;
/** One of {@link BUNDLERS}. */
export type Bundler = (typeof BUNDLERS)[number];

/** A fixture build: where, with what, in which module format. */
export interface FixtureBuild {
  bundler: Bundler;
  /** Work directory: the fixture is copied to `<dir>/src`, the output goes to `<dir>/out`. */
  dir: string;
  format: 'esm' | 'cjs';
  plugin: BtfBundleOptions;
  /**
   * Receives the lines of the informational log that the bundler's CLI prints (vite's logger, rollup's `onLog`,
   * esbuild's stderr, webpack's stats and infrastructure log, rspack's infrastructure log), where the plugin's
   * summary line goes. Without it they are dropped.
   */
  log?: (line: string) => void;
}

const here = (path: string) => new URL(path, import.meta.url).pathname;
/** The repository root. */
export const REPO = here('../../');
/** Where the tests build (ignored by git). */
export const WORK = here('./dist/');
/** The sample snapshot, the plugin's `snapshot` option in the tests. */
export const SNAPSHOT = join(REPO, 'sample-snapshot');
/** The build cache the tests share, the plugin's `cacheDir` option. */
export const CACHE_DIR = join(WORK, '.cache');

/**
 * How long a watch build waits after a change for more changes before it builds (webpack's and rspack's
 * `aggregateTimeout`, rollup's and vite's `buildDelay`): a file written in more than one go starts one build.
 */
export const WATCH_DELAY_MS = 200;

/** A real-world object of the core corpus (`packages/core/testdata/<name>.bpf.o`). */
export const corpusObject = (name: string): string => join(REPO, 'packages/core/testdata', `${name}.bpf.o`);

/** Copies the fixture app with `object` as its `probe.bpf.o` into `<dir>/src`; returns the entry path. */
export function prepareFixture(dir: string, object: string): string {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'src'), { recursive: true });
  cpSync(here('./fixtures/app/main.js'), join(dir, 'src/main.js'));
  cpSync(object, join(dir, 'src/probe.bpf.o'));
  return join(dir, 'src/main.js');
}

/** The output entry of a build. */
export const outputEntry = (b: FixtureBuild): string =>
  join(b.dir, 'out', b.format === 'esm' ? 'main.mjs' : 'main.cjs');

const entryFileNames = (b: FixtureBuild) => (b.format === 'esm' ? '[name].mjs' : '[name].cjs');

function viteConfig(b: FixtureBuild, watch: boolean): vite.InlineConfig {
  return {
    root: b.dir,
    configFile: false,
    logLevel: 'silent',
    ...(b.log ? { customLogger: { ...vite.createLogger('silent'), info: b.log } } : {}),
    plugins: [btfBundle.vite(b.plugin)],
    build: {
      ssr: join(b.dir, 'src/main.js'),
      outDir: join(b.dir, 'out'),
      emptyOutDir: true,
      ...(watch ? { watch: { buildDelay: WATCH_DELAY_MS } } : {}),
      rollupOptions: {
        output: { format: b.format === 'esm' ? 'es' : 'cjs', entryFileNames: entryFileNames(b) },
      },
    },
  };
}

function rollupConfig(b: FixtureBuild): InputOptions & { output: OutputOptions } {
  return {
    input: { main: join(b.dir, 'src/main.js') },
    external: [/^node:/],
    plugins: [btfBundle.rollup(b.plugin)],
    onLog: (level, log) => {
      if (level === 'info') b.log?.(log.message);
    },
    output: {
      dir: join(b.dir, 'out'),
      format: b.format === 'esm' ? 'es' : 'cjs',
      entryFileNames: entryFileNames(b),
    },
  };
}

function esbuildConfig(b: FixtureBuild): esbuild.BuildOptions {
  return {
    entryPoints: { main: join(b.dir, 'src/main.js') },
    bundle: true,
    platform: 'node',
    format: b.format,
    outdir: join(b.dir, 'out'),
    outExtension: { '.js': b.format === 'esm' ? '.mjs' : '.cjs' },
    // the plugin prints its summary unless esbuild is silent (or logs errors only)
    logLevel: b.log ? 'warning' : 'silent',
    plugins: [btfBundle.esbuild(b.plugin)],
  };
}

/** A stream that hands each line written to it to `log`. */
function lineStream(log: (line: string) => void): Writable {
  return new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) log(line);
      done();
    },
  });
}

function webpackLikeConfig(b: FixtureBuild) {
  const esm = b.format === 'esm';
  return {
    mode: 'production' as const,
    target: 'node20' as const,
    context: b.dir,
    entry: { main: join(b.dir, 'src/main.js') },
    output: { path: join(b.dir, 'out'), filename: entryFileNames(b), module: esm, clean: true },
    infrastructureLogging: b.log
      ? { level: 'info' as const, stream: lineStream(b.log) }
      : { level: 'none' as const },
  };
}

interface StatsLike {
  hasErrors(): boolean;
  toString(options: { all: boolean; errors?: boolean; logging?: 'info' }): string;
}

/** What webpack's and rspack's compilers share for one run or for watching. */
interface WebpackLikeCompiler {
  hooks: { watchRun: { tap(name: string, fn: () => void): void } };
  run(cb: (err: Error | null, stats?: StatsLike) => void): void;
  close(cb: () => void): void;
  watch(
    options: object,
    handler: (err: Error | null, stats?: StatsLike) => void,
  ): { close(callback: () => void): void };
}

/** The webpack or rspack compiler of a fixture build (`b.bundler` is one of the two). */
function compilerFor(b: FixtureBuild): WebpackLikeCompiler {
  const compiler =
    b.bundler === 'webpack'
      ? webpack({
          ...webpackLikeConfig(b),
          experiments: { outputModule: b.format === 'esm' },
          plugins: [btfBundle.webpack(b.plugin)],
        })
      : rspack({ ...webpackLikeConfig(b), plugins: [btfBundle.rspack(b.plugin)] });
  return compiler as unknown as WebpackLikeCompiler;
}

/** The error of a webpack/rspack build: the callback's, or the stats' errors; undefined when it succeeded. */
function statsError(err: Error | null, stats?: StatsLike): Error | undefined {
  if (err) return err;
  if (stats?.hasErrors()) return new Error(stats.toString({ all: false, errors: true }));
  return undefined;
}

/** Runs a webpack/rspack compiler once; the informational lines of its stats' logging go to `log`. */
function runCompiler(compiler: WebpackLikeCompiler, log?: (line: string) => void) {
  return new Promise<void>((done, fail) => {
    compiler.run((err, stats) => {
      compiler.close(() => {
        const error = statsError(err, stats);
        if (error) return fail(error);
        if (log && stats) lineStream(log).end(stats.toString({ all: false, logging: 'info' }));
        done();
      });
    });
  });
}

/** Runs `build` with `console.error` (where the esbuild plugin prints its summary) going to `log`. */
async function withConsoleError<T>(log: ((line: string) => void) | undefined, build: () => Promise<T>) {
  if (!log) return build();
  const original = console.error;
  console.error = (...args: unknown[]) => log(args.join(' '));
  try {
    return await build();
  } finally {
    console.error = original;
  }
}

/** Builds the fixture; rejects with the bundler's error on failure. Returns the output entry. */
export async function buildFixture(b: FixtureBuild): Promise<string> {
  switch (b.bundler) {
    case 'vite':
      await vite.build(viteConfig(b, false));
      break;
    case 'rollup': {
      const { output, ...input } = rollupConfig(b);
      const bundle = await rollup(input);
      await bundle.write(output);
      await bundle.close();
      break;
    }
    case 'esbuild':
      await withConsoleError(b.log, () => esbuild.build(esbuildConfig(b)));
      break;
    case 'webpack':
    case 'rspack':
      // webpack's CLI prints its stats' logging; rspack's does not (only its infrastructure log is printed)
      await runCompiler(compilerFor(b), b.bundler === 'webpack' ? b.log : undefined);
      break;
  }
  return outputEntry(b);
}

/** A running watch build: `next()` resolves after the next successful rebuild. */
export interface Watching {
  next(): Promise<void>;
  /** How many builds (the first one included) have started so far, finished or not. */
  started(): number;
  close(): Promise<void>;
}

function eventQueue() {
  const waiting: ((error?: Error) => void)[] = [];
  const pending: (Error | undefined)[] = [];
  return {
    push(error?: Error) {
      const w = waiting.shift();
      if (w) w(error);
      else pending.push(error);
    },
    next: () =>
      new Promise<void>((done, fail) => {
        const settle = (error?: Error) => (error ? fail(error) : done());
        if (pending.length > 0) settle(pending.shift());
        else waiting.push(settle);
      }),
  };
}

/**
 * How far back {@link dateBack} sets the times of a fixture's files: more than the 2 s that webpack's and rspack's
 * watcher (watchpack) takes file times to be accurate to until it has seen a finer one.
 */
const SETTLED_AGE_MS = 10_000;

/**
 * Sets the access and modification times of `dir` and everything under it {@link SETTLED_AGE_MS} back. A watcher
 * that starts within its timestamp accuracy of a file's last write counts the file as changed and builds a second
 * time; a user's files are older than that when a watch starts, and so are the fixture's.
 */
function dateBack(dir: string): void {
  const then = new Date(Date.now() - SETTLED_AGE_MS);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) dateBack(path);
    else utimesSync(path, then, then);
  }
  utimesSync(dir, then, then); // last: writing the times of its entries does not change a directory's
}

/**
 * Starts a watch build with any of the bundlers, the fixture's files first dated back (see {@link dateBack}). The
 * first `next()` is the initial build.
 */
export async function watchFixture(b: FixtureBuild): Promise<Watching> {
  dateBack(b.dir);
  const queue = eventQueue();
  let starts = 0;
  const started = () => starts;
  if (b.bundler === 'esbuild') {
    const options = esbuildConfig(b);
    const signal: esbuild.Plugin = {
      name: 'signal',
      setup: (build) => {
        build.onStart(() => {
          starts++;
        });
        build.onEnd((r) => queue.push(r.errors.length ? new Error(r.errors[0]?.text) : undefined));
      },
    };
    const context = await esbuild.context({ ...options, plugins: [...(options.plugins ?? []), signal] });
    await context.watch();
    return { next: queue.next, started, close: () => context.dispose() };
  }
  if (b.bundler === 'webpack' || b.bundler === 'rspack') {
    const compiler = compilerFor(b);
    compiler.hooks.watchRun.tap('e2e', () => {
      starts++;
    });
    const watching = compiler.watch({ aggregateTimeout: WATCH_DELAY_MS }, (err, stats) =>
      queue.push(statsError(err, stats)),
    );
    return {
      next: queue.next,
      started,
      close: () => new Promise<void>((done) => watching.close(() => done())),
    };
  }
  type Watcher = {
    on(event: 'event', fn: (e: { code: string; error?: Error; result?: { close(): unknown } }) => void): void;
    close(): Promise<void> | void;
  };
  const watcher = (b.bundler === 'vite'
    ? await vite.build(viteConfig(b, true))
    : rollupWatch({ ...rollupConfig(b), watch: { buildDelay: WATCH_DELAY_MS } })) as unknown as Watcher;
  watcher.on('event', (e) => {
    if (e.code === 'START') starts++;
    if (e.code === 'BUNDLE_END') void e.result?.close();
    if (e.code === 'END') queue.push();
    if (e.code === 'ERROR') queue.push(e.error);
  });
  return { next: queue.next, started, close: async () => watcher.close() };
}
