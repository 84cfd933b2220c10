// Scale benchmark: `btf-bundle build` over BTFHub-scale snapshots generated from our real kernels
// (bench/lib/scale-snapshot.ts: 20 series over 7 distros, 2 arches, 3 flavours, with drift), at 100 and 1,000
// kernels by default (BTF_BUNDLE_SCALE=100,1000,2000 for others). Each snapshot is written once into
// .cache/scale-snapshot/<N>/ (git-ignored; ~4.3 MB of raw BTF per kernel). Rows per size, each one run of the CLI
// under /usr/bin/time -v (wall time and peak RSS of the whole process tree's largest process), Node started without
// NODE_EXTRA_CA_CERTS:
//   - cold build without cache: time per kernel, peak memory;
//   - cold build filling the cache, then WARM_RUNS warm rebuilds (their median's share of the cold time, and their
//     range: one process in a few meets a slow moment of the host);
//   - bundle bytes vs `tar cJf` of bpftool's outputs (made with `btf-bundle min-core-btf --mode bpftool`, which the
//     oracle tests show byte-identical to `bpftool gen min_core_btf`; a bpftool loop over 1,000 kernels takes
//     minutes).
// Objects: the agent corpus (packages/core/testdata/agent/*.bpf.o) when present, else the four real objects.
// Run from the repo root: pnpm bench scale
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { REAL_OBJECTS, TESTDATA } from './lib/fixtures.js';
import { CLEAN_ENV } from './lib/processes.js';
import { writeScaleSnapshot } from './lib/scale-snapshot.js';
import { median } from './lib/stats.js';

const CLI = resolve('packages/core/dist/bin/btf-bundle.cjs');
/** Warm rebuilds timed per snapshot size, after the build that fills the cache. */
const WARM_RUNS = 9;
const sizes = (process.env.BTF_BUNDLE_SCALE ?? '100,1000').split(',').map(Number);
const agentDir = join(TESTDATA, 'agent');
const objects = existsSync(agentDir)
  ? readdirSync(agentDir)
      .filter((f) => f.endsWith('.bpf.o'))
      .sort()
      .map((f) => join(agentDir, f))
  : REAL_OBJECTS.map((n) => join(TESTDATA, n));

/** Run the CLI under /usr/bin/time -v; wall seconds and peak RSS in MiB. */
function timed(args: string[]): { s: number; mib: number } {
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, CLI, ...args], {
    env: CLEAN_ENV,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`btf-bundle ${args.join(' ')} failed:\n${r.stderr}`);
  const wall = /Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):(\d+(?:\.\d+)?)/.exec(r.stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr);
  if (!wall || !rss) throw new Error(`no /usr/bin/time figures in:\n${r.stderr}`);
  const s = Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]);
  return { s, mib: Number(rss[1]) / 1024 };
}

async function snapshotOf(n: number): Promise<string> {
  const dir = resolve('.cache/scale-snapshot', String(n));
  const done = join(dir, 'kernels.json');
  if (!existsSync(done)) {
    rmSync(dir, { recursive: true, force: true });
    const kernels = await writeScaleSnapshot({
      out: dir,
      kernels: n,
    });
    writeFileSync(done, JSON.stringify(kernels));
  }
  return dir;
}

const work = mkdtempSync(join(tmpdir(), 'btf-bench-scale-'));
try {
  console.log(
    `${objects.length} objects, snapshot sizes ${sizes.join(', ')}; single runs of the CLI but the warm rebuilds (median and range of ${WARM_RUNS})\n`,
  );
  console.log(
    '| kernels | cold, no cache | per kernel | peak RSS | cold, filling cache | warm rebuild (median, range) | warm / cold | bundle | tar cJf of bpftool outputs | ratio |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const n of sizes) {
    const snapshot = await snapshotOf(n);
    const count = (JSON.parse(readFileSync(join(snapshot, 'kernels.json'), 'utf8')) as unknown[]).length;
    const out = join(work, `bundle-${n}.bin`);
    const build = (...extra: string[]) =>
      timed([
        'build',
        '--snapshot',
        snapshot,
        ...objects.flatMap((o) => ['--objects', o]),
        '--out',
        out,
        ...extra,
      ]);
    const cold = build('--no-cache');
    const cacheDir = join(work, `cache-${n}`);
    const filling = build('--cache-dir', cacheDir);
    const warms = Array.from({ length: WARM_RUNS }, () => build('--cache-dir', cacheDir).s);
    const warm = median(warms);
    const bundleBytes = statSync(out).size;
    const bpftoolOut = join(work, `bpftool-${n}`);
    execFileSync(
      process.execPath,
      [
        CLI,
        'min-core-btf',
        '--mode',
        'bpftool',
        '--inputdir',
        snapshot,
        '--outputdir',
        bpftoolOut,
        ...objects.flatMap((o) => ['--object', o]),
      ],
      { env: CLEAN_ENV, stdio: 'ignore' },
    );
    const tarXz = execFileSync('tar', ['-cJf', '-', '-C', bpftoolOut, '.'], { maxBuffer: 1 << 30 }).length;
    rmSync(bpftoolOut, { recursive: true });
    rmSync(cacheDir, { recursive: true });
    console.log(
      `| ${count} | ${cold.s.toFixed(1)} s | ${((cold.s / count) * 1000).toFixed(1)} ms | ${cold.mib.toFixed(0)} MiB | ` +
        `${filling.s.toFixed(1)} s | ${warm.toFixed(2)} s (${Math.min(...warms).toFixed(2)}–${Math.max(...warms).toFixed(2)}) | ` +
        `${((warm / filling.s) * 100).toFixed(1)} % | ` +
        `${bundleBytes} B | ${tarXz} B | ${(bundleBytes / tarXz).toFixed(3)} |`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
