import type { BtfBundleDefaults } from '@btf-bundle/runtime';
import type { EmitMode } from './options.js';

/** The id apps import. */
export const VIRTUAL_ID = 'virtual:btf-bundle';
/** The resolved id of {@link VIRTUAL_ID} (the `\0` keeps other plugins away from it). */
export const RESOLVED_VIRTUAL_ID = `\0${VIRTUAL_ID}`;
/** The package id generated code imports the runtime from (never a relative path: see the package README). */
export const RUNTIME_ID = 'unplugin-btf-bundle/runtime';

/**
 * What a placeholder stands for. Generated modules are produced before the set of `.bpf.o` imports is known,
 * so everything that depends on the final bundle (or on where the output lands) is a string literal
 * `"__btf_bundle__:<kind>[:<file>]"` that the plugin replaces in the rendered chunks once the bundle is built.
 */
export type PlaceholderKind =
  /** The bundle bytes as a base64 string literal (emit 'inline'). */
  | 'data'
  /** The bundle manifest as a JSON literal (emit 'asset'). */
  | 'manifest'
  /** Where the emitted bundle file is at run time (emit 'asset'). */
  | 'bundle-file'
  /** Where the emitted file `<file>` (a `.bpf.o` imported with `?path`) is at run time. */
  | 'file';

/** A placeholder found in rendered code: replace `code.slice(start, end)` (quotes included). */
export interface Placeholder {
  start: number;
  end: number;
  kind: PlaceholderKind;
  /** The file name, for kind 'file'. */
  file?: string;
}

const MARK = '__btf_bundle__';
const PLACEHOLDER_RE = /(["'`])__btf_bundle__:(data|manifest|bundle-file|file)(?::([\w./-]+))?\1/g;

const placeholder = (kind: PlaceholderKind, file?: string): string =>
  JSON.stringify(file === undefined ? `${MARK}:${kind}` : `${MARK}:${kind}:${file}`);

/** Every placeholder in `code`, in order (whatever quotes a minifier chose). */
export function findPlaceholders(code: string): Placeholder[] {
  if (!code.includes(MARK)) return [];
  return [...code.matchAll(PLACEHOLDER_RE)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    kind: m[2] as PlaceholderKind,
    ...(m[3] === undefined ? {} : { file: m[3] }),
  }));
}

/** A replacement of `code.slice(start, end)` by `text`. */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** Applies non-overlapping edits, sorted by `start`, to a string. */
export function applyEdits(code: string, edits: readonly Edit[]): string {
  let out = '';
  let at = 0;
  for (const e of edits) {
    out += code.slice(at, e.start) + e.text;
    at = e.end;
  }
  return out + code.slice(at);
}

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

/** Source of a `.bpf.o` module: its bytes inlined, or the run-time path of its emitted copy `fileName`. */
export function objectModuleCode(kind: ObjectImportKind, bytes: Uint8Array, fileName: string): string {
  return kind === 'bytes'
    ? `import { bytesFromBase64 } from '${RUNTIME_ID}';\nexport default bytesFromBase64(${JSON.stringify(Buffer.from(bytes).toString('base64'))});\n`
    : `import { assetPath } from '${RUNTIME_ID}';\nexport default assetPath(${placeholder('file', fileName)});\n`;
}

/** The module format of an output chunk, which decides how it finds files emitted next to it. */
export type ChunkFormat = 'esm' | 'cjs';

/** A JS expression for the run-time location of `relative` (a `/`-separated path from the chunk's directory). */
export function locationExpression(format: ChunkFormat, relative: string): string {
  return format === 'esm'
    ? `new URL(${JSON.stringify(relative.startsWith('.') ? relative : `./${relative}`)}, import.meta.url)`
    : `(__dirname + ${JSON.stringify(`/${relative}`)})`;
}
