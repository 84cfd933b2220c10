/**
 * rspack: see {@link attachWebpackLike}. The summary line goes to the infrastructure log (stderr by default): rspack's
 * CLI prints no compilation log (its default stats are `errors-warnings` without logging).
 */
import type { Compiler, sources } from '@rspack/core';
import type { BuildContext } from '../core/context.js';
import { attachWebpackLike } from './webpack-like.js';

/** The rspack-only part of the plugin (applied to the compiler). */
export const rspackHook =
  (context: BuildContext) =>
  (compiler: Compiler): void =>
    attachWebpackLike<Compiler, sources.Source>(compiler, context, 'infrastructure');
