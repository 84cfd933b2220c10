/** webpack: see {@link attachWebpackLike}. The summary line goes to the compilation's log, which its stats print. */
import type { Compiler, sources } from 'webpack';
import type { BuildContext } from '../core/context.js';
import { attachWebpackLike } from './webpack-like.js';

/** The webpack-only part of the plugin (applied to the compiler). */
export const webpackHook =
  (context: BuildContext) =>
  (compiler: Compiler): void =>
    attachWebpackLike<Compiler, sources.Source>(compiler, context, 'compilation');
