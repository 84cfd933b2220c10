/**
 * esbuild has no render hook, so the plugin makes the build keep its output in memory (`write: false`), replaces
 * the placeholders and adds the emitted files in `onEnd`, then writes everything itself if the user wanted it.
 * Warnings go to the build result's `warnings`. In watch mode esbuild sees a file added to or removed from a
 * directory only through the directory's listing, which only a load result can ask for (`watchDirs`): the virtual
 * module is loaded here, with the snapshot's directories, not by the shared load hook.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { sha256Bytes } from '@btf-bundle/core/internal';
import type { BuildResult, OutputFile, PluginBuild } from 'esbuild';
import { PLUGIN_NAME, RUNTIME_ID, VIRTUAL_ID } from '../core/codegen.js';
import type { BuildContext, Logger } from '../core/context.js';
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

/** Warnings into the build result; the summary line on stderr unless the build is quiet. */
function resultLogger(result: BuildResult, quiet: boolean): Logger {
  return {
    warn: (text) => {
      result.warnings.push({
        id: '',
        pluginName: PLUGIN_NAME,
        text,
        location: null,
        notes: [],
        detail: undefined,
      });
    },
    info: (message) => {
      if (!quiet) console.error(message);
    },
  };
}

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
    // registered before the shared load hook (unplugin registers it after this setup), so esbuild takes this one
    build.onLoad({ filter: new RegExp(`^${VIRTUAL_ID}$`), namespace: PLUGIN_NAME }, async () => {
      const watchFiles: string[] = [];
      const module = await context.loadModule(VIRTUAL_ID, (file) => watchFiles.push(file));
      return { contents: module?.code, loader: 'js', watchFiles, watchDirs: module?.watchDirs };
    });
    const options = build.initialOptions;
    const write = options.write ?? true;
    options.write = false;
    const format = options.format === 'esm' ? 'esm' : 'cjs';
    const quiet = options.logLevel === 'silent' || options.logLevel === 'error';
    build.onEnd(async (result) => {
      if (result.errors.length > 0 || !result.outputFiles) return;
      const logger = resultLogger(result, quiet);
      const cwd = options.absWorkingDir ?? process.cwd();
      const outdir = resolve(cwd, options.outdir ?? dirname(options.outfile ?? 'out.js'));
      const live = (path: string) => context.loadedThisBuild(path);
      const files = await Promise.all(
        result.outputFiles.map(async (file) => {
          if (!/\.[cm]?js$/.test(file.path)) return file;
          const code = file.text;
          const edits = await context.chunkEdits(code, format, relative(outdir, file.path), logger, live);
          if (edits.length === 0) return file;
          return outputFile(file.path, Buffer.from(applyEdits(code, edits)));
        }),
      );
      for (const emitted of await context.emittedFiles(live))
        files.push(outputFile(join(outdir, emitted.fileName), emitted.bytes));
      if (write) {
        await Promise.all(
          files.map(async (file) => {
            await mkdir(dirname(file.path), { recursive: true });
            await writeFile(file.path, file.contents);
          }),
        );
      }
      result.outputFiles = write ? undefined : files;
    });
  };
}
