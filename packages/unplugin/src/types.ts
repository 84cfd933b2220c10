import type { FailOn, MinimizeMode } from '@btf-bundle/core';

/** Objects to minimize for: globs for every arch, or globs per BTFHub arch (`{ x86_64: [...], arm64: [...] }`). */
export type ObjectGlobs = string[] | Partial<Record<string, string[]>>;

/** How the bundle ships with the app. */
export type EmitMode =
  /** Embedded in the JavaScript output as base64. */
  | 'inline'
  /** A `.btfb` file emitted next to the output, read at run time relative to the output file. */
  | 'asset';

/** Where the generated code's runtime (`unplugin-btf-bundle/runtime`) comes from. */
export type RuntimeModule =
  /** Bundled into the app's output by every bundler: the output runs without `node_modules`. */
  | 'bundled'
  /** Left as an `import` of `unplugin-btf-bundle/runtime`: the app needs the package at run time. */
  | 'external';

/** Defaults of the generated module's kernel lookups. */
export interface RuntimeDefaults {
  /**
   * Accept a release the bundle lacks: `'bracketed'` when its closest older and newer kernels of the same
   * distro/version/arch/flavour share one BTF, `true` also the nearest release of that series.
   * @default false
   */
  nearest?: boolean | 'bracketed';
  /**
   * Host root for kernel detection (e.g. `/host` in a container).
   * @default '/'
   */
  hostRoot?: string;
}

/** Options of `unplugin-btf-bundle`. Relative paths are resolved against `root`. */
export interface BtfBundleOptions {
  /**
   * Snapshot in BTFHub archive layout (`<distro>/<version>/<arch>/<release>.btf[.tar.xz]`): a directory, or a git
   * remote as `git+<url>[#ref]` (e.g. `git+https://github.com/aquasecurity/btfhub-archive.git`), fetched blobless and
   * sparse into `cacheDir` with only the kernels that `include`/`exclude` and the objects' arches select. Required.
   */
  snapshot: string;
  /**
   * Extra `.bpf.o` globs (fast-glob syntax) to minimize for, besides the objects the app imports. A pattern without
   * glob characters must name an existing file.
   * @default []
   */
  objects?: ObjectGlobs;
  /**
   * Globs (relative to the snapshot directory) of kernel files to include.
   * @default every kernel file
   */
  include?: string[];
  /**
   * Globs of kernel files to exclude.
   * @default none
   */
  exclude?: string[];
  /**
   * Build cache directory; `false` disables it.
   * @default 'node_modules/.cache/btf-bundle' (under `root`)
   */
  cacheDir?: string | false;
  /**
   * How the bundle ships (vite's dev server always inlines it).
   * @default 'inline'
   */
  emit?: EmitMode;
  /**
   * Whether the generated code's runtime is bundled into the output or imported from the package at run time.
   * @default 'bundled'
   */
  runtimeModule?: RuntimeModule;
  /**
   * Defaults of the generated module's lookups.
   * @default {}
   */
  runtime?: RuntimeDefaults;
  /**
   * When to fail the build instead of reporting and skipping kernels.
   * @default 'never'
   */
  failOn?: FailOn;
  /**
   * Also write the build's coverage picture to this file: one self-contained HTML page (the CLI's `--report-html`).
   * Not inside the snapshot directory (refused, as a build writing there would start the next one in watch mode).
   * @default undefined (no page)
   */
  reportHtml?: string;
  /**
   * Minimizer mode (`'bpftool'`: byte-identical to `bpftool gen min_core_btf`).
   * @default 'robust'
   */
  mode?: MinimizeMode;
  /**
   * Worker threads of the minimizer (at most one per core: more are capped, with a warning).
   * @default one per core, fewer for few kernels
   */
  workers?: number;
  /**
   * Directory relative paths are resolved against.
   * @default the bundler's root (vite) or the working directory
   */
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
  runtimeModule: RuntimeModule;
  runtime: RuntimeDefaults;
  failOn: FailOn;
  reportHtml: string | undefined;
  mode: MinimizeMode;
  workers: number | undefined;
  /** Set by the user; otherwise the bundler's root or the cwd. */
  root: string | undefined;
}
