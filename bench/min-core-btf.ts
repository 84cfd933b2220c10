// min-core-btf benchmark: `btf-bundle min-core-btf` vs `bpftool gen min_core_btf` on the same inputs, in one run.
//   (i)   one kernel, many objects: our CLI vs bpftool (raw .btf input), with the 4 real objects, 32 and 64
//         (the 4 × 8 and × 16 copies: bpftool processes every argument, and so do we);
//   (ii)  every sample-snapshot kernel: one `btf-bundle min-core-btf --inputdir` batch vs a loop of bpftool calls
//         over the same raw .btf files (extracted to a temp tree first, so both read raw BTF);
//   (iii) the .tar.xz variant: our batch on the tarballs vs a loop of `tar -xJf` + bpftool;
//   (iv)  a scaled batch: the raw kernels each linked 16 times (8 × 16 = 128 files) to show per-kernel throughput
//         once Node's startup is amortized.
// Wall time is the median of N runs (child processes); peak RSS comes from `/usr/bin/time -v` (Debian package `time`).
// "Per kernel in flight": our batch's peak RSS divided by its worker count vs one bpftool process.
// Needs the built package (`pnpm build`), bpftool, tar, xz, /usr/bin/time. Run from the repo root:
//   npx -y pnpm@10 build && node scripts/bench.mjs min-core-btf
// Options (after bundling, `node node_modules/.cache/btf-bundle-bench/min-core-btf.mjs ...`): --runs N (default 5),
// --cli PATH (another build's dist/bin/btf-bundle.js, e.g. a worktree of an older commit, to compare before/after).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { scanSnapshot } from '../packages/core/src/snapshot/scan.js';
import { REAL_OBJECTS, TESTDATA } from './lib/fixtures.js';
import { median } from './lib/stats.js';

const runsArg = process.argv.indexOf('--runs');
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const cliArg = process.argv.indexOf('--cli');
const CLI = resolve(
  cliArg > 0 ? (process.argv[cliArg + 1] as string) : 'packages/core/dist/bin/btf-bundle.js',
);
const SNAPSHOT = resolve('sample-snapshot');
const OBJECTS = REAL_OBJECTS.map((n) => join(TESTDATA, n));
/** Case (i)'s object lists: the 4 real objects, then × 8 and × 16 (the "many objects" cases). */
const OBJECT_SETS = [1, 8, 16].map((copies) => Array.from({ length: copies }, () => OBJECTS).flat());
const WORKERS = availableParallelism();
const COPIES = 16;

interface Measure {
  /** Median wall time, ms. */
  ms: number;
  /** Peak RSS of the (largest) process, KiB; from /usr/bin/time -v. */
  rssKiB: number;
}

/**
 * The environment of every timed command: ours minus NODE_EXTRA_CA_CERTS. Some machines (this project's CI
 * sandbox among them) point it at the system CA bundle, which makes every Node process parse ~150 certificates
 * before running anything (~40 ms on 2 cores, more than bpftool's whole single-kernel run); nothing here uses TLS.
 * The report prints `node -e 0` with and without it.
 */
const { NODE_EXTRA_CA_CERTS: extraCaCerts, ...CLEAN_ENV } = process.env;

/** Runs one command under `/usr/bin/time -v` (timing is {@link measure}'s job); its peak RSS. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv = CLEAN_ENV): { rssKiB: number } {
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return {
    rssKiB: Number(r.stderr.match(/Maximum resident set size \(kbytes\): (\d+)/)?.[1] ?? Number.NaN),
  };
}

/** Runs `step` (which may spawn several processes) RUNS times; median wall time, max peak RSS seen. */
function measure(step: () => { rssKiB: number }): Measure {
  const times: number[] = [];
  let rss = 0;
  step(); // warm-up (page cache)
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const r = step();
    times.push(performance.now() - t0);
    rss = Math.max(rss, r.rssKiB);
  }
  return { ms: median(times), rssKiB: rss };
}

