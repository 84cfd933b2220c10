// Run-time decode benchmark for @btf-bundle/runtime, on the bundle of the fixture build (the real corpus objects
// over every sample-snapshot kernel, as `btf-bundle build` makes it):
//   - cold: a fresh `node` process per run that imports the runtime, decodes the bundle and looks one kernel up;
//     module import, decode and first lookup are timed separately (median/max of 15 processes);
//   - warm: repeated decodes and cached lookups in one process.
// Run from the repo root: `pnpm bench runtime-decode` (needs `pnpm build`: the cold runs import the built runtime).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeBundle, kernelId } from '../packages/runtime/src/index.js';
import { loadRealKernels, REAL_SETS, realBundle, realBundleInput } from './lib/fixtures.js';
import { median } from './lib/stats.js';

const RUNS = 15;
const runtime = pathToFileURL(resolve('packages/runtime/dist/index.js')).href;

const kernels = await loadRealKernels();
const input = realBundleInput(kernels, REAL_SETS[0]!);
const bytes = realBundle(input);
const id = kernelId(input.kernels[0]!.key);
const dir = mkdtempSync(join(tmpdir(), 'btf-bundle-decode-'));
const file = join(dir, 'bundle.btfb');
writeFileSync(file, bytes);

// One fresh process: prints import, decode and first-lookup times in ms.
const script = `
const { readFileSync } = await import('node:fs');
const bytes = readFileSync(${JSON.stringify(file)});
const t0 = performance.now();
const { decodeBundle } = await import(${JSON.stringify(runtime)});
const t1 = performance.now();
const bundle = decodeBundle(bytes);
const t2 = performance.now();
const btf = bundle.get(${JSON.stringify(id)});
const t3 = performance.now();
if (!btf) throw new Error('kernel not found');
console.log(JSON.stringify([t1 - t0, t2 - t1, t3 - t2]));
`;
const cold = Array.from({ length: RUNS }, () =>
  JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })),
) as [number, number, number][];
rmSync(dir, { recursive: true });

const stat = (values: number[]) => `${median(values).toFixed(2)} / ${Math.max(...values).toFixed(2)}`;
const decodeAndLookup = cold.map(([, d, g]) => d + g);

const WARM = 200;
const t0 = performance.now();
for (let i = 0; i < WARM; i++) decodeBundle(bytes).get(id);
const warmDecode = (performance.now() - t0) / WARM;
const bundle = decodeBundle(bytes);
bundle.get(id);
const t1 = performance.now();
for (let i = 0; i < 100_000; i++) bundle.get(id);
const cached = (performance.now() - t1) / 100_000;

console.log(`bundle: ${bytes.length} B, ${input.kernels.length} kernels (fixture build); kernel ${id}\n`);
console.log('| measure | median / max (ms) |');
console.log('|---|---|');
console.log(`| cold process: import of @btf-bundle/runtime | ${stat(cold.map((c) => c[0]))} |`);
console.log(`| cold process: decodeBundle | ${stat(cold.map((c) => c[1]))} |`);
console.log(`| cold process: first lookup (inflate + rebuild one BTF) | ${stat(cold.map((c) => c[2]))} |`);
console.log(`| **cold process: decode + first lookup** (target < 5 ms) | **${stat(decodeAndLookup)}** |`);
console.log(`| warm: decode + first lookup | ${warmDecode.toFixed(3)} |`);
console.log(`| warm: cached lookup | ${cached.toFixed(5)} |`);
