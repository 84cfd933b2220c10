/** The code the plugin generates: `virtual:btf-bundle` and `.bpf.o` modules, and run-time file locations. */
import { sha256Hex } from '@btf-bundle/core/internal';
import type { BtfBundleDefaults } from '@btf-bundle/runtime';
import type { EmitMode } from '../types.js';
import { placeholder } from './placeholders.js';

/** The first 8 hex digits of the sha256 of `bytes`: the content part of the names of emitted files. */
export const hash8 = (bytes: Uint8Array): string => sha256Hex(bytes).slice(0, 8);

/** The plugin's name in every bundler (and in its messages). */
export const PLUGIN_NAME = 'unplugin-btf-bundle';

/** The id apps import. */
export const VIRTUAL_ID = 'virtual:btf-bundle';
/** The resolved id of {@link VIRTUAL_ID} (the `\0` keeps other plugins away from it). */
export const RESOLVED_VIRTUAL_ID = `\0${VIRTUAL_ID}`;

/**
 * The id `virtual:btf-bundle` resolves to in a bundler: esbuild keeps it in the plugin's namespace and would print
 * a `\0` into the output's path comments, the others get {@link RESOLVED_VIRTUAL_ID}.
 */
export const resolvedVirtualId = (framework: string): string =>
  framework === 'esbuild' ? VIRTUAL_ID : RESOLVED_VIRTUAL_ID;

/** Whether `id` is `virtual:btf-bundle`, resolved or not. */
export const isVirtualId = (id: string): boolean => id === VIRTUAL_ID || id === RESOLVED_VIRTUAL_ID;

/** The package id generated code imports the runtime from (resolved by the plugin: see `runtime-module.ts`). */
export const RUNTIME_ID = 'unplugin-btf-bundle/runtime';

/** Source of `virtual:btf-bundle`: the runtime factory bound to the (placeholder) bundle and the defaults. */
export function virtualModuleCode(emit: EmitMode, defaults: Omit<BtfBundleDefaults, 'manifest'>): string {
  const loader =
    emit === 'inline'
      ? `() => bytesFromBase64(${placeholder('data')})`
      : `() => readAsset(${placeholder('bundle-file')})`;
  const options =
    emit === 'inline'
      ? JSON.stringify(defaults)
      : `{ ...${JSON.stringify(defaults)}, manifest: ${placeholder('manifest')} }`;
  return [
    `import { createBtfBundle, ${emit === 'inline' ? 'bytesFromBase64' : 'readAsset'} } from '${RUNTIME_ID}';`,
    `const api = createBtfBundle(${loader}, ${options});`,
    'export const { resolveBtf, findBtf, writeBtfFile, detectKernel, kernels, objects, stats, bundle } = api;',
    'export default api;',
    '',
  ].join('\n');
}

/** How a `.bpf.o` is imported: `./x.bpf.o` gives its bytes, `./x.bpf.o?path` a path to an emitted copy. */
export type ObjectImportKind = 'bytes' | 'path';

const OBJECT_ID_RE = /^([^\0?]+\.bpf\.o)(\?path)?$/;

/** The file and import kind of a module id naming a `.bpf.o`, or undefined. */
export function parseObjectId(id: string): { file: string; kind: ObjectImportKind } | undefined {
  const m = OBJECT_ID_RE.exec(id);
  return m ? { file: m[1]!, kind: m[2] ? 'path' : 'bytes' } : undefined;
}

/**
 * Source of a `.bpf.o` module: its bytes inlined, or the run-time path of its emitted copy `fileName` (the
 * placeholder itself, replaced in the rendered chunk by a string expression: see {@link locationExpression}).
 */
export function objectModuleCode(kind: ObjectImportKind, bytes: Uint8Array, fileName: string): string {
  return kind === 'bytes'
    ? `import { bytesFromBase64 } from '${RUNTIME_ID}';\nexport default bytesFromBase64(${JSON.stringify(Buffer.from(bytes).toString('base64'))});\n`
    : `export default ${placeholder('file', fileName)};\n`;
}

/** The module format of an output chunk, which decides how it finds files emitted next to it. */
export type ChunkFormat = 'esm' | 'cjs';

/**
 * A JS expression for the run-time file-system path (a string) of `relative`, a `/`-separated path from the
 * chunk's directory. A string in both formats: the bundler analysed the code with the placeholder, a string
 * literal, in its place (rollup folds `typeof placeholder === 'string'` to true), so the expression put there
 * after rendering must have the placeholder's type. In an ES module it is the chunk's URL resolved and decoded,
 * which is the path `fileURLToPath` gives on the POSIX systems eBPF runs on.
 */
export function locationExpression(format: ChunkFormat, relative: string): string {
  if (format === 'cjs') return `(__dirname + ${JSON.stringify(`/${relative}`)})`;
  // each name percent-encoded: a URL reads `#`, `?` and `%` in a name as its own syntax
  const url = relative
    .split('/')
    .map((part) => (part === '..' || part === '.' ? part : encodeURIComponent(part)));
  const path = url[0] === '..' || url[0] === '.' ? url.join('/') : `./${url.join('/')}`;
  return `decodeURIComponent(new URL(${JSON.stringify(path)}, import.meta.url).pathname)`;
}
