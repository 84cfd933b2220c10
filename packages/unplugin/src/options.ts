import { type FailOn, type MinimizeMode, UsageError } from '@btf-bundle/core';

/** Objects to minimize for: globs for every arch, or globs per BTFHub arch (`{ x86_64: [...], arm64: [...] }`). */
export type ObjectGlobs = string[] | Partial<Record<string, string[]>>;

/** How the bundle ships with the app. */
export type EmitMode =
  /** Embedded in the JavaScript output as base64 (default). */
  | 'inline'
  /** A `.btfb` file emitted next to the output, read at run time relative to the output file. */
  | 'asset';

/** Options of `unplugin-btf-bundle`. Relative paths are resolved against `root`. */
export interface BtfBundleOptions {
  /** Snapshot directory in BTFHub archive layout (`<distro>/<version>/<arch>/<release>.btf[.tar.xz]`). */
  snapshot: string;
  /** Extra `.bpf.o` globs to minimize for, besides the objects the app imports. */
  objects?: ObjectGlobs;
  /** Globs (relative to the snapshot dir) of kernel files to include; default all. */
  include?: string[];
  /** Globs of kernel files to exclude. */
  exclude?: string[];
  /** Build cache directory; false disables it. Default `node_modules/.cache/btf-bundle` under `root`. */
  cacheDir?: string | false;
  /** How the bundle ships: `inline` (default) or `asset`. */
  emit?: EmitMode;
  /** Defaults of the generated module's lookups. */
  runtime?: {
    /**
     * Accept a release the bundle lacks: `'bracketed'` when its closest older and newer kernels share one BTF,
     * true also the nearest release of the same distro/version/arch/flavour. Default false.
     */
    nearest?: boolean | 'bracketed';
    /** Host root for kernel detection (e.g. `/host` in a container). Default `/`. */
    hostRoot?: string;
  };
  /** When to fail the build instead of reporting and skipping kernels. Default `never`. */
  failOn?: FailOn;
  /** Also write the build's coverage picture to this file: one self-contained HTML page (`--report-html`). */
  reportHtml?: string;
  /** Minimizer mode. Default `robust`. */
  mode?: MinimizeMode;
  /** Worker threads of the minimizer; default the number of cores. */
  workers?: number;
  /** Directory relative paths are resolved against. Default the bundler's root (vite) or the cwd. */
  root?: string;
}

/** {@link BtfBundleOptions} after validation, with defaults applied (paths as given). */
export interface ResolvedOptions {
  snapshot: string;
  objects: ObjectGlobs;
  include: string[] | undefined;
  exclude: string[] | undefined;
  cacheDir: string | false | undefined;
  emit: EmitMode;
  runtime: { nearest?: boolean | 'bracketed'; hostRoot?: string };
  failOn: FailOn;
  reportHtml: string | undefined;
  mode: MinimizeMode;
  workers: number | undefined;
  /** Set by the user; otherwise the bundler's root or the cwd. */
  root: string | undefined;
}

const KEYS = new Set([
  'snapshot',
  'objects',
  'include',
  'exclude',
  'cacheDir',
  'emit',
  'runtime',
  'failOn',
  'reportHtml',
  'mode',
  'workers',
  'root',
]);

const fail = (message: string): never => {
  throw new UsageError(`unplugin-btf-bundle: ${message}`);
};

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function stringList(name: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v !== '')) {
    return fail(`option '${name}' must be an array of non-empty strings`);
  }
  return value as string[];
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) {
    return fail(
      `option '${name}' must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

function objectGlobs(value: unknown): ObjectGlobs {
  if (value === undefined) return [];
  if (Array.isArray(value)) return stringList('objects', value) ?? [];
  if (!isRecord(value)) return fail(`option 'objects' must be an array of globs or { <arch>: globs[] }`);
  const out: Record<string, string[]> = {};
  for (const [arch, globs] of Object.entries(value)) out[arch] = stringList(`objects.${arch}`, globs) ?? [];
  return out;
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
    fail(`option 'snapshot' (a directory) is required`);
  const cacheDir = raw.cacheDir;
  if (cacheDir !== undefined && cacheDir !== false && (typeof cacheDir !== 'string' || cacheDir === '')) {
    fail(`option 'cacheDir' must be a directory or false`);
  }
  const workers = raw.workers;
  if (workers !== undefined && (!Number.isInteger(workers) || (workers as number) < 1)) {
    fail(`option 'workers' must be a positive integer`);
  }
  if (raw.root !== undefined && (typeof raw.root !== 'string' || raw.root === ''))
    fail(`option 'root' must be a directory`);
  if (raw.reportHtml !== undefined && (typeof raw.reportHtml !== 'string' || raw.reportHtml === ''))
    fail(`option 'reportHtml' must be a file path`);
  return {
    snapshot: raw.snapshot as string,
    objects: objectGlobs(raw.objects),
    include: stringList('include', raw.include),
    exclude: stringList('exclude', raw.exclude),
    cacheDir: cacheDir as string | false | undefined,
    emit: oneOf('emit', raw.emit, ['inline', 'asset'], 'inline'),
    runtime: runtimeDefaults(raw.runtime),
    failOn: oneOf('failOn', raw.failOn, ['never', 'unreadable', 'error'], 'never'),
    reportHtml: raw.reportHtml as string | undefined,
    mode: oneOf('mode', raw.mode, ['robust', 'bpftool'], 'robust'),
    workers: workers as number | undefined,
    root: raw.root as string | undefined,
  };
}
