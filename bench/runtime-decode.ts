// Decode-time benchmark for @btf-bundle/runtime: cold (header + index + full data section on first lookup)
// and warm (cached) lookups, on bundles built from the committed reduced-BTF fixtures.
// Run from the repo root:
//   npx esbuild bench/runtime-decode.ts --bundle --platform=node --format=esm --outfile=/tmp/bench.mjs && node /tmp/bench.mjs
import { encodeBundle } from '../packages/core/src/bundle/encode.js';
import { decodeBundle } from '../packages/runtime/src/index.js';
import { loadSet, SETS } from '../packages/runtime/test/helpers.js';

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;

for (const set of SETS) {
  const kernels = loadSet(set, 'packages/runtime/test/fixtures');
  const bytes = encodeBundle({ kernels, objects: [], meta: {} });
  const ids = kernels.map((k) => `${k.key.distro}/${k.key.version}/${k.key.arch}/${k.key.release}`);
  const cold: number[] = [];
  for (let round = 0; round < 50; round++) {
    const t0 = process.hrtime.bigint();
    decodeBundle(bytes).get(ids[round % ids.length]!);
    cold.push(ms(t0));
  }
  const bundle = decodeBundle(bytes);
  bundle.get(ids[0]!);
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < 10_000; i++) bundle.get(ids[i % ids.length]!);
  const warm = ms(t1) / 10_000;
  cold.sort((a, b) => a - b);
  console.log(
    `set ${set}: ${bytes.length} B bundle, ${kernels.length} kernels; decode + first lookup: min ${cold[0]!.toFixed(3)} ms, ` +
      `median ${cold[25]!.toFixed(3)} ms, max ${cold[49]!.toFixed(3)} ms (the process's very first call, JIT cold); ` +
      `cached lookup ${(warm * 1000).toFixed(2)} µs`,
  );
}
