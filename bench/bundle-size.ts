// Bundle size, compared with `tar cJf` / `tar czf` of the same BTFs as one file per kernel
// (`<distro>/<version>/<arch>/<release>.btf`):
//   - the fixture rows: the 8 Debian kernels of sample-snapshot/ and the real-world corpus objects (all four, then
//     each alone; arm64 kernels get the arm64 bpf2go objects where they exist);
//   - the agent rows: the whole agent corpus (bench/lib/scale-fixtures.ts) over 11 and 100 kernels: the real ones
//     (sample-snapshot/, plus the benchmark kernel cache, BTF_BUNDLE_KERNELS (default .cache/kernels)), topped up with drifted variants of them.
// The tar files hold bpftool's outputs (minimizeBtf in bpftool mode; when bpftool is on PATH they are checked
// byte-identical to `bpftool gen min_core_btf`, variants included); the bundle holds what `btf-bundle build`
// ships (robust mode). Run from the repo root:
//   pnpm bench bundle-size

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeBundle } from '../packages/core/src/bundle/encode.js';
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
import {
  agentCorpus,
  realScaleKernels,
  reduceAll,
  type ScaleKernel,
  scaleKernels,
} from './lib/scale-fixtures.js';

function hasBpftool(): boolean {
  try {
    execFileSync('bpftool', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Checks that `blobs` (our bpftool-mode outputs) are what `bpftool gen min_core_btf` writes for each kernel. */
function checkBpftool(
  kernels: readonly { key: RealKernel['key']; raw: () => Uint8Array }[],
  objectsOf: (arch: string) => readonly string[],
  blobs: RealBundleInput['kernels'],
) {
  const dir = mkdtempSync(join(tmpdir(), 'bundle-size-bpftool-'));
  try {
    blobs.forEach(({ key, blob }, i) => {
      writeFileSync(join(dir, 'vmlinux'), kernels[i]!.raw());
      execFileSync('bpftool', [
        'gen',
        'min_core_btf',
        join(dir, 'vmlinux'),
        join(dir, 'out.btf'),
        ...objectsOf(key.arch),
      ]);
      if (!readFileSync(join(dir, 'out.btf')).equals(Buffer.from(blob)))
        throw new Error(`${key.arch}/${key.release}: differs from bpftool's output`);
    });
  } finally {
    rmSync(dir, { recursive: true });
  }
}

/** The agent rows: the whole corpus over `counts` kernels each. */
async function agentRows(bpftool: boolean, counts: readonly number[]) {
  const corpus = agentCorpus();
  const real = await realScaleKernels();
  console.log(`\nAgent corpus: ${corpus.source}; ${real.length} real kernels, the rest drifted variants.\n`);
  console.log(
    '| kernels (real + drifted) | distinct BTFs | BTF bytes (ours) | bundle | tar cJf (bpftool) | tar czf (bpftool) | bundle / tar cJf |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const count of counts) {
    const kernels: ScaleKernel[] = scaleKernels(real, corpus, count);
    const upstream = reduceAll(kernels, corpus, 'bpftool');
    if (bpftool) checkBpftool(kernels, () => corpus.files, upstream);
    const ours = reduceAll(kernels, corpus, 'robust');
    const bundle = encodeBundle({ kernels: ours, objects: corpus.hashes, meta: META }).bytes;
    const { xz, gz } = tarSizes(upstream);
    const distinct = new Set(ours.map((k) => Buffer.from(k.blob).toString('hex'))).size;
    const raw = ours.reduce((a, k) => a + k.blob.length, 0);
    const realCount = kernels.filter((k) => !k.driftedFrom).length;
    console.log(
      `| ${count} (${realCount} + ${count - realCount}) | ${distinct} | ${raw} | ${bundle.length} | ${xz} | ${gz} | ${(bundle.length / xz).toFixed(3)} |`,
    );
  }
}

const META = { tool: 'btf-bundle', version: '0.1.0', mode: 'robust' };

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
    const objectsOf = (arch: string) =>
      (arch === 'arm64' ? set.arm64 : set.x86_64).map((n) => join(TESTDATA, n));
    const used = upstream.kernels.map(({ key }) => {
      const raw = kernels.find((k) => k.key === key)!.raw;
      return { key, raw: () => raw };
    });
    if (bpftool) checkBpftool(used, objectsOf, upstream.kernels);
    const input = realBundleInput(kernels, set);
    const bundle = realBundle(input);
    const { xz, gz } = tarSizes(upstream.kernels);
    const distinct = new Set(input.kernels.map((k) => Buffer.from(k.blob).toString('hex'))).size;
    const raw = input.kernels.reduce((a, k) => a + k.blob.length, 0);
    console.log(
      `| ${set.name} | ${input.kernels.length} | ${distinct} | ${raw} | ${bundle.length} | ${xz} | ${gz} | ${(bundle.length / xz).toFixed(3)} |`,
    );
  }
  await agentRows(bpftool, [11, 100]);
}

await main();
