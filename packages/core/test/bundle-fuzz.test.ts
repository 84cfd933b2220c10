/**
 * Property tests of the bundle decoder (fast-check, seeded, bounded): mutations (bit flips, truncations, splices,
 * u32 overwrites) of a bundle's inflated payload, re-compressed and re-sealed with a valid CRC so they reach the
 * index and data decoders, and of the sealed container itself, never make `decodeBundle`, a lookup or the
 * rebuilding of any kernel's BTF fail with anything but a typed runtime error (naming the offset or value where
 * the payload is wrong). The bundle mixes every blob mode:
 * little- and big-endian BTF, a blob coded against a reference (a drifted variant), a verbatim blob, and a failed
 * kernel.
 */
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { BtfRuntimeError, decodeBundle, type KernelKey, kernelId } from '@btf-bundle/runtime';
import { BUNDLE_HEADER_SIZE, crc32 } from '@btf-bundle/runtime/internal';
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
const payload = new Uint8Array(brotliDecompressSync(bytes.subarray(BUNDLE_HEADER_SIZE)));

/** A copy of the bundle's header around `body` (brotli quality 1), with sizes and CRC made valid. */
function seal(body: Uint8Array): Uint8Array {
  const z = brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 1 } });
  const out = new Uint8Array(BUNDLE_HEADER_SIZE + z.length);
  out.set(bytes.subarray(0, BUNDLE_HEADER_SIZE));
  out.set(z, BUNDLE_HEADER_SIZE);
  const view = new DataView(out.buffer);
  view.setUint32(12, body.length, true);
  view.setUint32(16, z.length, true);
  view.setUint32(8, crc32(out.subarray(12)), true);
  return out;
}

/**
 * Decodes `b` and rebuilds every kernel, also through the lookup; only typed runtime errors may escape, and their
 * message must match `place` (for a re-sealed payload: the offset or value where decoding failed).
 */
function exercise(b: Uint8Array, place = /bundle/): 'ok' | 'typed' {
  try {
    const bundle = decodeBundle(b);
    for (const id of bundle.kernels) {
      const [distro, version, arch, release] = id.split('/') as [string, string, string, string];
      bundle.find({ distro, version, arch, release: `${release}x` }, { nearest: true });
      bundle.get(id);
    }
    return 'ok';
  } catch (e) {
    if (!(e instanceof BtfRuntimeError)) throw new Error(`not a typed runtime error: ${(e as Error).stack}`);
    expect(e.message).toMatch(place);
    return 'typed';
  }
}

function mutations(size: number): fc.Arbitrary<Mutation[]> {
  const at = fc.nat({ max: size * 2 });
  const value = fc.oneof(
    fc.constantFrom(0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, size),
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

describe('bundle decoder fuzz', () => {
  it('the subject round-trips, every blob mode included', () => {
    const bundle = decodeBundle(bytes);
    for (const k of input.kernels)
      expect(Buffer.from(bundle.get(kernelId(k.key))!).equals(Buffer.from(k.blob))).toBe(true);
    expect(exercise(seal(payload))).toBe('ok');
  });

  // Crasher of the payload run below (seed 0xb0d1e): a payload cut inside a varint gave "varint runs past the end
  // at N" without saying that N is an offset. Every cut names its offset now.
  it('regression: a payload cut anywhere gives a typed error naming the offset', () => {
    for (let at = 0; at < payload.length; at += at < 256 ? 1 : 61)
      expect(exercise(seal(payload.subarray(0, at)), /(offset|value) \d+/), `cut at ${at}`).toBe('typed');
  });

  it(`mutated payloads, re-sealed (${RUNS} runs): typed errors only`, () => {
    fc.assert(
      fc.property(mutations(payload.length), (ms) => {
        exercise(seal(ms.reduce(mutate, payload)), /(offset|value) \d+/);
      }),
      { seed: Number(process.env.FUZZ_SEED ?? 0xb0d1e), numRuns: RUNS },
    );
  });

  it(`mutated containers, CRC fixed (${RUNS} runs): typed errors only`, () => {
    fc.assert(
      fc.property(mutations(bytes.length), (ms) => {
        const b = ms.reduce(mutate, bytes);
        if (b.length >= 12) new DataView(b.buffer, b.byteOffset).setUint32(8, crc32(b.subarray(12)), true);
        exercise(b);
      }),
      { seed: Number(process.env.FUZZ_SEED ?? 0xc0de), numRuns: RUNS },
    );
  });
});
