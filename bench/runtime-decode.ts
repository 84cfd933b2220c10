// Run-time cost of @btf-bundle/runtime: `createBtfBundle(() => bytes)` + the first `findBtf(kernel)` in a fresh
// `node` process, module import excluded (timed separately, and the sum of the three shown apart: what an app that
// imports the runtime without a bundler waits for), median/max of 15 processes, with a full collection between the
// import and the window (see `script`) and, in turn with those, 15 without it; on three bundles, whose processes
// also take turns (see `measureCold`):
//   - the fixture build: the four real objects over the 8 sample-snapshot kernels;
//   - the agent corpus (bench/lib/scale-fixtures.ts) over 11 kernels (real ones, topped up with drifted variants);
//   - the same corpus with 1,000 kernel entries: 100 kernels (real + drifted) and 900 more entries under
//     BTFHub-like names (ubuntu/centos/amzn/rhel releases) sharing their BTFs, as a big snapshot's duplicates do.
// The kernel looked up is the last entry of the bundle; the lookup searches the releases of its
// distro/version/arch group (180 of the 1,000 entries in the last bundle).
// Warm rows: the same work (createBtfBundle + first findBtf on a fresh instance), averaged over repeated calls in
// one process, once compiled.
// Run from the repo root: `pnpm bench runtime-decode` (the cold runs import the built runtime in packages/runtime/dist).
// Real kernels come from sample-snapshot/ and the benchmark kernel cache (BTF_BUNDLE_KERNELS, default .cache/kernels), BENCH_AGENT_DIR to use other objects.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { encodeBundle } from '../packages/core/src/bundle/encode.js';
import { createBtfBundle, decodeBundle, type KernelKey } from '../packages/runtime/src/index.js';
import { loadRealKernels, REAL_SETS, realBundle, realBundleInput } from './lib/fixtures.js';
import { CLEAN_ENV } from './lib/processes.js';
import { agentCorpus, realScaleKernels, reduceAll, scaleKernels } from './lib/scale-fixtures.js';
import { median } from './lib/stats.js';

const RUNS = 15;
const runtime = pathToFileURL(resolve('packages/runtime/dist/index.js')).href;
const META = { tool: 'btf-bundle', version: '0.1.0', mode: 'robust' };

/** BTFHub-like names for duplicated entries: distro, version, arch, release pattern. */
const SERIES: readonly [string, string, string, (n: number) => string][] = [
  ['ubuntu', '20.04', 'x86_64', (n) => `5.4.0-${n}-generic`],
  ['ubuntu', '22.04', 'x86_64', (n) => `5.15.0-${n}-generic`],
  ['centos', '8', 'x86_64', (n) => `4.18.0-${n}.el8.x86_64`],
  ['amzn', '2', 'x86_64', (n) => `5.10.${n}-99.amzn2.x86_64`],
  ['rhel', '9', 'x86_64', (n) => `5.14.0-${n}.el9.x86_64`],
];

/** `entries` kernel entries: `kernels` first, then the series above, each reusing one of their BTFs in turn. */
function withDuplicates(kernels: { key: KernelKey; blob: Uint8Array }[], entries: number) {
  const out = [...kernels];
  for (let n = 1; out.length < entries; n++)
    for (const [distro, version, arch, release] of SERIES)
      if (out.length < entries)
        out.push({
          key: { distro, version, arch, release: release(n) },
          blob: kernels[out.length % kernels.length]!.blob,
        });
  return out;
}

// One fresh process: prints [import, createBtfBundle, first findBtf] in ms and the page faults taken between the
// two ends of the window (`process.resourceUsage()`, read once before to set it up: each fault costs from ~1 µs on
// bare metal to ~11 µs on a machine whose hypervisor virtualizes page tables in software, see BENCHMARKS.md). With
// `collect`, a full collection runs between the import and the timed window: the garbage of Node's start and of
// the import is then not collected in the window. Without it, the process's first scavenge lands wherever the
// young generation fills up (the window starts with ~17 KB of it free), in the import or in the window depending
// on a few kilobytes the import allocates.
const script = (file: string, key: KernelKey, collect: boolean) => `
const { readFileSync } = await import('node:fs');
const bytes = readFileSync(${JSON.stringify(file)});
const t0 = performance.now();
const { createBtfBundle } = await import(${JSON.stringify(runtime)});
const t1 = performance.now();
${collect ? 'gc();' : ''}
process.resourceUsage();
const f2 = process.resourceUsage().minorPageFault;
const t2 = performance.now();
const api = createBtfBundle(() => bytes);
const t3 = performance.now();
const found = await api.findBtf(${JSON.stringify(key)});
const t4 = performance.now();
const f4 = process.resourceUsage().minorPageFault;
if (!found) throw new Error('kernel not found');
console.log(JSON.stringify([t1 - t0, t3 - t2, t4 - t3, f4 - f2]));
`;

const stat = (values: number[]) => `${median(values).toFixed(2)} / ${Math.max(...values).toFixed(2)}`;

