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
// Then the agent-size cases (bench/lib/agent-cases.ts): the agent corpus (unstripped and stripped) on one kernel,
// every kernel of a kernel tree in one batch, and `btf-bundle build` from the .btf.tar.xz, each against bpftool.
// Needs the built package (`pnpm build`), bpftool, tar, xz, /usr/bin/time. Run from the repo root:
//   npx -y pnpm@10 build && node scripts/bench.mjs min-core-btf
// Options (after bundling, `node node_modules/.cache/btf-bundle-bench/min-core-btf.mjs ...`): --runs N (default 5),
// --cli PATH (another build's dist/bin/btf-bundle.cjs, e.g. a worktree of an older commit, to compare before/after),
// --only legacy|agent (one of the two parts), --corpus DIR (default packages/core/testdata/agent; its stripped twin
// is DIR-stripped), --kernels DIR (or env BTF_BUNDLE_KERNELS; default .cache/kernels, git-ignored: a BTFHub-layout
// tree of .btf.tar.xz kernels, ≥ 11 for the figures of BENCHMARKS.md; `scripts/fetch-kernel-btfs.sh --bench` fills
// it with 26 Debian kernels).
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { scanSnapshot } from '../packages/core/src/snapshot/scan.js';
import { agentCases, lanesFor } from './lib/agent-cases.js';
import { REAL_OBJECTS, TESTDATA } from './lib/fixtures.js';
import { type Cost, extraCaCerts, type Measure, repeat, run, sequence, untarEach } from './lib/processes.js';

const flag = (name: string): string | undefined => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const RUNS = Number(flag('--runs') ?? 5);
const CLI = resolve(flag('--cli') ?? 'packages/core/dist/bin/btf-bundle.cjs');
const ONLY = flag('--only');
const CORPUS = resolve(flag('--corpus') ?? 'packages/core/testdata/agent');
const KERNELS = resolve(flag('--kernels') ?? process.env.BTF_BUNDLE_KERNELS ?? '.cache/kernels');
const SNAPSHOT = resolve('sample-snapshot');
const OBJECTS = REAL_OBJECTS.map((n) => join(TESTDATA, n));
/** Case (i)'s object lists: the 4 real objects, then × 8 and × 16 (the "many objects" cases). */
const OBJECT_SETS = [1, 8, 16].map((copies) => Array.from({ length: copies }, () => OBJECTS).flat());
const COPIES = 16;

/** Median wall time of RUNS runs of `step` after a warm-up; CPU time and peak RSS as {@link repeat} gives them. */
const measure = (step: () => Cost): Measure => repeat(step, RUNS);
/** Our process runner (`/usr/bin/time -v`, without NODE_EXTRA_CA_CERTS unless `env` says otherwise). */
const timed = run;

/** The kernel files of a BTFHub-layout tree ending in `suffix` (as scanSnapshot finds them), in path order. */
async function kernels(dir: string, suffix: string): Promise<string[]> {
  return (await scanSnapshot(dir, { include: [`**/*${suffix}`] })).kernels.map((k) => k.path).sort();
}

/** Extracts each of `tarballs` (under the sample snapshot) into `dest`, keeping the BTFHub layout. */
function extractTree(tarballs: readonly string[], dest: string): void {
  for (const t of tarballs) {
    const dir = join(dest, dirname(relative(SNAPSHOT, t)));
    mkdirSync(dir, { recursive: true });
    execFileSync('tar', ['-xJf', t, '-C', dir]);
  }
}

/**
 * Hard-links each raw kernel of `raw` COPIES times into `scaled`, as distinct releases (`<release>-copy<c>.btf`):
 * regular files of the tree, where a symbolic link out of it would be skipped by the snapshot walk.
 */
function linkCopies(rawKernels: readonly string[], raw: string, scaled: string): void {
  for (const k of rawKernels) {
    const dir = join(scaled, dirname(relative(raw, k)));
    mkdirSync(dir, { recursive: true });
    for (let c = 0; c < COPIES; c++) linkSync(k, join(dir, `${basename(k, '.btf')}-copy${c}.btf`));
  }
}

