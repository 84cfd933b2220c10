/** Facts about a bundler's output that the output hooks of several bundlers need. */
import { UsageError } from '@btf-bundle/core';
import type { ChunkFormat } from './codegen.js';

/** The {@link ChunkFormat} of a rollup/vite output format (`'es'`, `'cjs'`, ...). */
export const chunkFormat = (format: string | undefined): ChunkFormat => (format === 'es' ? 'esm' : 'cjs');

/**
 * A filter of object paths by a module graph's ids (rollup and vite: `getModuleIds()`): an object the app stopped
 * importing leaves the bundle. `?path` imports count as their file.
 */
export function moduleGraphFilter(ids: Iterable<string>): (path: string) => boolean {
  const files = new Set([...ids].map((id) => id.replace(/\?path$/, '')));
  return (path) => files.has(path);
}

/**
 * The error of an output without a directory (esbuild without `outfile` or `outdir`: standard output, or output
 * files kept in memory), next to which no file can be emitted.
 */
export const noOutputDirError = (): UsageError =>
  new UsageError(
    "unplugin-btf-bundle: the output has no directory (esbuild without outfile or outdir), next to which to emit the files that emit: 'asset' and ?path imports need: set outfile or outdir",
  );
