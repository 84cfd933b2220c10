/** What an option of the build takes. */
export type BuildOptionKind =
  /** A path or git remote (non-empty string). */
  | 'path'
  /** Globs or paths, several allowed. */
  | 'globs'
  /** A positive integer. */
  | 'count'
  /** One of `choices`. */
  | 'choice';

/** One build option shared by the CLI (`btf-bundle build`) and the bundler plugin. */
export interface BuildOptionSpec {
  /** Name in the plugin's options (and `buildBundle`'s). */
  name: string;
  /** The CLI flag (without `--`). */
  flag: string;
  /** What it takes. */
  kind: BuildOptionKind;
  /** The values of a `choice` (the first is the default). */
  choices?: readonly string[];
  /** The value's name in the CLI help (`DIR`, `GLOB`, `N`, ...). */
  arg: string;
  /** What happens without it, in words (shown in the help). */
  default?: string;
  /** One line of help (a second line may follow after `\n`). */
  doc: string;
}

/**
 * The build options the CLI and the plugin share: the CLI's flags and help and the plugin's validation of these
 * options are derived from this table, so both take the same values with the same defaults.
 */
export const BUILD_OPTIONS = [
  {
    name: 'snapshot',
    flag: 'snapshot',
    kind: 'path',
    arg: 'DIR|git+URL',
    doc: 'snapshot dir (<distro>/<version>/<arch>/<release>.btf[.tar.xz]) or git+<url>[#ref]',
  },
  {
    name: 'objects',
    flag: 'objects',
    kind: 'globs',
    arg: 'GLOB...',
    doc:
      '.bpf.o files or globs (several after one flag, or repeated; braces, ?, [..] and ** work;\n' +
      'bpf2go names *_x86_bpfel.o, *_arm64_bpfel.o pick their arch)',
  },
  {
    name: 'include',
    flag: 'include',
    kind: 'globs',
    arg: 'GLOB',
    default: 'all',
    doc: 'kernel files to include, relative to the snapshot; repeatable',
  },
  {
    name: 'exclude',
    flag: 'exclude',
    kind: 'globs',
    arg: 'GLOB',
    doc: 'kernel files to exclude; repeatable',
  },
  {
    name: 'workers',
    flag: 'workers',
    kind: 'count',
    arg: 'N',
    default: 'one per core, fewer for few kernels',
    doc: 'kernels minimized at once, at most one per core',
  },
  {
    name: 'cacheDir',
    flag: 'cache-dir',
    kind: 'path',
    arg: 'DIR',
    default: 'node_modules/.cache/btf-bundle',
    doc: 'cache dir',
  },
  {
    name: 'failOn',
    flag: 'fail-on',
    kind: 'choice',
    choices: ['never', 'unreadable', 'error'],
    arg: 'WHEN',
    doc: 'which failed kernels fail the build',
  },
  {
    name: 'mode',
    flag: 'mode',
    kind: 'choice',
    choices: ['robust', 'bpftool'],
    arg: 'MODE',
    doc: 'minimizer mode',
  },
  {
    name: 'reportHtml',
    flag: 'report-html',
    kind: 'path',
    arg: 'FILE',
    doc: 'also write the coverage picture as one self-contained HTML page',
  },
] as const satisfies readonly BuildOptionSpec[];

/** The name of a shared option. */
export type BuildOptionName = (typeof BUILD_OPTIONS)[number]['name'];

/** The option of the table named `name`. */
export function buildOption(name: BuildOptionName): BuildOptionSpec {
  return BUILD_OPTIONS.find((o) => o.name === name) as BuildOptionSpec;
}

/** The values a `choice` option takes, the default first. */
export function choicesOf<T extends string>(name: BuildOptionName): readonly T[] {
  return (buildOption(name).choices ?? []) as readonly T[];
}

/** The parseArgs config of the options of `T`, by flag: every one a string, `globs` repeatable. */
export type CliOptionConfig<T extends readonly BuildOptionSpec[]> = {
  [S in T[number] as S['flag']]: S['kind'] extends 'globs'
    ? { type: 'string'; multiple: true }
    : { type: 'string' };
};

/** The `node:util` parseArgs config of the options: every one a string, `globs` repeatable. */
export function cliOptionConfig<const T extends readonly BuildOptionSpec[]>(specs: T): CliOptionConfig<T> {
  return Object.fromEntries(
    specs.map((s) => [s.flag, s.kind === 'globs' ? { type: 'string', multiple: true } : { type: 'string' }]),
  ) as CliOptionConfig<T>;
}

const HELP_COLUMN = 24;

/** The help of the options, one aligned `  --flag ARG   doc (default ...)` entry each. */
export function cliOptionHelp(specs: readonly BuildOptionSpec[]): string[] {
  return specs.flatMap((s) => {
    const head = `  --${s.flag} ${s.arg}`;
    const choices = s.choices ? `${s.choices[0]} (default) | ${s.choices.slice(1).join(' | ')}: ` : '';
    const fallback = s.default ? ` (default ${s.default})` : '';
    const lines = `${choices}${s.doc}${fallback}`.split('\n');
    const indent = ' '.repeat(HELP_COLUMN);
    // A flag too long for the column gets its own line, the doc below it.
    if (head.length >= HELP_COLUMN - 1) return [head, ...lines.map((line) => `${indent}${line}`)];
    const [first, ...rest] = lines;
    return [`${head.padEnd(HELP_COLUMN)}${first}`, ...rest.map((line) => `${indent}${line}`)];
  });
}

/**
 * The value of a shared option given to the plugin, checked against its kind: undefined when absent (a
 * `choice` then takes its default); `fail` is called with a message naming the option otherwise.
 */
export function checkBuildOption(
  spec: BuildOptionSpec,
  value: unknown,
  fail: (message: string) => never,
): unknown {
  if (value === undefined) return spec.kind === 'choice' ? spec.choices?.[0] : undefined;
  const name = `option '${spec.name}'`;
  switch (spec.kind) {
    case 'path':
      return typeof value === 'string' && value !== '' ? value : fail(`${name} must be a non-empty string`);
    case 'globs':
      return Array.isArray(value) && value.every((v) => typeof v === 'string' && v !== '')
        ? value
        : fail(`${name} must be an array of non-empty strings`);
    case 'count':
      return Number.isInteger(value) && (value as number) >= 1
        ? value
        : fail(`${name} must be a positive integer`);
    case 'choice':
      return checkChoice(spec.name, value, spec.choices ?? [], fail);
  }
}

/** `value` if it is one of `allowed`, else `fail` called with a message naming option `name` and the choices. */
export function checkChoice<T extends string>(
  name: string,
  value: unknown,
  allowed: readonly T[],
  fail: (message: string) => never,
): T {
  if (allowed.includes(value as T)) return value as T;
  const list = allowed.map((a) => `'${a}'`).join(', ');
  return fail(`option '${name}' must be one of ${list}, got ${JSON.stringify(value)}`);
}
