// Build benchmark: btf-bundle's cold and warm `buildBundle` over the sample snapshot vs a shell-style loop of
// `tar xJf` (xz -d) + `bpftool gen min_core_btf` over the same kernels, and the bundle's size vs tar.xz / tar.gz
// of bpftool's outputs. Prints a markdown table. Every row is a single run: the bpftool row times the whole loop of
// child processes, the btf-bundle rows are `stats.ms` of one in-process `buildBundle` call (scan to encoded bundle,
// workers included; Node's start-up is not). Needs the built package (`pnpm build`), bpftool, tar and xz.
// Run from the repo root:
//   pnpm bench build (objects: node node_modules/.cache/btf-bundle-bench/build.mjs OBJECT.bpf.o...)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Core from '../packages/core/src/index.js';
import { scanSnapshot } from '../packages/core/src/snapshot/scan.js';
import { REAL_OBJECTS, TESTDATA } from './lib/fixtures.js';

// The build runs worker threads from the built package, so load it from dist/ (not bundled into this script).
const core = (await import(pathToFileURL(resolve('packages/core/dist/index.js')).href)) as typeof Core;

const SNAPSHOT = resolve('sample-snapshot');
const objects = process.argv.slice(2).length
  ? process.argv.slice(2).map((p) => resolve(p))
  : REAL_OBJECTS.map((n) => join(TESTDATA, n));

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

const work = mkdtempSync(join(tmpdir(), 'btf-bench-'));
try {
  const { kernels } = await scanSnapshot(SNAPSHOT, { include: ['**/*.btf.tar.xz'] });
  const files = kernels.map((k) => k.path).sort();
  const rawBytes = files.reduce((s, f) => s + statSync(f).size, 0);

  // bpftool: one kernel at a time, like a shell loop.
  const outDir = join(work, 'bpftool-out');
  mkdirSync(outDir);
  const t0 = performance.now();
  for (const file of files) {
    const tmp = join(work, 'x');
    mkdirSync(tmp, { recursive: true });
    execFileSync('tar', ['-xJf', file, '-C', tmp]);
    // A BTFHub tarball holds one member, `<release>.btf`.
    const member = basename(file, '.tar.xz');
    execFileSync('bpftool', ['gen', 'min_core_btf', join(tmp, member), join(outDir, member), ...objects]);
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
  const cold = await core.buildBundle({ snapshot: SNAPSHOT, objects, cacheDir, workers });
  const warm = await core.buildBundle({ snapshot: SNAPSHOT, objects, cacheDir, workers });
  const oneWorker = await core.buildBundle({ snapshot: SNAPSHOT, objects, cacheDir: false, workers: 1 });

  console.log(
    `${files.length} kernels (${kib(rawBytes)} of .btf.tar.xz), objects: ${objects.map((o) => basename(o)).join(', ')}, ${workers} cores\n`,
  );
  console.log(
    'Single runs; bpftool: wall time of the whole loop; btf-bundle: `stats.ms` of one in-process `buildBundle` call.\n',
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
    `| btf-bundle build, cold, ${workers} workers, filling the cache | ${seconds(cold.stats.ms)} | bundle ${kib(cold.bundle.length)} |`,
  );
  console.log(
    `| btf-bundle build, warm (${warm.stats.cacheHits}/${warm.stats.kernels.total} cache hits) | ${seconds(warm.stats.ms)} | bundle ${kib(warm.bundle.length)} |`,
  );
  console.log(
    `\nminimized BTF: ${kib(cold.stats.minimizedBytes)} over ${cold.stats.kernels.covered} kernels, ` +
      `${cold.stats.distinctBlobs} distinct (dedup ratio ${cold.stats.dedupRatio.toFixed(2)})`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
