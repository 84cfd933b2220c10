// Bundles the `btf-bundle` CLI, as compiled by tsc, into dist/bin/ with esbuild:
// - cli.cjs: the whole CLI (dist/cli/main.js and what it imports, fast-glob's CommonJS files included) as one
//   CommonJS script, instead of ~50 modules and ~30 files resolved through node_modules at every start. On this
//   project's 2-core CI machine that loading took longer than the work itself for one kernel (see BENCHMARKS.md).
//   CommonJS because only a script, not an ES module, can be compiled with V8's code cache on Node 20.
//   Sub-commands and the xz/tar readers stay lazily initialized inside it.
// - btf-bundle.cjs: the executable, a few lines (dist/cli/bin.js) that run cli.cjs with that code cache; a
//   script too, as Node starts a script ~9 ms sooner than an ES module.
// - worker.js: the batch worker (dist/batch/worker.js), the pool's `./worker.js` next to cli.cjs.
// `import.meta.url` in cli.cjs is the URL of cli.cjs itself: dist/bin/ is as deep as dist/cli/ (the package.json
// read by version/version.ts).
// `--outdir DIR` writes the three files into DIR (which must be empty or missing) instead of dist/bin/ (the
// build's determinism test builds twice and compares).
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { RUNTIME_ROOT, runtimeEntries } from '../../runtime/scripts/entries.mjs';

const root = new URL('..', import.meta.url).pathname;
const runtimeSourceOf = new Map(runtimeEntries().map(({ key, source }) => [key, join(RUNTIME_ROOT, source)]));

/**
 * Resolves `@btf-bundle/runtime` and its `/internal…` entries to the runtime's TypeScript sources, not to its
 * bundled files: in the CLI each of its modules then stays apart, initialized when first used, so that only the
 * commands that read bundles load the bundle decoder and node:zlib with it (the runtime's build puts the code its
 * entries share in one chunk).
 */
const runtimeSources = {
  name: 'runtime-sources',
  setup(esbuild) {
    esbuild.onResolve({ filter: /^@btf-bundle\/runtime(\/|$)/ }, ({ path }) => {
      const source = runtimeSourceOf.get(`.${path.slice('@btf-bundle/runtime'.length)}`);
      if (!source) return { errors: [{ text: `${path} is not an export of @btf-bundle/runtime` }] };
      return { path: source };
    });
  },
};

const { outdir } = parseArgs({ options: { outdir: { type: 'string' } } }).values;
const bin = outdir ? resolve(outdir) : join(root, 'dist/bin');
if (!outdir) rmSync(bin, { recursive: true, force: true });
else if (existsSync(bin) && readdirSync(bin).length > 0) throw new Error(`--outdir ${outdir} is not empty`);
const common = {
  absWorkingDir: root,
  outdir: bin,
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  plugins: [runtimeSources],
  // The runtime's TypeScript is compiled under its own tsconfig, named here: left to find it, esbuild 0.28 gave some
  // of those modules "use strict" and some not, differently from one build to the next (a CLI bundle of other bytes
  // from the same inputs).
  tsconfig: join(RUNTIME_ROOT, 'tsconfig.json'),
  logLevel: 'warning',
};
// CommonJS dependencies (fast-glob) call require() for Node built-ins, which ESM output must provide.
const esmRequire =
  "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);";
// Scripts: `import.meta.url` is the URL of the script file itself. Without comments or indentation (a smaller
// file to read at every start) and pure ASCII (esbuild escapes other characters in code), which the executable
// reads as latin1.
const script = {
  ...common,
  minifyWhitespace: true,
  charset: 'ascii',
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  define: { 'import.meta.url': '__btfBundleUrl' },
  banner: { js: "'use strict'; var __btfBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
};
await Promise.all([
  build({ ...script, entryPoints: { cli: 'dist/cli/main.js' } }),
  build({ ...script, entryPoints: { 'btf-bundle': 'dist/cli/bin.js' } }),
  build({
    ...common,
    entryPoints: { worker: 'dist/batch/worker.js' },
    format: 'esm',
    banner: { js: esmRequire },
  }),
]);
const cli = readFileSync(join(bin, 'cli.cjs'));
const nonAscii = cli.findIndex((b) => b > 0x7f);
if (nonAscii >= 0) throw new Error(`${join(bin, 'cli.cjs')} has a non-ASCII byte at offset ${nonAscii}`);
