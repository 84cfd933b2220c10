// The agent-size cases of bench/min-core-btf.ts: the agent corpus (dozens of objects with their DWARF, and the
// same stripped) against many real kernels, our CLI and bpftool measured in turn (A B A B …) in one run.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { defaultLanes } from '../../packages/core/src/batch/lanes.js';
import { readBpfObject } from '../../packages/core/src/object.js';
import { scanSnapshot } from '../../packages/core/src/snapshot/scan.js';
import { CLEAN_ENV, type Measure, type Pair, pair, repeat, run, sequence, untarEach } from './processes.js';

/** Inputs of the agent cases. */
export interface AgentInputs {
  /** The CLI bundle to time (`packages/core/dist/bin/btf-bundle.cjs`). */
  cli: string;
  /** Directory of the unstripped corpus objects (`*.o`). */
  corpus: string;
  /** Directory of the same objects stripped of DWARF. */
  stripped: string;
  /** BTFHub-layout tree of `.btf.tar.xz` kernels. */
  kernels: string;
  /** Scratch directory (emptied by the caller). */
  work: string;
  /** Runs per measure. */
  runs: number;
}

const objectsIn = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.o'))
    .sort()
    .map((f) => join(dir, f));

/** The lanes our CLI chooses by default for a batch of these kernel files and objects. */
export function lanesFor(paths: readonly string[], objects: readonly string[]): number {
  const relocations = objects.reduce((sum, o) => sum + readBpfObject(o).ext.coreRelos.length, 0);
  return defaultLanes(
    paths.map((path) => ({ id: path, path, arch: '*' })),
    { '*': relocations },
  );
}

/** Extracts each of `tarballs` (under `root`) into the same layout under `dest`; the raw kernels' paths. */
function extractEach(tarballs: readonly string[], root: string, dest: string): string[] {
  for (const t of tarballs) {
    const dir = join(dest, dirname(relative(root, t)));
    mkdirSync(dir, { recursive: true });
    execFileSync('tar', ['-xJf', t, '-C', dir]);
  }
  return tarballs.map((t) => join(dest, relative(root, t).replace(/\.tar\.xz$/, '')));
}

/** `btf-bundle build` of the kernels with the corpus objects, without cache, with `extra` options. */
function buildCommand(cli: string, inputs: AgentInputs, bundle: string, env: NodeJS.ProcessEnv) {
  return (...extra: string[]) =>
    () =>
      run(
        'node',
        [
          cli,
          'build',
          '--snapshot',
          inputs.kernels,
          '--objects',
          join(inputs.corpus, '*.o'),
          '--out',
          bundle,
          '--no-cache',
          ...extra,
        ],
        env,
      );
}

