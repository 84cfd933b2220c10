/** Facts about a bundler's output that the output hooks of several bundlers need. */
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
