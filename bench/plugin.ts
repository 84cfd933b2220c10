// Plugin benchmark: time spent inside unplugin-btf-bundle (all its esbuild callbacks: resolve, load, onEnd with
// the bundle build and placeholder replacement) while building the example app, cold (empty cache) and warm
// (a new plugin instance, as in a new process, over the filled cache). Needs `pnpm build` and `pnpm install`.
// Run from the repo root:
//   pnpm bench plugin
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Esbuild from 'esbuild';
import type { BtfBundleOptions, unplugin as Unplugin } from '../packages/unplugin/src/index.js';
import { median } from './lib/stats.js';

// Loaded at run time: the built plugin, esbuild from the e2e package, the examples' options (which locate the
// snapshot relative to themselves).
const load = async <T>(path: string) => (await import(pathToFileURL(path).href)) as T;
const esbuild = await load<typeof Esbuild>(
  createRequire(resolve('test/e2e/package.json')).resolve('esbuild'),
);
const { unplugin: btfBundle } = await load<{ unplugin: typeof Unplugin }>(
  resolve('packages/unplugin/dist/index.js'),
);
const { btfBundleOptions } = await load<{ btfBundleOptions: BtfBundleOptions }>(
  resolve('examples/shared/options.js'),
);

const WARM_RUNS = 5;
// test/e2e/dist is git-ignored: absent on a fresh clone.
mkdirSync(resolve('test/e2e/dist'), { recursive: true });
const work = mkdtempSync(join(resolve('test/e2e/dist'), 'bench-'));

/** The plugin with every callback it registers timed; `spent()` is the total so far (ms). */
function timedPlugin(plugin: Esbuild.Plugin): { plugin: Esbuild.Plugin; spent: () => number } {
  let total = 0;
  const time =
    <A extends unknown[], R>(fn: (...args: A) => R) =>
    async (...args: A): Promise<Awaited<R>> => {
      const start = performance.now();
      try {
        return await fn(...args);
      } finally {
        total += performance.now() - start;
      }
    };
  const wrapped: Esbuild.Plugin = {
    name: plugin.name,
    setup: (build) =>
      plugin.setup({
        ...build,
        onStart: (cb) => build.onStart(time(cb)),
        onEnd: (cb) => build.onEnd(time(cb)),
        onResolve: (options, cb) => build.onResolve(options, time(cb)),
        onLoad: (options, cb) => build.onLoad(options, time(cb)),
      }),
  };
  return { plugin: wrapped, spent: () => total };
}

async function buildOnce(cacheDir: string): Promise<{ plugin: number; total: number }> {
  const { plugin, spent } = timedPlugin(btfBundle.esbuild({ ...btfBundleOptions, cacheDir }));
  const start = performance.now();
  await esbuild.build({
    entryPoints: { main: resolve('examples/shared/main.js') },
    bundle: true,
    platform: 'node',
    format: 'esm',
    outdir: join(work, 'out'),
    logLevel: 'silent',
    plugins: [plugin],
  });
  return { plugin: spent(), total: performance.now() - start };
}

const ms = (n: number) => `${Math.round(n)} ms`;
try {
  const cacheDir = join(work, 'cache');
  const cold = await buildOnce(cacheDir);
  const warm: { plugin: number; total: number }[] = [];
  for (let i = 0; i < WARM_RUNS; i++) warm.push(await buildOnce(cacheDir));
  console.log('| build | in plugin | whole esbuild build |');
  console.log('|---|---|---|');
  console.log(`| cold (empty cache) | ${ms(cold.plugin)} | ${ms(cold.total)} |`);
  console.log(
    `| warm (median of ${WARM_RUNS}) | ${ms(median(warm.map((w) => w.plugin)))} | ${ms(median(warm.map((w) => w.total)))} |`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
