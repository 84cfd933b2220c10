// Coverage report and inexact-lookup benchmark at BTFHub scale (1,000 kernels × 50 objects, synthetic counts):
//   - the text table (`formatReport`) and the HTML page (`renderHtmlReport`): time and size, median of 7;
//   - the HTML page drawn in headless chromium (`data-draw-ms`, the page's own script time), median of 3,
//     when `chromium` is installed (Debian package `chromium`);
//   - run time: a fresh `node` process decodes a 1,000-kernel bundle (real reduced BTFs of the sample snapshot,
//     runs of 10 consecutive releases sharing one) and looks up a release it lacks with `nearest: 'bracketed'`:
//     index decode and first lookup (no BTF inflated) timed apart, module import excluded, median/max of 15
//     processes, NODE_EXTRA_CA_CERTS unset.
// Run from the repo root: `pnpm bench report` (needs `pnpm build`: the cold runs import the built runtime).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { encodeBundle } from '../packages/core/src/bundle/encode.js';
import { renderHtmlReport } from '../packages/core/src/report/html.js';
import { formatReport } from '../packages/core/src/report/table.js';
import { loadRealKernels, REAL_SETS, realBundleInput } from './lib/fixtures.js';
import { CLEAN_ENV } from './lib/processes.js';
import { scaleReport } from './lib/report-scale.js';
import { median } from './lib/stats.js';

const KERNELS = 1000;
const OBJECTS = 50;
const dir = mkdtempSync(join(tmpdir(), 'btf-bundle-report-'));
const timed = <T>(f: () => T): [T, number] => {
  const t = performance.now();
  const value = f();
  return [value, performance.now() - t];
};

const report = scaleReport(KERNELS, OBJECTS);
const text = Array.from({ length: 7 }, () => timed(() => formatReport(report)));
const html = Array.from({ length: 7 }, () => timed(() => renderHtmlReport(report)));
const page = join(dir, 'coverage.html');
writeFileSync(page, html[0]![0]);

const draws: number[] = [];
if (!spawnSync('chromium', ['--version']).error) {
  for (let i = 0; i < 3; i++) {
    const dom = execFileSync(
      'chromium',
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        `--user-data-dir=${join(dir, 'profile')}`,
        '--dump-dom',
        pathToFileURL(page).href,
      ],
      { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] },
    );
    draws.push(Number(/data-draw-ms="(\d+)"/.exec(dom)?.[1]));
  }
}

// A 1,000-kernel bundle: Ubuntu-style releases 5.4.0-2, -4, … (odd ones missing), ten in a row per real blob.
const blobs = realBundleInput(await loadRealKernels(), REAL_SETS[0]!).kernels.map((k) => k.blob);
const kernels = Array.from({ length: KERNELS }, (_, i) => ({
  key: { distro: 'ubuntu', version: '20.04', arch: 'x86_64', release: `5.4.0-${2 * (i + 1)}-generic` },
  blob: blobs[Math.floor(i / 10) % blobs.length]!,
}));
const bundleFile = join(dir, 'bundle.btfb');
writeFileSync(bundleFile, encodeBundle({ kernels, objects: [], meta: {} }).bytes);
const runtime = pathToFileURL(resolve('packages/runtime/dist/index.js')).href;
const script = `
const bytes = (await import('node:fs')).readFileSync(${JSON.stringify(bundleFile)});
const { decodeBundle } = await import(${JSON.stringify(runtime)});
const t0 = performance.now();
const bundle = decodeBundle(bytes);
const t1 = performance.now();
const match = bundle.match(
  { distro: 'ubuntu', version: '20.04', arch: 'x86_64', release: '5.4.0-995-generic' },
  { nearest: 'bracketed' },
);
const t2 = performance.now();
if (match?.kind !== 'bracketed') throw new Error('expected a bracketed match');
console.log(JSON.stringify([t1 - t0, t2 - t1]));
`;
const cold = Array.from({ length: 15 }, () =>
  JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
      env: CLEAN_ENV,
    }),
  ),
) as [number, number][];
rmSync(dir, { recursive: true, force: true });

const ms = (values: number[]) => `${median(values).toFixed(1)}`;
console.log(`${KERNELS} kernels × ${OBJECTS} objects (synthetic counts; runs of 10 identical BTFs)\n`);
console.log('| measure | median (ms) | size |');
console.log('|---|---:|---:|');
console.log(
  `| text table (\`formatReport\`) | ${ms(text.map((t) => t[1]))} | ${text[0]![0].split('\n').length} lines |`,
);
console.log(
  `| HTML page (\`renderHtmlReport\`) | ${ms(html.map((t) => t[1]))} | ${(html[0]![0].length / 1024).toFixed(0)} KiB |`,
);
console.log(
  draws.length
    ? `| HTML page drawn in headless chromium (its script) | ${ms(draws)} | |`
    : '| HTML page drawn in headless chromium | not run: no chromium | |',
);
const coldRow = (what: string, values: number[]) =>
  console.log(`| cold process, ${what} (max ${Math.max(...values).toFixed(1)}) | ${ms(values)} | |`);
coldRow(
  `decode of the ${KERNELS}-kernel bundle's index`,
  cold.map((c) => c[0]),
);
coldRow(
  "first lookup of a missing release, nearest: 'bracketed'",
  cold.map((c) => c[1]),
);
