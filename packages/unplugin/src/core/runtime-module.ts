/**
 * Where the generated code's runtime comes from. Generated modules import {@link RUNTIME_ID}; with
 * `runtimeModule: 'bundled'` the plugin resolves that id, and the `@btf-bundle/runtime` import inside it, to files
 * of this installation, so that no bundler leaves them as package imports (vite's SSR build externalizes
 * dependencies, rollup without node-resolve keeps bare ids external): the output then runs without
 * `node_modules`. With 'external' the id stays an import the app resolves at run time.
 */
import { fileURLToPath } from 'node:url';
import type { RuntimeModule } from '../types.js';
import { RUNTIME_ID } from './codegen.js';

/** This package's runtime entry (`unplugin-btf-bundle/runtime`), the file generated code imports. */
export const RUNTIME_ENTRY = fileURLToPath(new URL('../runtime.js', import.meta.url));

/** A resolved id, external (left as an import in the output) or not. */
export interface ResolvedImport {
  id: string;
  external: boolean;
}

/** The package the runtime entry re-exports. */
const RUNTIME_PACKAGE = '@btf-bundle/runtime';

/**
 * How to resolve `id` imported by `importer` when it belongs to the generated code's runtime, or undefined for any
 * other import (an app's own `@btf-bundle/runtime` import is left to the bundler).
 */
export function resolveRuntimeImport(
  id: string,
  importer: string | undefined,
  mode: RuntimeModule,
): ResolvedImport | undefined {
  if (id === RUNTIME_ID)
    return mode === 'bundled' ? { id: RUNTIME_ENTRY, external: false } : { id, external: true };
  if (id === RUNTIME_PACKAGE && importer === RUNTIME_ENTRY && mode === 'bundled') {
    return { id: fileURLToPath(import.meta.resolve(RUNTIME_PACKAGE)), external: false };
  }
  return undefined;
}
