/**
 * Placeholders: generated modules are produced before the set of `.bpf.o` imports is known, so everything that
 * depends on the final bundle (or on where the output lands) is a string literal `"__btf_bundle__:<kind>[:<file>]"` (the file name percent-encoded)
 * that the plugin replaces in the rendered chunks once the bundle is built. This module writes them, finds them
 * and computes their replacements; every bundler applies the edits the same way.
 */
import type { BundleManifest } from '@btf-bundle/runtime';

/** What a placeholder stands for. */
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

/** A replacement of `code.slice(start, end)` by `text`. */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

/** What the placeholders of one build are replaced with. */
export interface PlaceholderValues {
  /** The encoded bundle (needed by every kind but 'file'). */
  bytes: Uint8Array;
  /** Its manifest, inlined in asset mode. */
  manifest: BundleManifest;
  /** File name of the emitted bundle in asset mode. */
  fileName: string;
}

const MARK = '__btf_bundle__';
const PLACEHOLDER_RE = /(["'`])__btf_bundle__:(data|manifest|bundle-file|file)(?::([\w.%-]+))?\1/g;

/**
 * A file name in a placeholder: every character but `A-Z a-z 0-9 _ . -` percent-encoded (UTF-8), so that no
 * bundler or minifier escapes it (a quote, a non-ASCII letter) and the placeholder is found as it was written.
 */
const encodeFileName = (file: string): string =>
  encodeURIComponent(file).replace(/[!'()*~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** The JS string literal of a placeholder. */
export const placeholder = (kind: PlaceholderKind, file?: string): string =>
  JSON.stringify(file === undefined ? `${MARK}:${kind}` : `${MARK}:${kind}:${encodeFileName(file)}`);

/** Every placeholder in `code`, in order (whatever quotes a minifier chose). */
export function findPlaceholders(code: string): Placeholder[] {
  if (!code.includes(MARK)) return [];
  return [...code.matchAll(PLACEHOLDER_RE)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    kind: m[2] as PlaceholderKind,
    ...(m[3] === undefined ? {} : { file: decodeURIComponent(m[3]) }),
  }));
}

/** Whether replacing `found` needs the bundle (anything but file locations). */
export const needsBundle = (found: readonly Placeholder[]): boolean => found.some((p) => p.kind !== 'file');

/**
 * The JS expression a placeholder stands for: the bundle as base64 or its manifest as JSON (from `values`), or the
 * run-time location of an emitted file (`location(fileName)`).
 */
function placeholderValue(
  p: Placeholder,
  values: PlaceholderValues | undefined,
  location: (fileName: string) => string,
): string {
  if (p.kind === 'file') return location(p.file!);
  if (!values) throw new Error(`unplugin-btf-bundle: internal error: no bundle for placeholder '${p.kind}'`);
  if (p.kind === 'data') return JSON.stringify(Buffer.from(values.bytes).toString('base64'));
  if (p.kind === 'manifest') return JSON.stringify(values.manifest);
  return location(values.fileName);
}

/** The edits that replace every placeholder of `found` (see {@link placeholderValue}). */
export const placeholderEdits = (
  found: readonly Placeholder[],
  values: PlaceholderValues | undefined,
  location: (fileName: string) => string,
): Edit[] => found.map((p) => ({ start: p.start, end: p.end, text: placeholderValue(p, values, location) }));

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
