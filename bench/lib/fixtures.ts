// The real-kernel fixtures shared by the bundle benchmarks and the bundle-size test: the 8 Debian kernels of
// sample-snapshot/ and the real-world corpus objects, minimized as a build would, and tar sizes to compare with.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Btf } from '../../packages/core/src/btf/btf.js';
import { encodeBundle } from '../../packages/core/src/bundle/encode.js';
import { type MinimizeMode, minimizeBtf } from '../../packages/core/src/minimize/minimize.js';
import { type BpfObject, parseBpfObject } from '../../packages/core/src/object.js';
import { readKernelBtf } from '../../packages/core/src/snapshot/input.js';
import { scanSnapshot } from '../../packages/core/src/snapshot/scan.js';
import type { KernelKey } from '../../packages/runtime/src/index.js';

const ROOT = process.cwd(); // run from the repo root (vitest does)
const SNAPSHOT = join(ROOT, 'sample-snapshot');
export const TESTDATA = join(ROOT, 'packages/core/testdata');

/** The four real-world corpus objects (x86_64 builds, file names in TESTDATA): the fixture build's objects. */
export const REAL_OBJECTS: readonly string[] = [
  'execsnoop.bpf.o',
  'opensnoop.bpf.o',
  'tcpstates.bpf.o',
  'biolatency.bpf.o',
];

/** One object set: x86 objects, and the arm64 builds of those that have one. */
export const REAL_SETS: { name: string; x86_64: readonly string[]; arm64: readonly string[] }[] = [
  {
    name: 'all four',
    x86_64: REAL_OBJECTS,
    arm64: ['execsnoop_arm64_bpfel.o', 'opensnoop_arm64_bpfel.o'],
  },
  { name: 'execsnoop', x86_64: ['execsnoop.bpf.o'], arm64: ['execsnoop_arm64_bpfel.o'] },
  { name: 'opensnoop', x86_64: ['opensnoop.bpf.o'], arm64: ['opensnoop_arm64_bpfel.o'] },
  { name: 'tcpstates', x86_64: ['tcpstates.bpf.o'], arm64: [] },
  { name: 'biolatency', x86_64: ['biolatency.bpf.o'], arm64: [] },
];

/** A real kernel of the sample snapshot with its full BTF. */
export interface RealKernel {
  key: KernelKey;
  raw: Uint8Array;
  btf: Btf;
}

/**
 * Loads the sample snapshot's kernels (raw BTF out of each .btf.tar.xz), in path order (bench/runtime-decode.ts
 * looks up the first one: debian/12/arm64/6.1.0-50-arm64).
 */
export async function loadRealKernels(): Promise<RealKernel[]> {
  const { kernels } = await scanSnapshot(SNAPSHOT, { include: ['**/*.btf.tar.xz'] });
  const out: RealKernel[] = [];
  for (const { key, path } of kernels.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    const raw = await readKernelBtf(path);
    out.push({ key, raw, btf: Btf.parse(raw) });
  }
  return out;
}

/** What a real build would bundle for one object set. */
export interface RealBundleInput {
  kernels: { key: KernelKey; blob: Uint8Array }[];
  objects: { name: string; sha256: string }[];
}

/** Minimises every kernel for `set` and returns the bundle input (robust: what a build produces). */
export function realBundleInput(
  kernels: readonly RealKernel[],
  set: (typeof REAL_SETS)[number],
  mode: MinimizeMode = 'robust',
): RealBundleInput {
  // Each object file is read and parsed once (on first use), for both the minimizer and its sha256.
  const files = new Map<string, Uint8Array>();
  const parsed = new Map<readonly string[], BpfObject[]>();
  const objectsOf = (names: readonly string[]) => {
    let objs = parsed.get(names);
    if (!objs) {
      objs = names.map((n) => {
        const bytes = readFileSync(join(TESTDATA, n));
        files.set(n, bytes);
        return parseBpfObject(bytes, n);
      });
      parsed.set(names, objs);
    }
    return objs;
  };
  const out = kernels.flatMap(({ key, btf }) => {
    const names = key.arch === 'arm64' ? set.arm64 : set.x86_64;
    if (names.length === 0) return [];
    return [{ key, blob: minimizeBtf(btf, objectsOf(names), { mode }).btf }];
  });
  const objects = [...files.keys()].sort().map((name) => ({
    name,
    sha256: createHash('sha256').update(files.get(name)!).digest('hex'),
  }));
  return { kernels: out, objects };
}

/** Sizes of `tar cJf` and `tar czf` of the BTFs as a BTFHub-style tree (`<distro>/<version>/<arch>/<release>.btf`). */
export function tarSizes(kernels: readonly { key: KernelKey; blob: Uint8Array }[]): {
  xz: number;
  gz: number;
} {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-size-'));
  try {
    const top = new Set<string>();
    for (const { key, blob } of kernels) {
      const file = join(dir, key.distro, key.version, key.arch, `${key.release}.btf`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, blob);
      top.add(key.distro);
    }
    const size = (flags: string) =>
      execFileSync('tar', [flags, '-', '-C', dir, ...[...top].sort()], { maxBuffer: 1 << 28 }).length;
    return { xz: size('cJf'), gz: size('czf') };
  } finally {
    rmSync(dir, { recursive: true });
  }
}

/** Encodes `input` as buildBundle does (same objects list and meta shape). */
export function realBundle(input: RealBundleInput): Uint8Array {
  return encodeBundle({ ...input, meta: { tool: 'btf-bundle', version: '0.1.0', mode: 'robust' } }).bytes;
}
