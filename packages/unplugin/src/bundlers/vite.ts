/**
 * vite: builds use the rollup output hooks (`renderChunk`, `generateBundle` after vite's asset plugin, which drops
 * assets from SSR builds). The dev server has no output: it gets the final code at once from the objects seen so
 * far, and the virtual module is invalidated, and its bundle built again, when that set or any input of the bundle
 * (a snapshot file, an object) changes.
 */
import type { Plugin, ResolvedConfig, ViteDevServer } from 'vite';
import { RESOLVED_VIRTUAL_ID } from '../core/codegen.js';
import type { BuildContext, Logger } from '../core/context.js';
import { chunkFormat, moduleGraphFilter } from '../core/output.js';
import { applyEdits } from '../core/placeholders.js';
import { editChunk } from './rollup.js';

/** Every output directory of a vite config (the build's and each environment's), as given. */
const outDirs = (config: ResolvedConfig): string[] => [
  config.build.outDir,
  ...Object.values(config.environments ?? {}).map((environment) => environment.build.outDir), // vite < 6: none
];

/** The vite-only hooks of the plugin. */
export function viteHooks(context: BuildContext): Partial<Plugin> {
  let config: ResolvedConfig | undefined;
  let server: ViteDevServer | undefined;
  const logger = (warn: (message: string) => void): Logger => ({
    warn,
    info: (message) => config?.logger.info(message),
    progress: (message) => config?.logger.info(message),
  });
  const invalidateVirtualModule = () => {
    for (const environment of Object.values(server?.environments ?? {})) {
      const module = environment.moduleGraph.getModuleById(RESOLVED_VIRTUAL_ID);
      if (module) environment.moduleGraph.invalidateModule(module);
    }
  };
  return {
    configResolved(resolved) {
      config = resolved;
      context.setBundlerDirs(resolved.root, outDirs(resolved));
    },
    configureServer(devServer) {
      server = devServer;
    },
    hotUpdate({ file }) {
      if (context.fileChanged(file)) invalidateVirtualModule();
    },
    async load(id) {
      const dev = config?.command === 'serve';
      const generated = await context.loadModule(
        id,
        (file) => this.addWatchFile(file),
        dev ? 'inline' : undefined,
      );
      if (!generated || !dev) return generated?.code;
      if (generated.objectsChanged) invalidateVirtualModule();
      const edits = await context.devEdits(
        generated.code,
        logger((m) => this.warn(m)),
        generated.sourcePath,
      );
      return applyEdits(generated.code, edits);
    },
    async renderChunk(code, chunk, outputOptions) {
      const live = moduleGraphFilter(this.getModuleIds());
      const edits = await context.chunkEdits(
        code,
        chunkFormat(outputOptions.format),
        chunk.fileName,
        logger((m) => this.warn(m)),
        live,
      );
      return editChunk(code, edits);
    },
    generateBundle: {
      order: 'post',
      async handler() {
        for (const file of await context.emittedFiles(moduleGraphFilter(this.getModuleIds()))) {
          this.emitFile({ type: 'asset', fileName: file.fileName, source: file.bytes });
        }
      },
    },
  };
}
