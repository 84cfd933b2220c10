/**
 * The upstream oracles beside Debian 12's bpftool 7.1 / libbpf 1.1: bpftool 7.5 and libbpf 1.4.6 from
 * bookworm-backports, unpacked privately by scripts/fetch-upstream-oracles.sh (default `.cache/upstream/root`,
 * or `UPSTREAM_ROOT`). Nothing here installs anything: a missing unpack is reported as a skip reason (an error
 * under `CI=true`, through {@link oracleSkipReason}).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bpftoolMissing, libbpfHarnessMissing } from './availability.js';
import { compileLibbpfHarness, type LibbpfBuild } from './libbpf.js';

const repo = resolve(import.meta.dirname, '../..');

/** Where the unpacked packages are. */
export const upstreamRoot = process.env.UPSTREAM_ROOT ?? join(repo, '.cache/upstream/root');

/** The upstream tools, as the oracle helpers take them. */
export interface UpstreamOracles {
  /** bpftool 7.5's path (for bpftoolMinCoreBtf's `bpftool` argument). */
  bpftool: string;
  /** libbpf 1.4.6 (for libbpfRelocate's `libbpf` option). */
  libbpf: LibbpfBuild;
}

/** The upstream tools' locations (checked by {@link upstreamMissing}). */
export const upstream: UpstreamOracles = {
  bpftool: join(upstreamRoot, 'usr/sbin/bpftool'),
  libbpf: {
    label: 'libbpf-1.4.6',
    includeDir: join(upstreamRoot, 'usr/include'),
    libDir: join(upstreamRoot, `usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`),
  },
};

const FETCH = 'run scripts/fetch-upstream-oracles.sh';

function libbpfVersion(includeDir: string): string | undefined {
  const header = join(includeDir, 'bpf/libbpf_version.h');
  if (!existsSync(header)) return undefined;
  const text = readFileSync(header, 'utf8');
  const major = /LIBBPF_MAJOR_VERSION (\d+)/.exec(text)?.[1];
  const minor = /LIBBPF_MINOR_VERSION (\d+)/.exec(text)?.[1];
  return `${major}.${minor}`;
}

/** Checks that bpftool 7.5 is unpacked and runs; `undefined` when usable, else the reason. */
export function upstreamBpftoolMissing(): string | undefined {
  if (!existsSync(upstream.bpftool)) return `bpftool 7.5 not found at ${upstream.bpftool} (${FETCH})`;
  const r = spawnSync(upstream.bpftool, ['version'], { encoding: 'utf8', timeout: 60_000 });
  const version = /bpftool v(\S+)/.exec(r.stdout ?? '')?.[1];
  if (!version?.startsWith('7.5.')) return `${upstream.bpftool} is not bpftool 7.5 (${r.stdout || r.error})`;
  return undefined;
}

/** Checks that libbpf 1.4 is unpacked and the harness builds against it; `undefined` when usable. */
export function upstreamLibbpfMissing(): string | undefined {
  const version = libbpfVersion(upstream.libbpf.includeDir);
  if (version === undefined)
    return `libbpf 1.4.6 headers not found under ${upstream.libbpf.includeDir} (${FETCH})`;
  if (version !== '1.4') return `${upstream.libbpf.includeDir} holds libbpf ${version}, expected 1.4`;
  if (!existsSync(join(upstream.libbpf.libDir, 'libbpf.so')))
    return `libbpf.so not in ${upstream.libbpf.libDir} (${FETCH})`;
  try {
    compileLibbpfHarness(upstream.libbpf);
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

/** One bpftool to compare with, and how to tell it is missing. */
export interface BpftoolOracle {
  label: string;
  /** Path or command name, for bpftoolMinCoreBtf's `bpftool` argument. */
  bin: string;
  missing: () => string | undefined;
}

/** Debian's bpftool 7.1 and upstream 7.5: the byte-identity oracles of `--mode bpftool`. */
export const BPFTOOLS: readonly BpftoolOracle[] = [
  { label: 'bpftool 7.1 (Debian)', bin: 'bpftool', missing: bpftoolMissing },
  { label: 'bpftool 7.5 (bookworm-backports)', bin: upstream.bpftool, missing: upstreamBpftoolMissing },
];

/** One libbpf to relocate with (`undefined` build: the system's), and how to tell it is missing. */
export interface LibbpfOracle {
  label: string;
  build: LibbpfBuild | undefined;
  missing: () => string | undefined;
}

/** Debian's libbpf 1.1 and upstream 1.4.6: the relocation oracles. */
export const LIBBPFS: readonly LibbpfOracle[] = [
  { label: 'libbpf 1.1 (Debian)', build: undefined, missing: libbpfHarnessMissing },
  {
    label: 'libbpf 1.4.6 (bookworm-backports)',
    build: upstream.libbpf,
    missing: () => upstreamLibbpfMissing() ?? libbpfHarnessMissing(),
  },
];
