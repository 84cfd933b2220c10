import { RESOLVED_VIRTUAL_ID, VIRTUAL_ID } from '../codegen.js';
import type { Logger, Session } from '../session.js';

/** The source objects of webpack-sources (webpack) and its rspack port that the plugin uses. */
interface Source {
  source(): string | Buffer;
}

/** The part of a webpack or rspack compilation the plugin uses (both implement it). */
interface WebpackLikeCompilation {
  outputOptions: { module?: boolean };
  hooks: {
    processAssets: { tapPromise(options: { name: string; stage: number }, fn: () => Promise<void>): void };
  };
  chunks: Iterable<{ files: Iterable<string> }>;
  fileDependencies: { has(path: string): boolean };
  warnings: Error[];
  errors: unknown[];
  getAsset(name: string): { source: Source } | undefined;
  updateAsset(name: string, source: Source): void;
  emitAsset(name: string, source: Source): void;
  getLogger(name: string): { info(message: string): void };
}

/** The part of a webpack or rspack compiler the plugin uses (both implement it). */
export interface WebpackLikeCompiler {
  webpack: {
    Compilation: { PROCESS_ASSETS_STAGE_PRE_PROCESS: number };
    WebpackError: new (message: string) => Error;
    sources: {
      RawSource: new (source: Buffer) => Source;
      ReplaceSource: new (
        source: Source,
      ) => Source & { replace(start: number, end: number, text: string): void };
    };
  };
  hooks: {
    thisCompilation: { tap(name: string, fn: (compilation: WebpackLikeCompilation) => void): void };
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

const NAME = 'unplugin-btf-bundle';

/**
 * webpack and rspack: before the optimizations (minifier, source maps, real content hash) run, replace the
 * placeholders in every JS asset and emit the files next to the output.
 */
export function attachWebpackLike(compiler: WebpackLikeCompiler, session: Session): void {
  const { Compilation, WebpackError, sources } = compiler.webpack;
  // webpack reads `virtual:` as a URI scheme before resolver plugins run: hand it the resolved id instead
  compiler.hooks.normalModuleFactory.tap(NAME, (factory) => {
    factory.hooks.beforeResolve.tap(NAME, (data) => {
      if (data.request === VIRTUAL_ID) data.request = RESOLVED_VIRTUAL_ID;
    });
  });
  compiler.hooks.thisCompilation.tap(NAME, (compilation) => {
    const logger: Logger = {
      warn: (message) => compilation.warnings.push(new WebpackError(message)),
      info: (message) => compilation.getLogger(NAME).info(message),
    };
    const live = (path: string) => compilation.fileDependencies.has(path);
    const format = compilation.outputOptions.module ? 'esm' : 'cjs';
    compilation.hooks.processAssets.tapPromise(
      { name: NAME, stage: Compilation.PROCESS_ASSETS_STAGE_PRE_PROCESS },
      async () => {
        // a module failed (e.g. a bad .bpf.o): report that, not a bundle built without it
        if (compilation.errors.length > 0) return;
        for (const chunk of compilation.chunks) {
          for (const file of chunk.files) {
            const asset = compilation.getAsset(file);
            if (!asset || !/\.[cm]?js$/.test(file)) continue;
            const edits = await session.chunkEdits(
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
        for (const emitted of await session.emittedFiles(live)) {
          compilation.emitAsset(emitted.fileName, new sources.RawSource(Buffer.from(emitted.bytes)));
        }
      },
    );
  });
}