/** The kernel files of a BTFHub-layout tree ending in `suffix` (as scanSnapshot finds them), in path order. */
async function kernels(dir: string, suffix: string): Promise<string[]> {
  return (await scanSnapshot(dir, { include: [`**/*${suffix}`] })).kernels.map((k) => k.path).sort();
}

const work = mkdtempSync(join(tmpdir(), 'bench-min-core-btf-'));
try {
  // Raw tree in the same BTFHub layout.
  const raw = join(work, 'raw');
  const tarballs = await kernels(SNAPSHOT, '.btf.tar.xz');
  for (const t of tarballs) {
    const dest = join(raw, dirname(relative(SNAPSHOT, t)));
    mkdirSync(dest, { recursive: true });
    execFileSync('tar', ['-xJf', t, '-C', dest]);
  }
  const rawKernels = await kernels(raw, '.btf');
  const one = rawKernels.find((k) => k.includes('x86_64/6.1.0-54-amd64')) ?? (rawKernels[0] as string);
  const out = join(work, 'out');
  mkdirSync(out, { recursive: true });

  /** One `bpftool gen min_core_btf` call on kernel `k`. */
  const bpftool = (k: string, objs: readonly string[] = OBJECTS) =>
    timed('bpftool', ['gen', 'min_core_btf', k, join(out, 'bpftool.btf'), ...objs]);
  /** A shell-style loop of bpftool calls over `ks`: the largest process's peak RSS. */
  const loopOver = (ks: readonly string[]) => () => ({
    rssKiB: Math.max(...ks.map((k) => bpftool(k).rssKiB)),
  });

  // (i) one kernel, many objects.
  const single = OBJECT_SETS.map((objs) => ({
    objects: objs.length,
    ours: measure(() => timed('node', [CLI, 'min-core-btf', one, join(out, 'ours.btf'), ...objs])),
    bpftool: measure(() => bpftool(one, objs)),
  }));

  // (ii) batch over raw files vs a bpftool loop.
  const objArgs = OBJECTS.flatMap((o) => ['--object', o]);
  const batch =
    (input: string, ...extra: string[]) =>
    () =>
      timed('node', [
        CLI,
        'min-core-btf',
        '--inputdir',
        input,
        '--outputdir',
        join(out, 'batch'),
        ...objArgs,
        ...extra,
      ]);
  const oursBatchRaw = measure(batch(raw));
  const oursBatchRaw1 = measure(batch(raw, '--workers', '1'));
  const bpftoolLoop = measure(loopOver(rawKernels));

  // (iii) tarballs: our batch on sample-snapshot vs tar -xJf + bpftool per kernel.
  const oursBatchXz = measure(batch(SNAPSHOT));
  const oursBatchXz1 = measure(batch(SNAPSHOT, '--workers', '1'));
  const xzDir = join(work, 'xz');
  const bpftoolXzLoop = measure(() => {
    let rss = 0;
    for (const t of tarballs) {
      rmSync(xzDir, { recursive: true, force: true });
      mkdirSync(xzDir);
      timed('tar', ['-xJf', t, '-C', xzDir]);
      // A BTFHub tarball holds one member, `<release>.btf`.
      rss = Math.max(rss, bpftool(join(xzDir, basename(t, '.tar.xz'))).rssKiB);
    }
    return { rssKiB: rss };
  });

  // (iv) scaled batch: every raw kernel linked COPIES times as distinct releases, vs a bpftool loop over them.
  const scaled = join(work, 'scaled');
  for (const k of rawKernels) {
    const dest = join(scaled, dirname(relative(raw, k)));
    mkdirSync(dest, { recursive: true });
    for (let c = 0; c < COPIES; c++) symlinkSync(k, join(dest, `${basename(k, '.btf')}-copy${c}.btf`));
  }
  const scaledKernels = await kernels(scaled, '.btf');
  const oursScaled = measure(batch(scaled));
  const oursScaled1 = measure(batch(scaled, '--workers', '1'));
  const bpftoolScaled = measure(loopOver(scaledKernels));
  const nodeBaseline = measure(() => timed('node', ['-e', '0']));
  const nodeWithCaCerts =
    extraCaCerts === undefined ? undefined : measure(() => timed('node', ['-e', '0'], process.env));

  const n = rawKernels.length;
  const m = scaledKernels.length;
  const perKernel = (ms: number, count: number) => `${(ms / count).toFixed(1)} ms`;
  const s = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
  const mib = (k: number) => `${(k / 1024).toFixed(0)} MiB`;
  const x = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
  // What one more kernel costs once started: the slope between the n- and m-kernel batches.
  const marginal = (small: Measure, big: Measure) => (big.ms - small.ms) / (m - n);
  const bpftoolPerKernel = bpftoolScaled.ms / m;
  const bpftoolVersion = execFileSync('bpftool', ['version'], { encoding: 'utf8' }).split('\n')[0];
  const caLine =
    nodeWithCaCerts === undefined
      ? ''
      : ` (${s(nodeWithCaCerts.ms)}, ${mib(nodeWithCaCerts.rssKiB)} with this machine's NODE_EXTRA_CA_CERTS, unset for every timed command)`;
  const lanes = (r: Measure) => mib(r.rssKiB / WORKERS);
  console.log(`## min-core-btf: btf-bundle vs bpftool

- CPU: ${cpus()[0]?.model ?? '?'} × ${cpus().length} (default lanes: ${WORKERS} = the main thread + ${WORKERS - 1} worker)
- Node ${process.version}, ${bpftoolVersion}
- Objects: ${OBJECTS.map((o) => relative(process.cwd(), o)).join(', ')}
- Kernels: ${n} (sample-snapshot), single-kernel case: ${relative(raw, one)}
- Wall time: median of ${RUNS} runs after one warm-up; peak RSS: max over runs (\`/usr/bin/time -v\`)
- CLI: \`${relative(process.cwd(), CLI)}\`; Node baseline \`node -e 0\`: ${s(nodeBaseline.ms)}, ${mib(nodeBaseline.rssKiB)}${caLine}
- Command: \`npx -y pnpm@10 build && node scripts/bench.mjs min-core-btf\` (${RUNS} runs)
- Exact commands per case (\`$K\` a raw kernel, \`$OBJS\` the objects, \`$RAW\` the extracted tree):
  - (i) \`node ${relative(process.cwd(), CLI)} min-core-btf $K out.btf $OBJS\` vs \`bpftool gen min_core_btf $K out.btf $OBJS\`
  - (ii)/(iv) \`node ${relative(process.cwd(), CLI)} min-core-btf --inputdir $RAW --outputdir OUT --object O... [--workers 1]\` vs \`for k in $RAW/**/*.btf; do bpftool gen min_core_btf $k out.btf $OBJS; done\`
  - (iii) the same batch on \`sample-snapshot/\` vs \`for t in *.btf.tar.xz; do tar -xJf $t -C tmp; bpftool gen min_core_btf tmp/*.btf out.btf $OBJS; done\`

| case | btf-bundle | bpftool | speed-up | target |
|---|---|---|---|---|
${single.map((r) => `| (i) 1 kernel, ${r.objects} objects (raw .btf) | ${s(r.ours.ms)} | ${s(r.bpftool.ms)} | ${x(r.bpftool.ms, r.ours.ms)} | ≥ 1× |`).join('\n')}
| (ii) ${n} kernels, raw .btf: batch vs bpftool loop | ${s(oursBatchRaw.ms)} | ${s(bpftoolLoop.ms)} | ${x(bpftoolLoop.ms, oursBatchRaw.ms)} | ≥ 5× |
| (ii) the same, \`--workers 1\` (main thread only) | ${s(oursBatchRaw1.ms)} | ${s(bpftoolLoop.ms)} | ${x(bpftoolLoop.ms, oursBatchRaw1.ms)} | ≥ 5× |
| (iii) ${n} kernels, .btf.tar.xz: batch vs tar -xJf + bpftool loop | ${s(oursBatchXz.ms)} | ${s(bpftoolXzLoop.ms)} | ${x(bpftoolXzLoop.ms, oursBatchXz.ms)} | ≥ 5× |
| (iii) the same, \`--workers 1\` | ${s(oursBatchXz1.ms)} | ${s(bpftoolXzLoop.ms)} | ${x(bpftoolXzLoop.ms, oursBatchXz1.ms)} | ≥ 5× |
| (iv) ${m} raw files (${n} kernels × ${COPIES}): batch vs bpftool loop | ${s(oursScaled.ms)} | ${s(bpftoolScaled.ms)} | ${x(bpftoolScaled.ms, oursScaled.ms)} | ≥ 5× |
| (iv) the same, \`--workers 1\` | ${s(oursScaled1.ms)} | ${s(bpftoolScaled.ms)} | ${x(bpftoolScaled.ms, oursScaled1.ms)} | ≥ 5× |
| (iv) per kernel (wall / ${m}), default / \`--workers 1\` | ${perKernel(oursScaled.ms, m)} / ${perKernel(oursScaled1.ms, m)} | ${perKernel(bpftoolScaled.ms, m)} | | |
| marginal cost of one more kernel ((iv) − (ii)) / ${m - n}, default / \`--workers 1\` | ${marginal(oursBatchRaw, oursScaled).toFixed(1)} ms / ${marginal(oursBatchRaw1, oursScaled1).toFixed(1)} ms | ${bpftoolPerKernel.toFixed(1)} ms | ${x(bpftoolPerKernel, marginal(oursBatchRaw, oursScaled))} / ${x(bpftoolPerKernel, marginal(oursBatchRaw1, oursScaled1))} | |

| peak RSS | btf-bundle | bpftool | ratio | target |
|---|---|---|---|---|
${single.map((r, i) => `| single kernel, ${r.objects} objects${i === 0 ? ' (one process)' : ''} | ${mib(r.ours.rssKiB)} | ${mib(r.bpftool.rssKiB)} | ${x(r.ours.rssKiB, r.bpftool.rssKiB)} | — |`).join('\n')}
| batch raw, per kernel in flight (peak / ${WORKERS} lanes) | ${lanes(oursBatchRaw)} | ${mib(bpftoolLoop.rssKiB)} | ${x(oursBatchRaw.rssKiB / WORKERS, bpftoolLoop.rssKiB)} | ≤ 3× |
| batch raw, \`--workers 1\` (1 kernel in flight) | ${mib(oursBatchRaw1.rssKiB)} | ${mib(bpftoolLoop.rssKiB)} | ${x(oursBatchRaw1.rssKiB, bpftoolLoop.rssKiB)} | ≤ 3× |
| batch .tar.xz, per kernel in flight | ${lanes(oursBatchXz)} | ${mib(bpftoolXzLoop.rssKiB)} | ${x(oursBatchXz.rssKiB / WORKERS, bpftoolXzLoop.rssKiB)} | ≤ 3× |
| batch .tar.xz, \`--workers 1\` | ${mib(oursBatchXz1.rssKiB)} | ${mib(bpftoolXzLoop.rssKiB)} | ${x(oursBatchXz1.rssKiB, bpftoolXzLoop.rssKiB)} | ≤ 3× |
| scaled batch (${m} files), per kernel in flight | ${lanes(oursScaled)} | ${mib(bpftoolScaled.rssKiB)} | ${x(oursScaled.rssKiB / WORKERS, bpftoolScaled.rssKiB)} | ≤ 3× |
| batch raw, whole process | ${mib(oursBatchRaw.rssKiB)} | | | |
`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
