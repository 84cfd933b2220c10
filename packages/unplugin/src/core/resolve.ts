/** How the plugin resolves the ids it owns: `virtual:btf-bundle`, the runtime, and `.bpf.o` imports. */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { RuntimeModule } from '../types.js';
import { isVirtualId, parseObjectId, resolvedVirtualId } from './codegen.js';
import { type ResolvedImport, resolveRuntimeImport } from './runtime-module.js';

/** Resolves `./x.bpf.o` and `./x.bpf.o?path` against the importer (the query is kept). */
function resolveObjectImport(id: string, importer: string | undefined): string | undefined {
  const ref = parseObjectId(id);
  if (!ref || !(isAbsolute(ref.file) || ref.file.startsWith('.'))) return undefined;
  const file = importer && !isAbsolute(ref.file) ? resolve(dirname(importer), ref.file) : resolve(ref.file);
  // an absolute id that is no file may be vite's root-relative URL: leave it to vite
  if (!existsSync(file)) return undefined;
  return ref.kind === 'path' ? `${file}?path` : file;
}

/**
 * The shared `resolveId` of every bundler (`framework` as unplugin names it): the virtual module, the generated
 * code's runtime (esbuild resolves it in its own hook, in the file namespace), and for rollup and vite `.bpf.o`
 * imports (webpack and esbuild resolve those paths themselves).
 */
export function resolveImport(
  framework: string,
  runtimeModule: RuntimeModule,
  id: string,
  importer: string | undefined,
): ResolvedImport | undefined {
  if (isVirtualId(id)) return { id: resolvedVirtualId(framework), external: false };
  if (framework === 'esbuild') return undefined;
  const runtime = resolveRuntimeImport(id, importer, runtimeModule);
  if (runtime) return runtime;
  if (framework !== 'rollup' && framework !== 'vite') return undefined;
  const object = resolveObjectImport(id, importer);
  return object === undefined ? undefined : { id: object, external: false };
}
