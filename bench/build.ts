// Build benchmark: btf-bundle's cold and warm `buildBundle` over the sample snapshot vs a shell-style loop of
// `tar xJf` (xz -d) + `bpftool gen min_core_btf` over the same kernels, and the bundle's size vs tar.xz / tar.gz
// of bpftool's outputs. Prints a markdown table. Needs the built package (`pnpm build`), bpftool, tar and xz.
// Run from the repo root:
//   pnpm bench build (objects: node node_modules/.cache/btf-bundle-bench/build.mjs OBJECT.bpf.o...)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Core from '../packages/core/src/index.js';

// The build runs worker threads from the built package, so load it from dist/ (not bundled into this script).
const core = (await import(pathToFileURL(resolve('packages/core/dist/index.js')).href)) as typeof Core;

const SNAPSHOT = resolve('sample-snapshot');
const objects = process.argv.slice(2).length
  ? process.argv.slice(2).map((p) => resolve(p))
  : ['execsnoop', 'opensnoop', 'tcpstates', 'biolatency'].map((n) =>
      resolve('packages/core/testdata', `${n}.bpf.o`),
    );

function kernels(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.btf.tar.xz'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

const work = mkdtempSync(join(tmpdir(), 'btf-bench-'));
try {
  const files = kernels(SNAPSHOT);
  const rawBytes = files.reduce((s, f) => s + statSync(f).size, 0);

  // bpftool: one kernel at a time, like a shell loop.
  const outDir = join(work, 'bpftool-out');
  mkdirSync(outDir);
  let t0 = performance.now();
  for (const file of files) {
    const tmp = join(work, 'x');
    mkdirSync(tmp, { recursive: true });
    execFileSync('tar', ['-xJf', file, '-C', tmp]);
    const [member] = readdirSync(tmp);
    execFileSync('bpftool', [
      'gen',
      'min_core_btf',
      join(tmp, member!),
      join(outDir, basename(file, '.tar.xz')),
      ...objects,
    ]);
    rmSync(tmp, { recursive: true });
  }
  const bpftoolMs = performance.now() - t0;
  const tarXz = join(work, 'bpftool.tar.xz');
  const tarGz = join(work, 'bpftool.tar.gz');
  execFileSync('tar', ['-cJf', tarXz, '-C', outDir, '.']);
  execFileSync('tar', ['-czf', tarGz, '-C', outDir, '.']);

  const cacheDir = join(work, 'cache');
  const workers = availableParallelism();
  const noCache = await core.buildBundle({ snapshot: SNAPSHOT, objects, cacheDir: false, workers });
  t0 = performance.now();
  const cold = await core.buildBundle({ snapshot: SNAPSHOT, objects, cacheDir, workers });
  const coldMs = performance.now() - t0;
  t0 = performance.now();
  const warm = await core.buildBundle({ snapshot: SNAPSHOT, objects, cacheDir, workers });
  const warmMs = performance.now() - t0;
  const oneWorker = await core.buildBundle({ snapshot: SNAPSHOT, objects, cacheDir: false, workers: 1 });

  console.log(
    `${files.length} kernels (${kib(rawBytes)} of .btf.tar.xz), objects: ${objects.map((o) => basename(o)).join(', ')}, ${workers} cores\n`,
  );
  console.log('| what | time | output size |');
  console.log('|---|---|---|');
  console.log(
    `| xz -d + bpftool gen min_core_btf loop | ${seconds(bpftoolMs)} | tar.xz ${kib(statSync(tarXz).size)}, tar.gz ${kib(statSync(tarGz).size)} |`,
  );
  console.log(
    `| btf-bundle build, cold, 1 worker, no cache | ${seconds(oneWorker.stats.ms)} | bundle ${kib(oneWorker.bundle.length)} |`,
  );
  console.log(
    `| btf-bundle build, cold, ${workers} workers, no cache | ${seconds(noCache.stats.ms)} | bundle ${kib(noCache.bundle.length)} |`,
  );
  console.log(
    `| btf-bundle build, cold, ${workers} workers, filling the cache | ${seconds(coldMs)} | bundle ${kib(cold.bundle.length)} |`,
  );
  console.log(
    `| btf-bundle build, warm (${warm.stats.cacheHits}/${warm.stats.kernels.total} cache hits) | ${seconds(warmMs)} | bundle ${kib(warm.bundle.length)} |`,
  );
  console.log(
    `\nminimized BTF: ${kib(cold.stats.minimizedBytes)} over ${cold.stats.kernels.covered} kernels, ` +
      `${cold.stats.distinctBlobs} distinct (dedup ratio ${cold.stats.dedupRatio.toFixed(2)})`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
