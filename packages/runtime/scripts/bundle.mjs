#!/usr/bin/env node
// Bundles the runtime's JavaScript into dist/ with esbuild, next to the declarations tsc writes there: one file per
// entry of package.json's "exports" (index.js, internal.js, errors.js, format/btf-layout.js, elf.js) and the code
// they share in dist/chunks/, so that every entry sees the same classes (an error thrown through one is an instance
// of the class exported by another). An app that imports the runtime without a bundler then loads 5 modules
// instead of 30, each resolved and read by Node's ES module loader: on this project's 2-core machine that makes
// the import 2.5 times faster (31–36 → 13–14 ms; see BENCHMARKS.md). The code is not minified; source maps
// point into src/, which the package ships.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const { exports } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/** `format/btf-layout` → `src/format/btf-layout.ts` for `./dist/format/btf-layout.js`: the exports' sources. */
const entryPoints = Object.fromEntries(
  Object.values(exports).map(({ default: file }) => {
    const name = file.replace(/^\.\/dist\/(.*)\.js$/, '$1');
    return [name, `src/${name}.ts`];
  }),
);

/** Removes the JavaScript and its source maps under `dir` (tsc's declarations stay). */
function removeJavaScript(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) removeJavaScript(path);
    else if (/\.js(\.map)?$/.test(entry.name)) rmSync(path);
  }
}

if (existsSync(dist)) removeJavaScript(dist);
await build({
  absWorkingDir: root,
  entryPoints,
  outdir: 'dist',
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
});
