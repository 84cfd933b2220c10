/**
 * unplugin-btf-bundle: `virtual:btf-bundle` (the app's kernel→BTF lookup, minimized at build time for the
 * `.bpf.o` files the app imports or lists) and `.bpf.o` imports, for vite, rollup, esbuild, webpack and rspack.
 */

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createUnplugin, type UnpluginFactory, type UnpluginInstance } from 'unplugin';
import type { ResolvedConfig, ViteDevServer } from 'vite';
import { esbuildSetup } from './adapters/esbuild.js';
import { type ResolveContext, resolveObjectImport, rollupOutputHooks } from './adapters/rollup.js';
import { attachWebpackLike, type WebpackLikeCompiler } from './adapters/webpack.js';
import {
  applyEdits,
  findPlaceholders,
  objectModuleCode,
  parseObjectId,
  RESOLVED_VIRTUAL_ID,
  RUNTIME_ID,
  VIRTUAL_ID,
  virtualModuleCode,
} from './codegen.js';
import { type BtfBundleOptions, resolveOptions } from './options.js';
import { type Logger, placeholderValue, Session } from './session.js';

export type { BtfBundleOptions, EmitMode, ObjectGlobs } from './options.js';

const NAME = 'unplugin-btf-bundle';
/** This package's runtime entry, which generated code imports (as {@link RUNTIME_ID}). */
const RUNTIME_ENTRY = fileURLToPath(new URL('./runtime.js', import.meta.url));

/**
 * The plugin factory. Options are validated when the plugin is created (a UsageError names the bad option).
 *
 * Modules are generated before the bundler has seen every `.bpf.o` import, so everything that depends on the
 * final bundle is a placeholder string that the output hooks replace once the module graph is complete
 * (rollup/vite `renderChunk`, webpack/rspack `processAssets`, esbuild `onEnd`). Vite's dev server, which has no
 * output, gets the final code at once from the objects seen so far, and is told to reload when that set changes.
 */
export const unpluginFactory: UnpluginFactory<BtfBundleOptions, false> = (rawOptions, meta) => {
  const session = new Session(resolveOptions(rawOptions));
  let vite: { config: ResolvedConfig; server?: ViteDevServer } | undefined;
  const dev = () => vite?.config.command === 'serve';
  const viteLogger = (warn: (message: string) => void): Logger => ({
    warn,
    info: (message) => vite?.config.logger.info(message),
    progress: (message) => vite?.config.logger.info(message),
  });
  const invalidateVirtualModule = () => {
    for (const environment of Object.values(vite?.server?.environments ?? {})) {
      const module = environment.moduleGraph.getModuleById(RESOLVED_VIRTUAL_ID);
      if (module) environment.moduleGraph.invalidateModule(module);
    }
  };
  /** Dev server: the final code right away (inline bundle, source paths). */
  const devCode = async (code: string, logger: Logger, sourcePath?: string) => {
    const found = findPlaceholders(code);
    const needsBundle = found.some((p) => p.kind !== 'file');
    if (needsBundle) await session.prescanObjects();
    const final = needsBundle ? await session.bundle(logger) : undefined;
    const location = () => JSON.stringify(sourcePath);
    return applyEdits(
      code,
      found.map((p) => ({ ...p, text: placeholderValue(p, final, location) })),
    );
  };

  const resolveVirtual = (id: string) =>
    id === VIRTUAL_ID || id === RESOLVED_VIRTUAL_ID ? RESOLVED_VIRTUAL_ID : undefined;
  const rollupLike = {
    resolveId(this: ResolveContext, id: string, importer: string | undefined) {
      // generated modules may live anywhere (a .bpf.o in a shared dir): resolve the runtime as the app would
      if (id === RUNTIME_ID) return this.resolve(id, join(session.root, 'index.js'), { skipSelf: true });
      return resolveVirtual(id) ?? resolveObjectImport(id, importer);
    },
    ...rollupOutputHooks(session, (context) =>
      vite
        ? viteLogger((m) => context.warn(m))
        : { warn: (m) => context.warn(m), info: (m) => context.info(m) },
    ),
  };

  return {
    name: NAME,
    enforce: 'pre',
    async buildStart() {
      await session.startBuild();
    },
    resolveId: (id) =>
      id === RUNTIME_ID && (meta.framework === 'webpack' || meta.framework === 'rspack')
        ? RUNTIME_ENTRY
        : resolveVirtual(id),
    loadInclude: (id) => id === RESOLVED_VIRTUAL_ID || parseObjectId(id) !== undefined,
    async load(id) {
      if (id === RESOLVED_VIRTUAL_ID) {
        for (const file of await session.watchFiles()) this.addWatchFile(file);
        const code = virtualModuleCode(dev() ? 'inline' : session.options.emit, session.options.runtime);
        return dev()
          ? devCode(
              code,
              viteLogger((m) => this.warn(m)),
            )
          : code;
      }
      const ref = parseObjectId(id);
      if (!ref) return undefined;
      this.addWatchFile(session.path(ref.file));
      const { object, changed } = await session.importObject(ref.file, ref.kind === 'path');
      const code = objectModuleCode(ref.kind, object.bytes, object.fileName);
      if (!dev()) return code;
      if (changed) invalidateVirtualModule();
      return devCode(
        code,
        viteLogger((m) => this.warn(m)),
        object.path,
      );
    },
    rollup: rollupLike,
    vite: {
      ...rollupLike,
      configResolved(config) {
        vite = { config };
        session.setBundlerRoot(config.root);
      },
      configureServer(server) {
        if (vite) vite.server = server;
      },
      hotUpdate({ file }) {
        if (session.isInput(file)) invalidateVirtualModule();
      },
    },
    esbuild: { setup: esbuildSetup(session, RUNTIME_ENTRY) },
    // webpack's and rspack's compiler types differ in detail; both implement WebpackLikeCompiler
    webpack: (compiler) => attachWebpackLike(compiler as unknown as WebpackLikeCompiler, session),
    rspack: (compiler) => attachWebpackLike(compiler as unknown as WebpackLikeCompiler, session),
  };
};

const instance = /* #__PURE__ */ createUnplugin(unpluginFactory);
/** webpack and rspack call the factory only when the compiler applies the plugin: validate right away too. */
const eager =
  <T>(create: (options: BtfBundleOptions) => T) =>
  (options: BtfBundleOptions): T => {
    resolveOptions(options);
    return create(options);
  };

/**
 * The plugin for every bundler (`unplugin.vite(options)`, `unplugin.webpack(options)`, ...); invalid options throw
 * a UsageError when the plugin is created.
 */
export const unplugin: UnpluginInstance<BtfBundleOptions, false> = {
  ...instance,
  webpack: eager(instance.webpack),
  rspack: eager(instance.rspack),
};

export default unplugin;