const work = mkdtempSync(join(tmpdir(), 'bench-min-core-btf-'));
try {
  if (ONLY !== 'agent') await legacyCases();
  if (ONLY !== 'legacy') {
    console.log(
      await agentCases({
        cli: CLI,
        corpus: CORPUS,
        stripped: `${CORPUS}-stripped`,
        kernels: KERNELS,
        work,
        runs: RUNS,
      }),
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** The 4-object cases on sample-snapshot's kernels (kept for continuity with earlier figures). */
async function legacyCases(): Promise<void> {
  // Raw tree in the same BTFHub layout.
  const raw = join(work, 'raw');
  const tarballs = await kernels(SNAPSHOT, '.btf.tar.xz');
  extractTree(tarballs, raw);
  const rawKernels = await kernels(raw, '.btf');
  const one = rawKernels.find((k) => k.includes('x86_64/6.1.0-54-amd64')) ?? (rawKernels[0] as string);
  const out = join(work, 'out');
  mkdirSync(out, { recursive: true });

  /** One `bpftool gen min_core_btf` call on kernel `k`. */
  const bpftool = (k: string, objs: readonly string[] = OBJECTS) =>
    timed('bpftool', ['gen', 'min_core_btf', k, join(out, 'bpftool.btf'), ...objs]);
  /** A shell-style loop of bpftool calls over `ks`: the largest process's peak RSS. */
  const loopOver = (ks: readonly string[]) => () => sequence(ks.map((k) => () => bpftool(k)));

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
  const bpftoolXzLoop = measure(() => untarEach(tarballs, xzDir, (k) => bpftool(k)));

  // (iv) scaled batch: every raw kernel linked COPIES times as distinct releases, vs a bpftool loop over them.
  const scaled = join(work, 'scaled');
  linkCopies(rawKernels, raw, scaled);
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
  // Default lanes of each batch, as the CLI chooses them from the work.
  const rawLanes = lanesFor(rawKernels, OBJECTS);
  const xzLanes = lanesFor(tarballs, OBJECTS);
  const scaledLanes = lanesFor(scaledKernels, OBJECTS);
  const perLane = (r: Measure, lanes: number) => mib(r.rssKiB / lanes);
  console.log(`## min-core-btf: btf-bundle vs bpftool

- CPU: ${cpus()[0]?.model ?? '?'} × ${cpus().length} (default lanes, chosen from the work: ${rawLanes} for the raw batch, ${xzLanes} for .tar.xz, ${scaledLanes} for the scaled batch; the main thread is one)
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
| batch raw, per kernel in flight (peak / ${rawLanes} lanes) | ${perLane(oursBatchRaw, rawLanes)} | ${mib(bpftoolLoop.rssKiB)} | ${x(oursBatchRaw.rssKiB / rawLanes, bpftoolLoop.rssKiB)} | ≤ 3× |
| batch raw, \`--workers 1\` (1 kernel in flight) | ${mib(oursBatchRaw1.rssKiB)} | ${mib(bpftoolLoop.rssKiB)} | ${x(oursBatchRaw1.rssKiB, bpftoolLoop.rssKiB)} | ≤ 3× |
| batch .tar.xz, per kernel in flight (peak / ${xzLanes} lanes) | ${perLane(oursBatchXz, xzLanes)} | ${mib(bpftoolXzLoop.rssKiB)} | ${x(oursBatchXz.rssKiB / xzLanes, bpftoolXzLoop.rssKiB)} | ≤ 3× |
| batch .tar.xz, \`--workers 1\` | ${mib(oursBatchXz1.rssKiB)} | ${mib(bpftoolXzLoop.rssKiB)} | ${x(oursBatchXz1.rssKiB, bpftoolXzLoop.rssKiB)} | ≤ 3× |
| scaled batch (${m} files), per kernel in flight (peak / ${scaledLanes} lanes) | ${perLane(oursScaled, scaledLanes)} | ${mib(bpftoolScaled.rssKiB)} | ${x(oursScaled.rssKiB / scaledLanes, bpftoolScaled.rssKiB)} | ≤ 3× |
| batch raw, whole process | ${mib(oursBatchRaw.rssKiB)} | | | |
`);
}
