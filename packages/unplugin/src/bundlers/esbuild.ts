/**
 * esbuild has no render hook, so the plugin makes the build keep its output in memory (`write: false`), replaces
 * the placeholders and adds the emitted files in `onEnd`, then writes everything itself if the user wanted it.
 * Warnings go to the build result's `warnings` and stderr. In watch mode esbuild sees a file added to or removed from a
 * directory only through the directory's listing, which only a load result can ask for (`watchDirs`): the virtual
 * module is loaded here, with the snapshot's directories, not by the shared load hook.
 */
import { dirname, join, relative, resolve } from 'node:path';
import { checkOutputs, GuardedInputs } from '@btf-bundle/core';
import { sha256Bytes, writeOutputFile } from '@btf-bundle/core/internal';
import type {
  BuildResult,
  Message,
  Metafile,
  OnLoadResult,
  OutputFile,
  PartialMessage,
  PluginBuild,
} from 'esbuild';
import { PLUGIN_NAME, RUNTIME_ID, VIRTUAL_ID } from '../core/codegen.js';
import type { BuildContext, Logger } from '../core/context.js';
import { pluginError } from '../core/errors.js';
import { noOutputDirError } from '../core/output.js';
import { applyEdits } from '../core/placeholders.js';
import { resolveRuntimeImport } from '../core/runtime-module.js';

function outputFile(path: string, contents: Uint8Array): OutputFile {
  return {
    path,
    contents,
    hash: sha256Bytes(contents).toString('base64url').slice(0, 8),
    get text() {
      return Buffer.from(contents).toString('utf8');
    },
  };
}

/**
 * Warnings into the build result's `warnings`, printed on stderr as esbuild prints its own (esbuild itself prints
 * no warning added at the end of a `build()`); the summary line on stderr. Both unless the build is quiet.
 */
function resultLogger(
  build: PluginBuild,
  result: BuildResult,
  quiet: boolean,
): Logger & { flush(): Promise<void> } {
  const warnings: Message[] = [];
  return {
    warn: (text) => {
      warnings.push({ id: '', pluginName: PLUGIN_NAME, text, location: null, notes: [], detail: undefined });
    },
    info: (message) => {
      if (!quiet) console.error(message);
    },
    async flush() {
      result.warnings.push(...warnings);
      if (quiet || warnings.length === 0) return;
      const color = build.initialOptions.color ?? process.stderr.isTTY;
      for (const text of await build.esbuild.formatMessages(warnings, { kind: 'warning', color }))
        process.stderr.write(text);
    },
  };
}

/** The path of esbuild's output without outfile or outdir: standard output when esbuild writes. */
const STDOUT = '<stdout>';

/** Where the plugin writes `file` for esbuild: its path, or standard output (`-`) for {@link STDOUT}. */
const writtenPath = (file: OutputFile): string => (file.path === STDOUT ? '-' : file.path);

/**
 * Refuses to write an output over one of the build's inputs (the `metafile`'s, relative to `cwd`), as esbuild
 * does when it writes (`allowOverwrite` lets it), and over a device or a descriptor's name (core's output guard).
 */
function guardWrites(
  files: readonly OutputFile[],
  metafile: Metafile,
  cwd: string,
  allowOverwrite: boolean,
): void {
  const inputs = allowOverwrite
    ? []
    : Object.keys(metafile.inputs).map((path) => ({ role: 'input', path: resolve(cwd, path) }));
  checkOutputs(
    files.map((file) => ({ role: 'esbuild output', path: writtenPath(file) })),
    new GuardedInputs(inputs),
  );
}

/**
 * The load of a module the plugin generates (`id`: the virtual module, or an object with its `?path` suffix); a
 * failure as a one-line error (see {@link errorResult}), which esbuild places at the import.
 */
