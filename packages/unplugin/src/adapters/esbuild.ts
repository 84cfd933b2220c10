import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { OutputFile, PluginBuild } from 'esbuild';
import { applyEdits, RUNTIME_ID } from '../codegen.js';
import type { Logger, Session } from '../session.js';

function outputFile(path: string, contents: Uint8Array): OutputFile {
  return {
    path,
    contents,
    hash: createHash('sha256').update(contents).digest('base64url').slice(0, 8),
    get text() {
      return Buffer.from(contents).toString('utf8');
    },
  };
}

/**
 * esbuild has no render hook, so the plugin makes the build keep its output in memory (`write: false`), replaces
 * the placeholders and adds the emitted files in `onEnd`, then writes everything itself if the user wanted it.
 */
export function esbuildSetup(session: Session, runtimeEntry: string): (build: PluginBuild) => void {
  return (build) => {
    // generated modules may live anywhere (a .bpf.o in a shared dir): resolve the runtime to this package
    build.onResolve({ filter: new RegExp(`^${RUNTIME_ID}$`) }, () => ({ path: runtimeEntry }));
    const options = build.initialOptions;
    const write = options.write ?? true;
    options.write = false;
    const format = options.format === 'esm' ? 'esm' : 'cjs';
    const quiet = options.logLevel === 'silent' || options.logLevel === 'error';
    const logger: Logger = {
      warn: (message) => {
        if (!quiet) console.warn(`▲ [WARNING] ${message}`);
      },
      info: (message) => {
        if (!quiet) console.error(message);
      },
    };
    build.onEnd(async (result) => {
      if (result.errors.length > 0 || !result.outputFiles) return;
      const cwd = options.absWorkingDir ?? process.cwd();
      const outdir = resolve(cwd, options.outdir ?? dirname(options.outfile ?? 'out.js'));
      const live = (path: string) => session.loadedThisBuild(path);
      const files = await Promise.all(
        result.outputFiles.map(async (file) => {
          if (!/\.[cm]?js$/.test(file.path)) return file;
          const code = file.text;
          const edits = await session.chunkEdits(code, format, relative(outdir, file.path), logger, live);
          if (edits.length === 0) return file;
          return outputFile(file.path, Buffer.from(applyEdits(code, edits)));
        }),
      );
      for (const emitted of await session.emittedFiles(live))
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
