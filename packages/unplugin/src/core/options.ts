import { UsageError } from '@btf-bundle/core';
import {
  BUILD_OPTIONS,
  type BuildOptionName,
  buildOption,
  checkBuildOption,
  checkChoice,
  parseGitSnapshot,
} from '@btf-bundle/core/internal';
import { KNOWN_ARCHES, normalizeArch } from '@btf-bundle/runtime/internal';
import type { ObjectGlobs, ResolvedOptions } from '../types.js';

/** The plugin's own options, besides the build options it shares with the CLI (core's `BUILD_OPTIONS`). */
const PLUGIN_KEYS = ['emit', 'runtimeModule', 'runtime', 'root'];

const KEYS = new Set([...BUILD_OPTIONS.map((o) => o.name), ...PLUGIN_KEYS]);

const fail = (message: string): never => {
  throw new UsageError(`unplugin-btf-bundle: ${message}`);
};

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A shared build option checked as core's option table says. */
const shared = <T>(name: BuildOptionName, value: unknown): T =>
  checkBuildOption(buildOption(name), value, fail) as T;

function stringList(name: string, value: unknown): string[] | undefined {
  return checkBuildOption({ ...buildOption('objects'), name }, value, fail) as string[] | undefined;
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  return value === undefined ? fallback : checkChoice(name, value, allowed, fail);
}

/**
 * An arch key of the per-arch `objects` checked: a misspelled one (`x86-64`, `amd64`) would leave the kernels of
 * the arch meant without objects, so skipped, and the app with an empty bundle.
 */
function objectsArch(arch: string): string {
  if (KNOWN_ARCHES.includes(arch)) return arch;
  const meant = normalizeArch(arch.toLowerCase().replace('-', '_'));
  const hint = KNOWN_ARCHES.includes(meant) ? ` (did you mean '${meant}'?)` : '';
  return fail(
    `option 'objects' has an unknown arch '${arch}'${hint}: the arches are BTFHub's, ${KNOWN_ARCHES.join(', ')}`,
  );
}

function objectGlobs(value: unknown): ObjectGlobs {
  if (value === undefined) return [];
  if (Array.isArray(value)) return stringList('objects', value) ?? [];
  if (!isRecord(value)) return fail(`option 'objects' must be an array of globs or { <arch>: globs[] }`);
  // own properties only, `__proto__` too (a JSON config can hold one): fromEntries defines them as given
  return Object.fromEntries(
    Object.entries(value).map(([arch, globs]) => [
      objectsArch(arch),
      stringList(`objects.${arch}`, globs) ?? [],
    ]),
  );
}

function runtimeDefaults(value: unknown): ResolvedOptions['runtime'] {
  if (value === undefined) return {};
  if (!isRecord(value)) return fail(`option 'runtime' must be an object { nearest?, hostRoot? }`);
  const { nearest, hostRoot, ...rest } = value;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) fail(`unknown option 'runtime.${unknown}' (expected nearest, hostRoot)`);
  if (nearest !== undefined && typeof nearest !== 'boolean' && nearest !== 'bracketed')
    fail(`option 'runtime.nearest' must be false, 'bracketed' or true`);
  if (hostRoot !== undefined && (typeof hostRoot !== 'string' || hostRoot === '')) {
    fail(`option 'runtime.hostRoot' must be a non-empty string`);
  }
  return {
    ...(nearest === undefined ? {} : { nearest: nearest as boolean | 'bracketed' }),
    ...(hostRoot === undefined ? {} : { hostRoot: hostRoot as string }),
  };
}

/** Validates user options (throws a UsageError naming the option) and applies defaults. */
export function resolveOptions(raw: unknown): ResolvedOptions {
  if (!isRecord(raw)) return fail('options must be an object with at least { snapshot }');
  for (const key of Object.keys(raw)) if (!KEYS.has(key)) fail(`unknown option '${key}'`);
  if (typeof raw.snapshot !== 'string' || raw.snapshot === '')
    fail(`option 'snapshot' (a directory or git+<url>[#ref]) is required`);
  try {
    parseGitSnapshot(raw.snapshot as string);
  } catch (err) {
    fail(`option ${(err as Error).message}`);
  }
  const cacheDir = raw.cacheDir;
  if (cacheDir !== undefined && cacheDir !== false && (typeof cacheDir !== 'string' || cacheDir === '')) {
    fail(`option 'cacheDir' must be a directory or false`);
  }
  if (raw.root !== undefined && (typeof raw.root !== 'string' || raw.root === ''))
    fail(`option 'root' must be a directory`);
  return {
    snapshot: raw.snapshot as string,
    objects: objectGlobs(raw.objects),
    include: shared('include', raw.include),
    exclude: shared('exclude', raw.exclude),
    cacheDir: cacheDir as string | false | undefined,
    emit: oneOf('emit', raw.emit, ['inline', 'asset'], 'inline'),
    runtimeModule: oneOf('runtimeModule', raw.runtimeModule, ['bundled', 'external'], 'bundled'),
    runtime: runtimeDefaults(raw.runtime),
    failOn: shared('failOn', raw.failOn),
    reportHtml: shared('reportHtml', raw.reportHtml),
    mode: shared('mode', raw.mode),
    workers: shared('workers', raw.workers),
    root: raw.root as string | undefined,
  };
}
