// Runs the benchmarks under bench/: `pnpm bench` runs all, `pnpm bench build plugin` some. Each bench is a
// TypeScript entry bundled with esbuild into node_modules/.cache/btf-bundle-bench/ and run with node from the
// repo root; results go to stdout as markdown tables (copied into BENCHMARKS.md).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const all = readdirSync('bench')
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3));
const names = process.argv.slice(2);
for (const name of names)
  if (!all.includes(name)) throw new Error(`no bench/${name}.ts (have: ${all.join(', ')})`);

let failed = 0;
for (const name of names.length ? names : all) {
  const outfile = join('node_modules/.cache/btf-bundle-bench', `${name}.mjs`);
  await build({
    entryPoints: [join('bench', `${name}.ts`)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    logLevel: 'warning',
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
  });
  console.log(`\n## bench/${name}.ts\n`);
  const { status } = spawnSync(process.execPath, [outfile], { stdio: 'inherit' });
  if (status !== 0) failed++;
}
process.exitCode = failed ? 1 : 0;
