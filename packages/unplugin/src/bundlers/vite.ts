/**
 * vite: builds use the rollup output hooks (`renderChunk`, `generateBundle` after vite's asset plugin, which drops
 * assets from SSR builds). The dev server has no output: it gets the final code at once from the objects the app
 * imports, and the virtual module is updated, and its bundle built again, when that set or any input of the bundle
 * (a snapshot file, an object) changes.
 */
import type {
  DevEnvironment,
  EnvironmentModuleGraph,
  EnvironmentModuleNode,
  Plugin,
  ResolvedConfig,
  ViteDevServer,
} from 'vite';
import { parseObjectId, RESOLVED_VIRTUAL_ID } from '../core/codegen.js';
import type { BuildContext, Logger } from '../core/context.js';
import { chunkFormat, moduleGraphFilter } from '../core/output.js';
import { applyEdits } from '../core/placeholders.js';
import { editChunk } from './rollup.js';

/** Every output directory of a vite config (the build's and each environment's), as given. */
const outDirs = (config: ResolvedConfig): string[] => [
  config.build.outDir,
  ...Object.values(config.environments ?? {}).map((environment) => environment.build.outDir), // vite < 6: none
];

/** The object files (absolute) that `module` imports (`?path` or not), in its environment's module graph. */
const importedObjects = (module: EnvironmentModuleNode): string[] =>
  [...module.importedModules].flatMap((dep) =>
    dep.file && dep.file !== module.file && parseObjectId(dep.id ?? '') ? [dep.file] : [],
  );

/**
 * Whether a module of any environment of `server` imports the object file `file`: the objects the served bundle is
 * for. The object's own modules do not count (its `?path` module watches the file, which vite records as an
 * import), and nor does an object loaded by no module.
 */
const isImported = (server: ViteDevServer, file: string): boolean =>
  Object.values(server.environments).some((environment) =>
    [...(environment.moduleGraph.getModulesByFile(file) ?? [])].some((module) =>
      [...module.importers].some((importer) => importer.file !== file),
    ),
  );

/**
 * Transforms again the `modules` (changed in `environment`) that imported objects, so that the module graph holds
 * their new imports now. The app's next run would transform them only after it ran `virtual:btf-bundle` (imported
 * first, as a rule), which would then still hold an object the app stopped importing. A module that no longer
 * transforms (a syntax error) keeps its former imports.
 */
async function learnNewImports(environment: DevEnvironment, modules: EnvironmentModuleNode[]): Promise<void> {
  const importers = modules.filter((module) => importedObjects(module).length > 0);
  await Promise.all(
    importers.map((module) => environment.transformRequest(module.url).catch(() => undefined)),
  );
}

/** The vite-only hooks of the plugin. */
export function viteHooks(context: BuildContext): Partial<Plugin> {
  let config: ResolvedConfig | undefined;
  let server: ViteDevServer | undefined;
  const logger = (warn: (message: string) => void): Logger => ({
    warn,
    info: (message) => config?.logger.info(message),
    progress: (message) => config?.logger.info(message),
  });
  /** Invalidates, in every environment, the modules that `pick` finds in its module graph. */
  const invalidate = (
    pick: (graph: EnvironmentModuleGraph) => Iterable<EnvironmentModuleNode> | undefined,
  ) => {
    for (const environment of Object.values(server?.environments ?? {})) {
      for (const module of pick(environment.moduleGraph) ?? [])
        environment.moduleGraph.invalidateModule(module);
    }
  };
  const invalidateVirtualModule = () =>
    invalidate((graph) => [graph.getModuleById(RESOLVED_VIRTUAL_ID)].filter((m) => m !== undefined));
  /** Whether the app imports the object at `path` (the objects of the served bundle). */
  const live = (path: string) => server !== undefined && isImported(server, path);
  return {
    configResolved(resolved) {
      config = resolved;
      context.setBundlerDirs(resolved.root, outDirs(resolved));
    },
    configureServer(devServer) {
      server = devServer;
    },
    async hotUpdate({ file, modules, type }) {
      const inputChanged = context.fileChanged(file);
      if (type !== 'delete') await learnNewImports(this.environment, modules);
      // an object imported again later is loaded again, which tells its load that the set changed
      for (const object of context.importedPaths().filter((path) => !live(path)))
        invalidate((graph) => graph.getModulesByFile(object));
      if (!inputChanged && !context.bundleChanged(live)) return;
      invalidateVirtualModule();
      // updated along with the changed modules: an HMR update or full reload of what imports it
      const virtual = this.environment.moduleGraph.getModuleById(RESOLVED_VIRTUAL_ID);
      return virtual ? [...modules, virtual] : undefined;
    },
    async load(id) {
      const dev = config?.command === 'serve';
      const generated = await context.loadModule(
        id,
        (file) => this.addWatchFile(file),
        dev ? 'inline' : undefined,
      );
      if (!generated || !dev) return generated?.code;
      // an object the served bundle lacks (the first import, one imported again): the next load builds it anew
      if (generated.sourcePath && context.bundleChanged(live)) invalidateVirtualModule();
      const edits = await context.devEdits(
        generated.code,
        logger((m) => this.warn(m)),
        live,
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
