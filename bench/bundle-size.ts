// Bundle size on the real fixtures: the 8 Debian kernels of sample-snapshot/ and the real-world corpus objects
// (all four, then each alone; arm64 kernels get the arm64 bpf2go objects where they exist), compared with
// `tar cJf` / `tar czf` of the same BTFs as one file per kernel (`debian/12/<arch>/<release>.btf`).
// The tar files hold bpftool's outputs (minimizeBtf in bpftool mode; when bpftool is on PATH they are checked
// byte-identical to `bpftool gen min_core_btf`); the bundle holds what `btf-bundle build` ships (robust mode).
// Run from the repo root:
//   pnpm bench bundle-size

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  loadRealKernels,
  REAL_SETS,
  type RealBundleInput,
  type RealKernel,
  realBundle,
  realBundleInput,
  TESTDATA,
  tarSizes,
} from './lib/fixtures.js';

function hasBpftool(): boolean {
  try {
    execFileSync('bpftool', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Checks our outputs against `bpftool gen min_core_btf` for every kernel of `input`. */
function checkBpftool(
  kernels: readonly RealKernel[],
  set: (typeof REAL_SETS)[number],
  input: RealBundleInput,
) {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-size-bpftool-'));
  try {
    for (const { key, blob } of input.kernels) {
      const raw = kernels.find((k) => k.key === key)!.raw;
      writeFileSync(join(dir, 'vmlinux'), raw);
      const names = key.arch === 'arm64' ? set.arm64 : set.x86_64;
      execFileSync('bpftool', [
        'gen',
        'min_core_btf',
        join(dir, 'vmlinux'),
        join(dir, 'out.btf'),
        ...names.map((n) => join(TESTDATA, n)),
      ]);
      if (!readFileSync(join(dir, 'out.btf')).equals(Buffer.from(blob)))
        throw new Error(`${set.name} ${key.arch}/${key.release}: differs from bpftool's output`);
    }
  } finally {
    rmSync(dir, { recursive: true });
  }
}

async function main(): Promise<void> {
  const kernels = await loadRealKernels();
  const bpftool = hasBpftool();
  console.log(
    `${kernels.length} kernels from sample-snapshot; BTFs ${bpftool ? 'checked byte-identical to bpftool' : 'not checked (no bpftool)'}`,
  );
  console.log(
    '| objects | kernels | distinct BTFs | BTF bytes (ours) | bundle | tar cJf (bpftool) | tar czf (bpftool) | bundle / tar cJf |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const set of REAL_SETS) {
    const upstream = realBundleInput(kernels, set, 'bpftool');
    if (bpftool) checkBpftool(kernels, set, upstream);
    const input = realBundleInput(kernels, set);
    const bundle = realBundle(input);
    const { xz, gz } = tarSizes(upstream.kernels);
    const distinct = new Set(input.kernels.map((k) => Buffer.from(k.blob).toString('hex'))).size;
    const raw = input.kernels.reduce((a, k) => a + k.blob.length, 0);
    console.log(
      `| ${set.name} | ${input.kernels.length} | ${distinct} | ${raw} | ${bundle.length} | ${xz} | ${gz} | ${(bundle.length / xz).toFixed(3)} |`,
    );
  }
}

await main();