/** Runs the agent cases; returns the markdown section. */
export async function agentCases(inputs: AgentInputs): Promise<string> {
  const { cli, work, runs } = inputs;
  const objects = objectsIn(inputs.corpus);
  const stripped = objectsIn(inputs.stripped);
  const tarballs = (await scanSnapshot(inputs.kernels, { include: ['**/*.btf.tar.xz'] })).kernels
    .map((k) => k.path)
    .sort();
  if (objects.length === 0 || stripped.length === 0 || tarballs.length === 0) {
    throw new Error(
      `agent cases need objects in ${inputs.corpus} and ${inputs.stripped} and .btf.tar.xz kernels under ${inputs.kernels}`,
    );
  }
  const raw = join(work, 'agent-raw');
  const rawKernels = extractEach(tarballs, inputs.kernels, raw);
  const one = rawKernels.find((k) => /x86_64\/6\.1\.0-\d+-amd64\.btf$/.test(k)) ?? (rawKernels[0] as string);
  const out = join(work, 'agent-out');
  mkdirSync(out, { recursive: true });

  // The CLI's code cache in a directory of this run (made by each pair's warm-up run), and a run without it.
  const cached = { ...CLEAN_ENV, XDG_CACHE_HOME: join(work, 'cache-home') };
  const uncached = { ...CLEAN_ENV, BTF_BUNDLE_COMPILE_CACHE: '0' };
  const minCoreBtf =
    (env: NodeJS.ProcessEnv) =>
    (...args: string[]) =>
    () =>
      run('node', [cli, 'min-core-btf', ...args], env);
  const ours = minCoreBtf(cached);
  const bpftool = (k: string, objs: readonly string[]) => () =>
    run('bpftool', ['gen', 'min_core_btf', k, join(out, 'bpftool.btf'), ...objs]);
  const objectArgs = objects.flatMap((o) => ['--object', o]);
  const batch = (...extra: string[]) =>
    ours('--inputdir', raw, '--outputdir', join(out, 'batch'), ...objectArgs, ...extra);
  const bpftoolLoop = () => sequence(rawKernels.map((k) => bpftool(k, objects)));
  const build = buildCommand(cli, inputs, join(out, 'bundle.bin'), cached);
  const xzDir = join(work, 'agent-xz');
  const tarBpftoolLoop = () => untarEach(tarballs, xzDir, (k) => bpftool(k, objects)());
  const cores = availableParallelism();
  // The floor of any tool that must decompress: native xz over all archives, one process per core.
  const xzFloor = () =>
    run('sh', [
      '-c',
      `printf '%s\\0' "$@" | xargs -0 -n 1 -P ${cores} sh -c 'xz -dc "$0" > /dev/null'`,
      'sh',
      ...tarballs,
    ]);

  const single = pair(ours(one, join(out, 'ours.btf'), ...objects), bpftool(one, objects), runs);
  const singleUncached = pair(
    minCoreBtf(uncached)(one, join(out, 'ours.btf'), ...objects),
    bpftool(one, objects),
    runs,
  );
  const singleStripped = pair(ours(one, join(out, 'ours.btf'), ...stripped), bpftool(one, stripped), runs);
  const batchDefault = pair(batch(), bpftoolLoop, runs);
  const batchOne = pair(batch('--workers', '1'), bpftoolLoop, runs);
  const buildDefault = pair(build(), tarBpftoolLoop, runs);
  const buildOne = pair(build('--workers', '1'), tarBpftoolLoop, runs);
  const floor = repeat(xzFloor, runs);

  const rawLanes = lanesFor(rawKernels, objects);
  const xzLanes = lanesFor(tarballs, objects);
  const n = tarballs.length;
  const mb = (files: readonly string[]) =>
    `${(files.reduce((s, f) => s + statSync(f).size, 0) / 1e6).toFixed(1)} MB`;
  const s = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
  const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
  const verdict = (ratio: number, target: number) => `≤ ${target} ${ratio <= target ? '✓' : '✗'}`;
  const row = (name: string, p: Pair, target: number) =>
    `| ${name} | ${s(p.a.ms)} (${s(p.a.cpuMs)} CPU) | ${s(p.b.ms)} (${s(p.b.cpuMs)} CPU) | ${p.wallRatio.toFixed(2)} (${p.cpuRatio.toFixed(2)}) | ${verdict(p.wallRatio, target)} |`;
  const perLane = (m: Measure, lanes: number) => mib(m.rssKiB / lanes);
  const lanesNote = (lanes: number) => `${lanes} lane${lanes > 1 ? 's' : ''}`;
  const rel = (p: string) => relative(process.cwd(), p) || '.';
  return `## min-core-btf at agent size: btf-bundle vs bpftool

- CPU: ${cpus()[0]?.model ?? '?'} × ${cores}; Node ${process.version}; ${execFileSync('bpftool', ['version'], { encoding: 'utf8' }).split('\n')[0]}
- Objects: ${objects.length} in \`${rel(inputs.corpus)}\` (${mb(objects)}, DWARF kept) and stripped in \`${rel(inputs.stripped)}\` (${mb(stripped)})
- Kernels: ${n} \`.btf.tar.xz\` under \`${rel(inputs.kernels)}\` (raw: extracted to a temp tree first); single-kernel case: \`${relative(raw, one)}\`
- Our CLI keeps V8's code cache in a directory of this run, made by each pair's warm-up run (as by a user's
  first run), except in the row that turns it off
- Each pair runs in turn (A B A B …), ${runs} runs after one warm-up each; times are medians, ratios the median of
  the per-run ratios (wall, and CPU = user + system in parentheses); peak RSS the largest seen (\`/usr/bin/time -v\`)
- Default lanes chosen from the work: ${lanesNote(rawLanes)} for the ${n} raw kernels, ${lanesNote(xzLanes)} for the ${n} tarballs
- Command: \`npx -y pnpm@10 build && node scripts/bench.mjs min-core-btf\`

| case | btf-bundle | bpftool | ratio wall (CPU) | target |
|---|---|---|---|---|
${row(`1 kernel × ${objects.length} objects, unstripped`, single, 0.5)}
${row('the same, without the code cache (`BTF_BUNDLE_COMPILE_CACHE=0`)', singleUncached, 0.5)}
${row(`1 kernel × ${stripped.length} objects, stripped`, singleStripped, 0.5)}
${row(`${n} raw kernels × ${objects.length} objects: one batch vs a bpftool loop`, batchDefault, 0.2)}
${row('the same, `--workers 1`', batchOne, 0.2)}
${row(`\`btf-bundle build\` of the ${n} \`.btf.tar.xz\` (\`--no-cache\`) vs \`tar -xJf\` + bpftool loop`, buildDefault, 0.25)}
${row('the same, `--workers 1`', buildOne, 0.25)}
| floor: native \`xz -dc\` of the ${n} archives, ${cores} at a time | ${s(floor.ms)} (${s(floor.cpuMs)} CPU) | | | |

| peak RSS | btf-bundle | bpftool |
|---|---|---|
| 1 kernel, unstripped objects (one process) | ${mib(single.a.rssKiB)} | ${mib(single.b.rssKiB)} |
| batch, per lane (peak / ${rawLanes}) | ${perLane(batchDefault.a, rawLanes)} | ${mib(batchDefault.b.rssKiB)} |
| batch, \`--workers 1\` | ${mib(batchOne.a.rssKiB)} | ${mib(batchOne.b.rssKiB)} |
| build, per lane (peak / ${xzLanes}) | ${perLane(buildDefault.a, xzLanes)} | ${mib(buildDefault.b.rssKiB)} |
| build, \`--workers 1\` | ${mib(buildOne.a.rssKiB)} | ${mib(buildOne.b.rssKiB)} |
`;
}