/** What one fresh process measured: import, createBtfBundle and first findBtf in ms, page faults in the window. */
type ColdRun = [number, number, number, number];

/** One fresh process running {@link script}. */
function coldRun(file: string, key: KernelKey, collect: boolean): ColdRun {
  const flags = collect ? ['--expose-gc'] : [];
  return JSON.parse(
    execFileSync(process.execPath, [...flags, '--input-type=module', '-e', script(file, key, collect)], {
      encoding: 'utf8',
      env: CLEAN_ENV,
    }),
  );
}

/** One bundle under test: its bytes in a file, its counts, the key looked up, the fresh processes' figures. */
interface Case {
  name: string;
  bytes: Uint8Array;
  file: string;
  /** Kernel entries and distinct BTFs. */
  entries: number;
  blobs: number;
  key: KernelKey;
  cold: ColdRun[];
  plain: ColdRun[];
}

/** A {@link Case} for `bytes`, written to a file in `dir`; the kernel looked up is the bundle's last entry. */
function caseOf(name: string, bytes: Uint8Array, dir: string): Case {
  const bundle = decodeBundle(bytes);
  const [distro, version, arch, release] = bundle.kernels[bundle.kernels.length - 1]!.split('/') as [
    string,
    string,
    string,
    string,
  ];
  const file = join(dir, `${name.replace(/\W+/g, '-')}.btfb`);
  writeFileSync(file, bytes);
  const { kernels, stats } = bundle;
  const key = { distro, version, arch, release };
  return { name, bytes, file, entries: kernels.length, blobs: stats.blobs, key, cold: [], plain: [] };
}

/**
 * Runs every case's fresh processes, RUNS of each kind: each round runs every case once with the collection and
 * once without, so that a change of the host's speed meets every row and both kinds of process alike.
 */
function measureCold(cases: readonly Case[]): void {
  for (let i = 0; i < RUNS; i++)
    for (const c of cases) {
      c.cold.push(coldRun(c.file, c.key, true));
      c.plain.push(coldRun(c.file, c.key, false));
    }
}

/** The table row of a measured case, with its warm figure (repeated calls in this process). */
async function row(c: Case): Promise<string> {
  const WARM = 200;
  const t0 = performance.now();
  for (let i = 0; i < WARM; i++) await createBtfBundle(() => c.bytes).findBtf(c.key);
  const warm = (performance.now() - t0) / WARM;
  const { cold, plain } = c;
  const window = (runs: ColdRun[]) => stat(runs.map((r) => r[1] + r[2]));
  const faults = (runs: ColdRun[]) => median(runs.map((r) => r[3]));
  return `| ${c.name} | ${c.bytes.length} | ${c.entries} / ${c.blobs} | ${stat(cold.map((r) => r[0]))} | ${stat(cold.map((r) => r[1]))} | ${stat(cold.map((r) => r[2]))} | **${window(cold)}** | ${window(plain)} | ${faults(cold)} / ${faults(plain)} | ${stat(plain.map((r) => r[0] + r[1] + r[2]))} | ${warm.toFixed(3)} |`;
}

const fixture = realBundle(realBundleInput(await loadRealKernels(), REAL_SETS[0]!));
const corpus = agentCorpus();
const real = await realScaleKernels();
const eleven = reduceAll(scaleKernels(real, corpus, 11), corpus, 'robust');
const hundred = reduceAll(scaleKernels(real, corpus, 100), corpus, 'robust');
const agent = (kernels: { key: KernelKey; blob: Uint8Array }[]) =>
  encodeBundle({ kernels, objects: corpus.hashes, meta: META }).bytes;

/**
 * How fast the host is now: the median time a bare `node` takes to start and run its first line, in ms, as that
 * process measures it (`performance.now()`); the run-time figures move with it.
 */
function bareNodeStart(): number {
  const start = () =>
    Number(execFileSync(process.execPath, ['-p', 'performance.now()'], { encoding: 'utf8', env: CLEAN_ENV }));
  return median(Array.from({ length: RUNS }, start));
}

console.log(
  `Agent corpus: ${corpus.source}; ${real.length} real kernels. Looked up: the bundle's last entry. ` +
    `Host: a bare \`node\` reaches its first line in ${bareNodeStart().toFixed(1)} ms (median of ${RUNS}).\n`,
);
console.log(
  '| bundle | bytes | entries / distinct BTFs | import (ms, median / max) | createBtfBundle | first findBtf | createBtfBundle + first findBtf (ms, median / max; target < 5) | the same without the collection before it | page faults in the window (median, with / without the collection) | import + both, without it (ms) | warm createBtfBundle + findBtf (ms) |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
const dir = mkdtempSync(join(tmpdir(), 'btf-bundle-decode-'));
const cases = [
  caseOf('fixture build (4 objects × 8 kernels)', fixture, dir),
  caseOf('agent corpus × 11 kernels', agent(eleven), dir),
  caseOf('agent corpus × 1,000 entries', agent(withDuplicates(hundred, 1000)), dir),
];
measureCold(cases);
rmSync(dir, { recursive: true });
for (const c of cases) console.log(await row(c));
