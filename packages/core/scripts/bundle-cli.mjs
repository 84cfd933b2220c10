// Bundles the `btf-bundle` CLI (dist/cli/main.js) and its batch worker (dist/batch/worker.js), as compiled by tsc,
// into dist/bin/ with esbuild: one file per entry plus shared chunks, instead of ~50 modules and fast-glob's ~30
// CommonJS files resolved through node_modules at every start. On this project's 2-core CI machine that loading
// took longer than the work itself for one kernel (see BENCHMARKS.md). Sub-commands and the xz/tar readers stay
// lazily loaded chunks. Relative `import.meta.url` paths keep working: dist/bin/ is as deep as dist/cli/ (the
// package.json read by version/version.ts), and the batch pool's `./worker.js` is the worker entry next to it.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
rmSync(`${root}dist/bin`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { 'btf-bundle': 'dist/cli/main.js', worker: 'dist/batch/worker.js' },
  outdir: 'dist/bin',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  // CommonJS dependencies (fast-glob) call require() for Node built-ins, which ESM output must provide.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'warning',
});
