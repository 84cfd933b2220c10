/**
 * The WebAssembly data-section decoder (packages/runtime/wasm/decode.c) against the JavaScript one, the reference
 * that names what is wrong: on real reduced BTFs (little- and big-endian, drifted variants, a verbatim blob) and on
 * mutated data sections and blob sizes (fast-check, seeded), both accept exactly the same sections and blobs and
 * give the same bytes. Without WebAssembly (`node --jitless`) a bundle decodes through the JavaScript decoder alone.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { decodeBundle } from '@btf-bundle/runtime';
import { ByteReader, DataSection, NativeDataSection } from '@btf-bundle/runtime/internal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { driftBtf } from '../../../bench/lib/drift.js';
import { loadSet } from '../../runtime/test/helpers.js';
import { Btf } from '../src/btf/btf.js';
import { encodeBundle } from '../src/bundle/encode.js';
import { type Mutation, mutate } from './bad-input-helpers.js';
import { byteSwapBtf } from './btf-helpers.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

const kernels = loadSet('ab');
const base = kernels[2]!;
const btf = Btf.parse(base.blob);
const structs = new Set<string>();
for (let id = 1; id < btf.typeCount; id++) if (btf.kind(id) === 4 && btf.name(id)) structs.add(btf.name(id));
const input = {
  kernels: [
    ...kernels,
    ...[1, 2, 3].map((seed) => ({
      key: { ...base.key, release: `6.1.0-47.${seed}-amd64` },
      blob: driftBtf(base.blob, structs, 7, seed),
    })),
    { key: { ...base.key, arch: 's390x', release: '6.1.0-47-s390x' }, blob: byteSwapBtf(base.blob) },
    {
      key: { ...base.key, release: '6.1.0-0-raw' },
      blob: new TextEncoder().encode('not a BTF, kept verbatim'),
    },
  ],
  failed: [],
  objects: [],
  meta: {},
};
const bundle = encodeBundle(input).bytes;
const header = new DataView(bundle.buffer, bundle.byteOffset);
const data = new Uint8Array(brotliDecompressSync(bundle.subarray(28 + header.getUint32(16, true))));
const decoded = decodeBundle(bundle);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
/** The distinct blobs' sizes, in blob order (numbered by their first kernel in bundle order). */
const sizes = [
  ...new Map(decoded.kernels.map((id) => [sha256(decoded.get(id)!), decoded.get(id)!.length])),
].map(([, size]) => size);

/** Every blob of the section as the JavaScript decoder gives it (hex), 'refused' for a blob or section it refuses. */
function javascript(section: Uint8Array, blobSizes: number[]): string[] | 'refused' {
  let decoder: DataSection;
  try {
    decoder = new DataSection(new ByteReader(section, 'bundle data'), blobSizes);
  } catch {
    return 'refused';
  }
  return blobSizes.map((_, i) => {
    try {
      return Buffer.from(decoder.get(i)).toString('hex');
    } catch {
      return 'refused';
    }
  });
}

/** The same through the WebAssembly decoder. */
function native(section: Uint8Array, blobSizes: number[]): string[] | 'refused' {
  const decoder = NativeDataSection.open(section, blobSizes);
  if (!decoder) return 'refused';
  return blobSizes.map((_, i) => {
    const blob = decoder.get(i);
    return blob ? Buffer.from(blob).toString('hex') : 'refused';
  });
}

function mutations(size: number): fc.Arbitrary<Mutation[]> {
  const at = fc.nat({ max: size + 8 });
  const value = fc.oneof(
    fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x80000000, 0xffffffff, size),
    fc.nat(),
  );
  const one: fc.Arbitrary<Mutation> = fc.oneof(
    fc.record({ op: fc.constant('flip' as const), at, bit: fc.nat({ max: 7 }) }),
    fc.record({ op: fc.constant('truncate' as const), at }),
    fc.record({ op: fc.constant('splice' as const), from: at, to: at, len: fc.integer({ min: 1, max: 64 }) }),
    fc.record({ op: fc.constant('u32' as const), at, value }),
  );
  return fc.array(one, { minLength: 1, maxLength: 3 });
}

describe('WebAssembly data-section decoder', () => {
  it('rebuilds every blob of a real bundle as the JavaScript decoder does (both byte orders, verbatim)', () => {
    expect(sizes.length).toBeGreaterThan(5);
    const expected = javascript(data, sizes);
    expect(expected).not.toContain('refused');
    expect(native(data, sizes)).toEqual(expected);
  });

  it(`mutated sections and sizes (${RUNS} runs): accepts and refuses what the JavaScript decoder does`, () => {
    const resize = fc.option(
      fc.record({ blob: fc.nat({ max: sizes.length - 1 }), size: fc.nat({ max: 1 << 16 }) }),
    );
    fc.assert(
      fc.property(mutations(data.length), resize, (ms, change) => {
        const section = ms.reduce(mutate, data);
        const blobSizes = [...sizes];
        if (change) blobSizes[change.blob] = change.size;
        expect(native(section, blobSizes)).toEqual(javascript(section, blobSizes));
      }),
      { seed: Number(process.env.FUZZ_SEED ?? 0x3a5), numRuns: RUNS },
    );
  });

  it('without WebAssembly (node --jitless) the JavaScript decoder gives the same BTFs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'btf-bundle-jitless-'));
    try {
      const file = join(dir, 'bundle.btfb');
      writeFileSync(file, bundle);
      const runtime = new URL('../../runtime/dist/index.js', import.meta.url).href;
      const script = `
        const { decodeBundle, createBtfBundle } = await import(${JSON.stringify(runtime)});
        const { createHash } = await import('node:crypto');
        const bytes = (await import('node:fs')).readFileSync(${JSON.stringify(file)});
        const hash = (b) => createHash('sha256').update(b).digest('hex');
        const eager = decodeBundle(bytes);
        const api = createBtfBundle(() => bytes);
        const out = [typeof WebAssembly];
        for (const id of eager.kernels) out.push(hash(eager.get(id)), hash((await api.findBtf(id)).bytes));
        console.log(JSON.stringify(out));`;
      const output = execFileSync(process.execPath, ['--jitless', '--input-type=module', '-e', script], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const expected = decoded.kernels.flatMap((id) => [sha256(decoded.get(id)!), sha256(decoded.get(id)!)]);
      expect(JSON.parse(output)).toEqual(['undefined', ...expected]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
