/** webpack: see {@link attachWebpackLike}. The summary line goes to the compilation's log, which its stats print. */
import type { Compiler, sources } from 'webpack';
import { PLUGIN_NAME, RESOLVED_VIRTUAL_ID } from '../core/codegen.js';
import type { BuildContext } from '../core/context.js';
import { attachWebpackLike } from './webpack-like.js';

/**
 * Keeps the file of `virtual:btf-bundle` out of what webpack's watcher watches. unplugin serves the module to
 * webpack as an in-memory file (webpack-virtual-modules) at a path that does not exist on disk: watched, that path
 * is found missing by the watcher's first scan, which starts a second build right after the first, so that a
 * change made meanwhile is built twice. The module's code never changes; what it depends on (kernel files,
 * objects) stays watched.
 */
function unwatchVirtualModule(compiler: Compiler): void {
  compiler.hooks.thisCompilation.tap(PLUGIN_NAME, (compilation) => {
    let file: string | undefined;
    // before the optimizations, which may put the module inside a concatenated one
    compilation.hooks.finishModules.tap(PLUGIN_NAME, (modules) => {
      for (const module of modules) {
        if (module instanceof compiler.webpack.NormalModule && module.rawRequest === RESOLVED_VIRTUAL_ID)
          file = module.resource;
      }
    });
    // the compilation's dependencies are summed up at the end of the seal, then watched
    compilation.hooks.afterSeal.tap(PLUGIN_NAME, () => {
      if (file !== undefined) compilation.fileDependencies.delete(file);
    });
  });
}

/** The webpack-only part of the plugin (applied to the compiler). */
export const webpackHook =
  (context: BuildContext) =>
  (compiler: Compiler): void => {
    attachWebpackLike<Compiler, sources.Source>(compiler, context, 'compilation');
    unwatchVirtualModule(compiler);
  };
