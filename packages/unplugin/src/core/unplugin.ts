/**
 * The plugin factory: the hooks every bundler shares (build start, id resolution, generated modules) and each
 * bundler's own part (`src/bundlers/`).
 *
 * Modules are generated before the bundler has seen every `.bpf.o` import, so everything that depends on the
 * final bundle is a placeholder (see `placeholders.ts`) that the output hooks replace once the module graph is
 * complete (rollup/vite `renderChunk`, webpack/rspack `processAssets`, esbuild `onEnd`).
 */
import type { UnpluginFactory } from 'unplugin';
import { esbuildSetup } from '../bundlers/esbuild.js';
import { rollupHooks } from '../bundlers/rollup.js';
import { rspackHook } from '../bundlers/rspack.js';
import { viteHooks } from '../bundlers/vite.js';
import { webpackHook } from '../bundlers/webpack.js';
import type { BtfBundleOptions } from '../types.js';
import { isVirtualId, PLUGIN_NAME, parseObjectId } from './codegen.js';
import { BuildContext } from './context.js';
import { resolveOptions } from './options.js';
import { resolveImport } from './resolve.js';

/** The plugin factory. Options are validated when the plugin is created (a UsageError names the bad option). */
export const unpluginFactory: UnpluginFactory<BtfBundleOptions, false> = (rawOptions, meta) => {
  const context = new BuildContext(resolveOptions(rawOptions));
  return {
    name: PLUGIN_NAME,
    enforce: 'pre',
    async buildStart() {
      // esbuild's own start hook returns the failure as a one-line error (see `bundlers/esbuild.ts`)
      if (meta.framework !== 'esbuild') await context.startBuild();
    },
    resolveId(id, importer) {
      const resolved = resolveImport(meta.framework, context.options.runtimeModule, id, importer);
      return resolved && (resolved.external ? resolved : resolved.id);
    },
    loadInclude: (id) => isVirtualId(id) || parseObjectId(id) !== undefined,
    async load(id) {
      return (await context.loadModule(id, (file) => this.addWatchFile(file)))?.code;
    },
    rollup: rollupHooks(context),
    vite: viteHooks(context),
    esbuild: { setup: esbuildSetup(context) },
    webpack: webpackHook(context),
    rspack: rspackHook(context),
  };
};
