/**
 * Property tests of the bundle decoder (fast-check, seeded, bounded): mutations (bit flips, truncations, splices,
 * u32 overwrites) of a bundle's inflated payload (index and data section, end to end), re-compressed and
 * re-sealed with a valid CRC so they reach the index and data decoders, and of the sealed container itself, never
 * make `decodeBundle`, a lookup or the rebuilding of any kernel's BTF fail with anything but a typed runtime error
 * (naming the offset, value, record or blob where the payload is wrong); nor does the lazy path of `createBtfBundle`
 * (each part decoded when it is first used). The bundle mixes every blob mode:
 * little- and big-endian BTF, a blob coded against a reference (a drifted variant), a verbatim blob, and a failed
 * kernel.
 */
import { brotliDecompressSync } from 'node:zlib';
import {
  BtfRuntimeError,
  createBtfBundle,
  decodeBundle,
  type KernelKey,
  kernelId,
} from '@btf-bundle/runtime';
import { BUNDLE_HEADER_SIZE } from '@btf-bundle/runtime/internal';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { driftBtf } from '../../../bench/lib/drift.js';
import { loadSet } from '../../runtime/test/helpers.js';
import { Btf } from '../src/btf/btf.js';
import { encodeBundle } from '../src/bundle/encode.js';
import { mutate, mutations } from './bad-input-helpers.js';
import { byteSwapBtf } from './btf-helpers.js';
import { container, reseal } from './bundle-helpers.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);

const kernels = loadSet('ab');
const base = kernels[2]!;
const structs = new Set<string>();
const btf = Btf.parse(base.blob);
for (let id = 1; id < btf.typeCount; id++) if (btf.kind(id) === 4 && btf.name(id)) structs.add(btf.name(id));
const key = (release: string): KernelKey => ({ ...base.key, release });
const input = {
  kernels: [
    ...kernels,
    { key: key('6.1.0-47.1-amd64'), blob: driftBtf(base.blob, structs, 7, 1) },
    { key: key('6.1.0-47.2-amd64'), blob: driftBtf(base.blob, structs, 7, 2) },
    { key: { ...base.key, arch: 's390x', release: '6.1.0-47-s390x' }, blob: byteSwapBtf(base.blob) },
    { key: key('6.1.0-0-raw'), blob: new TextEncoder().encode('not a BTF, stored verbatim') },
  ],
  failed: [{ key: key('6.1.0-1-amd64'), reason: 'no BTF' }],
  objects: [{ name: 'probe.bpf.o', sha256: 'ab'.repeat(32) }],
  meta: { tool: 'test' },
};
const bytes = encodeBundle(input).bytes;
const header = new DataView(bytes.buffer, bytes.byteOffset);
const indexEnd = BUNDLE_HEADER_SIZE + header.getUint32(16, true);
/** Index section then data section, inflated. */
const indexSection = brotliDecompressSync(bytes.subarray(BUNDLE_HEADER_SIZE, indexEnd));
const payload = new Uint8Array(Buffer.concat([indexSection, brotliDecompressSync(bytes.subarray(indexEnd))]));

/** A container around `body` cut where the index section ends (see {@link container}). */
function seal(body: Uint8Array): Uint8Array {
  const cut = Math.min(indexSection.length, body.length);
  return container(body.subarray(0, cut), body.subarray(cut));
}

/**
 * Decodes `b` (eagerly with `decodeBundle`, then lazily as `createBtfBundle` does: each kernel looked up first,
 * the lists last) and rebuilds every kernel, also through the lookup; only typed runtime errors may escape, and
 * their message must match `place` (for a re-sealed payload: the offset or value where decoding failed).
 */
async function exercise(b: Uint8Array, place = /bundle/): Promise<'ok' | 'typed'> {
  const eager = await typed(place, async () => {
    const bundle = decodeBundle(b);
    for (const id of bundle.kernels) lookUp(bundle, id);
  });
  const lazy = await typed(place, async () => {
    const api = createBtfBundle(() => b);
    const bundle = await api.bundle();
    for (const k of input.kernels) lookUp(bundle, kernelId(k.key));
    void [api.kernels, api.objects, api.stats, bundle.failed, bundle.meta];
  });
  return eager === 'ok' && lazy === 'ok' ? 'ok' : 'typed';
}

function lookUp(bundle: ReturnType<typeof decodeBundle>, id: string): void {
  const [distro, version, arch, release] = id.split('/') as [string, string, string, string];
  bundle.find({ distro, version, arch, release: `${release}x` }, { nearest: true });
  bundle.find({ distro, version, arch, release });
  bundle.get(id);
}

async function typed(place: RegExp, run: () => Promise<void>): Promise<'ok' | 'typed'> {
  try {
    await run();
    return 'ok';
  } catch (e) {
    if (!(e instanceof BtfRuntimeError)) throw new Error(`not a typed runtime error: ${(e as Error).stack}`);
    expect(e.message).toMatch(place);
    return 'typed';
  }
}

/** What a payload error must name: the offset, value, record or blob where decoding failed. */
const PLACE = /(offset|value|record|blob) \d+/;

describe('bundle decoder fuzz', () => {
  it('the subject round-trips, every blob mode included', async () => {
    const bundle = decodeBundle(bytes);
    for (const k of input.kernels)
      expect(Buffer.from(bundle.get(kernelId(k.key))!).equals(Buffer.from(k.blob))).toBe(true);
    expect(await exercise(seal(payload))).toBe('ok');
  });

  // Crasher of the payload run below (seed 0xb0d1e): a payload cut inside a varint gave "varint runs past the end
  // at N" without saying that N is an offset. Every cut names its offset now.
  it('regression: a payload cut anywhere gives a typed error naming the offset', async () => {
    for (let at = 0; at < payload.length; at += at < 256 ? 1 : 61)
      expect(await exercise(seal(payload.subarray(0, at)), PLACE), `cut at ${at}`).toBe('typed');
  });

  it(`mutated payloads, re-sealed (${RUNS} runs): typed errors only`, async () => {
    await fc.assert(
      fc.asyncProperty(mutations(payload.length), async (ms) => {
        await exercise(seal(ms.reduce(mutate, payload)), PLACE);
      }),
      { seed: Number(process.env.FUZZ_SEED ?? 0xb0d1e), numRuns: RUNS },
    );
  });

  it(`mutated containers, CRC fixed (${RUNS} runs): typed errors only`, async () => {
    await fc.assert(
      fc.asyncProperty(mutations(bytes.length), async (ms) => {
        const b = ms.reduce(mutate, bytes);
        if (b.length >= 12) reseal(b);
        await exercise(b);
      }),
      { seed: Number(process.env.FUZZ_SEED ?? 0xc0de), numRuns: RUNS },
    );
  });
});
