// Whole-process measurements for the benchmarks that compare our CLI with other tools: each command runs under
// `/usr/bin/time -v` (Debian package `time`), which gives its CPU time and peak RSS; wall time is measured around
// it. Several commands (a shell-style loop) add up their CPU time and keep the largest peak RSS.
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { median } from './stats.js';

/** What one step (one or more processes) cost. */
export interface Cost {
  /** Wall time, ms. */
  ms: number;
  /** User + system CPU time of its processes, ms. */
  cpuMs: number;
  /** Peak RSS of its largest process, KiB. */
  rssKiB: number;
}

/**
 * The environment of every timed command: ours minus NODE_EXTRA_CA_CERTS. Some machines (this project's CI
 * sandbox among them) point it at the system CA bundle, which makes every Node process parse ~150 certificates
 * before running anything; nothing timed here uses TLS.
 */
export const { NODE_EXTRA_CA_CERTS: extraCaCerts, ...CLEAN_ENV } = process.env;

/** Runs one command under `/usr/bin/time -v`; throws with its stderr when it fails. */
export function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv = CLEAN_ENV): Cost {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-v', cmd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20, env });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}`);
  const field = (name: string) => Number(r.stderr.match(new RegExp(`${name}: ([\\d.]+)`))?.[1] ?? Number.NaN);
  return {
    ms,
    cpuMs: (field('User time \\(seconds\\)') + field('System time \\(seconds\\)')) * 1000,
    rssKiB: field('Maximum resident set size \\(kbytes\\)'),
  };
}

/** The cost of several steps run one after the other (a shell-style loop). */
export function sequence(steps: readonly (() => Cost)[]): Cost {
  const t0 = performance.now();
  let cpuMs = 0;
  let rssKiB = 0;
  for (const step of steps) {
    const c = step();
    cpuMs += c.cpuMs;
    rssKiB = Math.max(rssKiB, c.rssKiB);
  }
  return { ms: performance.now() - t0, cpuMs, rssKiB };
}

/** Medians of repeated runs: wall and CPU; peak RSS is the largest seen. */
export type Measure = Cost;

/** A pair measured in turn (A B A B …) so that drifts of a shared machine hit both alike. */
export interface Pair {
  a: Measure;
  b: Measure;
  /** Median over the runs of A's wall time / B's. */
  wallRatio: number;
  /** Median over the runs of A's CPU time / B's. */
  cpuRatio: number;
}

function summarize(costs: readonly Cost[]): Measure {
  return {
    ms: median(costs.map((c) => c.ms)),
    cpuMs: median(costs.map((c) => c.cpuMs)),
    rssKiB: Math.max(...costs.map((c) => c.rssKiB)),
  };
}

/** Runs `a` and `b` in turn `runs` times after one warm-up each (page cache, disk). */
export function pair(a: () => Cost, b: () => Cost, runs: number): Pair {
  a();
  b();
  const as: Cost[] = [];
  const bs: Cost[] = [];
  for (let i = 0; i < runs; i++) {
    as.push(a());
    bs.push(b());
  }
  return {
    a: summarize(as),
    b: summarize(bs),
    wallRatio: median(as.map((c, i) => c.ms / (bs[i] as Cost).ms)),
    cpuRatio: median(as.map((c, i) => c.cpuMs / (bs[i] as Cost).cpuMs)),
  };
}

/** Runs `step` `runs` times after one warm-up. */
export function repeat(step: () => Cost, runs: number): Measure {
  step();
  return summarize(Array.from({ length: runs }, step));
}

/**
 * What people script today for `.btf.tar.xz` kernels: for each tarball, `tar -xJf` into an emptied `dir`, then
 * `step` on the raw `<release>.btf` it holds (a BTFHub tarball has that one member).
 */
export function untarEach(tarballs: readonly string[], dir: string, step: (raw: string) => Cost): Cost {
  return sequence(
    tarballs.flatMap((t) => [
      () => {
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir);
        return run('tar', ['-xJf', t, '-C', dir]);
      },
      () => step(join(dir, basename(t, '.tar.xz'))),
    ]),
  );
}
