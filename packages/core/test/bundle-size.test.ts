import { decodeBundle, kernelId } from '@btf-bundle/runtime';
import { describe, expect, it } from 'vitest';
import {
  loadRealKernels,
  REAL_SETS,
  realBundle,
  realBundleInput,
  tarSizes,
} from '../../../bench/lib/fixtures.js';

// Issue target: the bundle of the fixture build (all real objects over every sample-snapshot kernel) is at most
// half of `tar cJf` of bpftool's outputs for the same kernels and objects. Single-object sets of a few hundred
// bytes are dominated by fixed costs (object hashes, kernel ids, one first blob); they get a regression bound.
// bench/bundle-size.ts prints the table.
const FIXTURE_BUILD_MAX = 0.5;
const SINGLE_OBJECT_MAX = 0.95;

describe('bundle size on the real fixtures (sample-snapshot kernels x corpus objects)', async () => {
  const kernels = await loadRealKernels();
  it.each(REAL_SETS.map((s, i) => [s.name, s, i === 0 ? FIXTURE_BUILD_MAX : SINGLE_OBJECT_MAX] as const))(
    '%s: round-trips and stays within its bound of tar cJf of bpftool outputs',
    (_, set, max) => {
      const input = realBundleInput(kernels, set);
      const bytes = realBundle(input);
      const bundle = decodeBundle(bytes);
      for (const k of input.kernels)
        expect(Buffer.from(bundle.get(kernelId(k.key))!).equals(Buffer.from(k.blob))).toBe(true);
      const { xz } = tarSizes(realBundleInput(kernels, set, 'bpftool').kernels);
      console.log(
        `${set.name}: bundle ${bytes.length} B, tar cJf of bpftool outputs ${xz} B, ratio ${(bytes.length / xz).toFixed(3)}`,
      );
      expect(bytes.length / xz).toBeLessThanOrEqual(max);
    },
  );
});