async function loadModule(
  context: BuildContext,
  id: string,
  resolveDir?: string,
): Promise<OnLoadResult | undefined> {
  const watchFiles: string[] = [];
  try {
    const module = await context.loadModule(id, (file) => watchFiles.push(file));
    if (!module) return undefined;
    return { contents: module.code, loader: 'js', resolveDir, watchFiles, watchDirs: module.watchDirs };
  } catch (err) {
    return { ...errorResult(err), watchFiles };
  }
}

/** A failure as esbuild's one-line error: a thrown one would come with the plugin's stack frames. */
const errorResult = (err: unknown): { errors: PartialMessage[] } => ({
  errors: [{ pluginName: PLUGIN_NAME, text: pluginError(err).message }],
});

/** The esbuild-only part of the plugin (its `setup`). */
export function esbuildSetup(context: BuildContext): (build: PluginBuild) => void {
  return (build) => {
    // the runtime and the package it re-exports, in esbuild's file namespace (the plugin's own namespace has no
    // loader for them)
    const runtimeIds = new RegExp(`^(${RUNTIME_ID}|@btf-bundle/runtime)$`);
    build.onResolve({ filter: runtimeIds }, (args) => {
      const resolved = resolveRuntimeImport(args.path, args.importer, context.options.runtimeModule);
      return resolved && { path: resolved.id, external: resolved.external };
    });
    build.onStart(() => context.startBuild().then(() => undefined, errorResult));
    // registered before the shared load hook (unplugin registers it after this setup), so esbuild takes these
    build.onLoad({ filter: new RegExp(`^${VIRTUAL_ID}$`), namespace: PLUGIN_NAME }, () =>
      loadModule(context, VIRTUAL_ID),
    );
    build.onLoad({ filter: /\.bpf\.o$/ }, (args) =>
      loadModule(context, args.path + args.suffix, dirname(args.path)),
    );
    const options = build.initialOptions;
    const write = options.write ?? true;
    options.write = false;
    // the inputs, which the plugin's writes must not overwrite
    const metafile = options.metafile ?? false;
    options.metafile = true;
    const format = options.format === 'esm' ? 'esm' : 'cjs';
    const quiet = options.logLevel === 'silent' || options.logLevel === 'error';
    const cwd = options.absWorkingDir ?? process.cwd();
    // without outfile or outdir esbuild's one output is standard output (or kept in memory): no directory
    const outdir =
      options.outdir === undefined && options.outfile === undefined
        ? undefined
        : resolve(cwd, options.outdir ?? dirname(options.outfile ?? ''));
    context.setOutputDirs(outdir === undefined ? [] : [outdir]);
    const finish = async (result: BuildResult, logger: Logger): Promise<void> => {
      const live = (path: string) => context.loadedThisBuild(path);
      const files = await Promise.all(
        (result.outputFiles ?? []).map(async (file) => {
          if (!/\.[cm]?js$/.test(file.path) && file.path !== STDOUT) return file;
          const code = file.text;
          const chunkFile = outdir === undefined ? undefined : relative(outdir, file.path);
          const edits = await context.chunkEdits(code, format, chunkFile, logger, live);
          if (edits.length === 0) return file;
          return outputFile(file.path, Buffer.from(applyEdits(code, edits)));
        }),
      );
      for (const emitted of await context.emittedFiles(live)) {
        if (outdir === undefined) throw noOutputDirError();
        files.push(outputFile(join(outdir, emitted.fileName), emitted.bytes));
      }
      if (write) {
        if (result.metafile) guardWrites(files, result.metafile, cwd, options.allowOverwrite ?? false);
        await Promise.all(files.map((file) => writeOutputFile(writtenPath(file), file.contents)));
      }
      result.outputFiles = write ? undefined : files;
    };
    // failures as one-line errors of the build (a thrown error would show the plugin's stack frames)
    build.onEnd(async (result) => {
      if (result.errors.length > 0 || !result.outputFiles) return undefined;
      const logger = resultLogger(build, result, quiet);
      const failure = await finish(result, logger).then(() => undefined, errorResult);
      await logger.flush();
      if (!metafile) result.metafile = undefined;
      return failure;
    });
  };
}
