/**
 * webpack and rspack (rspack implements webpack's plugin API): before the optimizations (minifier, source maps,
 * real content hash) run, the placeholders in every JS asset are replaced and the files emitted next to the output.
 * The snapshot directory is a context dependency of every compilation: a watcher sees kernel files added and
 * removed under it (the virtual module's load adds each kernel file as a file dependency).
 */
import { PLUGIN_NAME, RESOLVED_VIRTUAL_ID, RUNTIME_ID, VIRTUAL_ID } from '../core/codegen.js';
import type { BuildContext, Logger } from '../core/context.js';

/** What the plugin uses of the source objects of webpack-sources (webpack) and of its rspack port. */
export interface Source {
  source(): string | Buffer;
}

/** The part of a webpack or rspack compilation (with sources `S`) the plugin uses (both implement it). */
interface WebpackLikeCompilation<S extends Source> {
  outputOptions: { module?: boolean };
  hooks: {
    processAssets: { tapPromise(options: { name: string; stage: number }, fn: () => Promise<void>): void };
  };
  chunks: Iterable<{ files: Iterable<string> }>;
  fileDependencies: { has(path: string): boolean };
  contextDependencies: { add(path: string): void };
  warnings: Error[];
  errors: unknown[];
  getAsset(name: string): { source: S } | undefined;
  updateAsset(name: string, source: S): void;
  emitAsset(name: string, source: S): void;
  getLogger(name: string): { info(message: string): void };
}

/**
 * Where the summary line of a build goes: the compilation's log, which webpack's stats print, or the compiler's
 * infrastructure log (stderr by default), which rspack's CLI prints (its default stats print no compilation log).
 */
export type SummaryLog = 'compilation' | 'infrastructure';

/** The part of a webpack or rspack compiler (`Self`, with sources `S`) the plugin uses (both implement it). */
export interface WebpackLikeCompiler<Self, S extends Source> {
  options: { output: { module?: boolean | undefined; path?: string | undefined } };
  webpack: {
    ExternalsPlugin: new (
      type: 'module' | 'commonjs',
      externals: string[],
    ) => { apply(compiler: Self): void };
    Compilation: { PROCESS_ASSETS_STAGE_PRE_PROCESS: number };
    WebpackError: new (message: string) => Error;
    sources: {
      RawSource: new (source: Buffer) => S;
      ReplaceSource: new (source: S) => S & { replace(start: number, end: number, text: string): void };
    };
  };
  getInfrastructureLogger(name: string): { info(message: string): void };
  hooks: {
    thisCompilation: { tap(name: string, fn: (compilation: WebpackLikeCompilation<S>) => void): void };
    normalModuleFactory: {
      tap(
        name: string,
        fn: (factory: {
          hooks: { beforeResolve: { tap(name: string, fn: (data: { request: string }) => void): void } };
        }) => void,
      ): void;
    };
  };
}

/** Attaches the plugin's compiler hooks (`compiler` is webpack's or rspack's `Compiler`). */
export function attachWebpackLike<C extends WebpackLikeCompiler<C, S>, S extends Source>(
  compiler: C,
  context: BuildContext,
  summaryLog: SummaryLog,
): void {
  const { Compilation, WebpackError, sources } = compiler.webpack;
  if (context.options.runtimeModule === 'external') {
    const type = compiler.options.output.module ? 'module' : 'commonjs';
    new compiler.webpack.ExternalsPlugin(type, [RUNTIME_ID]).apply(compiler);
  }
  // webpack reads `virtual:` as a URI scheme before resolver plugins run: hand it the resolved id instead
  compiler.hooks.normalModuleFactory.tap(PLUGIN_NAME, (factory) => {
    factory.hooks.beforeResolve.tap(PLUGIN_NAME, (data) => {
      if (data.request === VIRTUAL_ID) data.request = RESOLVED_VIRTUAL_ID;
    });
  });
  compiler.hooks.thisCompilation.tap(PLUGIN_NAME, (compilation) => {
    const { path } = compiler.options.output;
    context.setOutputDirs(path === undefined ? [] : [path]);
    const { dir } = context.snapshot();
    if (dir !== undefined) compilation.contextDependencies.add(dir);
    const summary =
      summaryLog === 'compilation'
        ? compilation.getLogger(PLUGIN_NAME)
        : compiler.getInfrastructureLogger(PLUGIN_NAME);
    const logger: Logger = {
      warn: (message) => compilation.warnings.push(new WebpackError(message)),
      info: (message) => summary.info(message),
    };
    const live = (path: string) => compilation.fileDependencies.has(path);
    const format = compilation.outputOptions.module ? 'esm' : 'cjs';
    compilation.hooks.processAssets.tapPromise(
      { name: PLUGIN_NAME, stage: Compilation.PROCESS_ASSETS_STAGE_PRE_PROCESS },
      async () => {
        // a module failed (e.g. a bad .bpf.o): report that, not a bundle built without it
        if (compilation.errors.length > 0) return;
        for (const chunk of compilation.chunks) {
          for (const file of chunk.files) {
            const asset = compilation.getAsset(file);
            if (!asset || !/\.[cm]?js$/.test(file)) continue;
            const edits = await context.chunkEdits(
              asset.source.source().toString(),
              format,
              file,
              logger,
              live,
            );
            if (edits.length === 0) continue;
            const replaced = new sources.ReplaceSource(asset.source);
            for (const e of edits) replaced.replace(e.start, e.end - 1, e.text);
            compilation.updateAsset(file, replaced);
          }
        }
        for (const emitted of await context.emittedFiles(live)) {
          compilation.emitAsset(emitted.fileName, new sources.RawSource(Buffer.from(emitted.bytes)));
        }
      },
    );
  });
}
