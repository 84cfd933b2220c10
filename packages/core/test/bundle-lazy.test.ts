/**
 * The lazy index (format 4 on): a lookup through `createBtfBundle` decodes only its kernel's group and blob, so a
 * corrupt part elsewhere surfaces as a typed error when it is used (and at once under `decodeBundle`'s full check),
 * never as wrong data; and on a 1,000-entry bundle every kind of match (exact, normalized, bracketed, nearest) is
 * what the lookup gives over a plainly built index of the same kernels.
 */
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import {
  BundleCorruptError,
  createBtfBundle,
  decodeBundle,
  type KernelKey,
  kernelId,
  type LookupKernel,
  type NearestPolicy,
  parseKernelId,
} from '@btf-bundle/runtime';
import { BUNDLE_HEADER_SIZE } from '@btf-bundle/runtime/internal';
import { describe, expect, it } from 'vitest';
import { matchKernel, type PrefixEntry } from '../../runtime/src/kernel/lookup.js';
import { loadSet } from '../../runtime/test/helpers.js';
import { encodeBundle } from '../src/bundle/encode.js';
import { withSection } from './bundle-helpers.js';

const blobs = loadSet('ab').map((k) => k.blob);
const deb = (release: string): KernelKey => ({ distro: 'debian', version: '12', arch: 'x86_64', release });
const ubuntu = (release: string): KernelKey => ({
  distro: 'ubuntu',
  version: '22.04',
  arch: 'x86_64',
  release,
});

/** The bundle with its index section replaced by `edit(index)`, re-sealed (sizes and CRC valid). */
function withIndex(bytes: Uint8Array, edit: (index: Buffer) => Buffer): Uint8Array {
  const end = BUNDLE_HEADER_SIZE + new DataView(bytes.buffer, bytes.byteOffset).getUint32(16, true);
  const index = edit(brotliDecompressSync(bytes.subarray(BUNDLE_HEADER_SIZE, end)));
  return withSection(bytes, 'index', brotliCompressSync(index), index.length);
}

/** `bytes` with the first occurrence of `from` replaced by `to` (same length). */
function replaced(bytes: Buffer, from: string, to: string): Buffer {
  const at = bytes.indexOf(from);
  expect(at, `${from} in the index`).toBeGreaterThanOrEqual(0);
  const out = Buffer.from(bytes);
  out.write(to, at, 'latin1');
  return out;
}

describe('lazy index (createBtfBundle)', () => {
  const bytes = encodeBundle({
    kernels: [
      { key: deb('6.1.0-47-amd64'), blob: blobs[0]! },
      { key: deb('6.1.0-50-amd64'), blob: blobs[1]! },
      { key: ubuntu('5.15.0-100-generic'), blob: blobs[2]! },
    ],
    failed: [{ key: deb('6.1.0-1-amd64'), reason: 'no BTF' }],
    objects: [{ name: 'probe.bpf.o', sha256: 'ab'.repeat(32) }],
    meta: { tool: 'test' },
  }).bytes;

  it('finds a kernel although the meta is corrupt; the meta throws when read, decodeBundle at once', async () => {
    const bad = withIndex(bytes, (index) => replaced(index, '{"tool"', '{"tool}'));
    const api = createBtfBundle(() => bad);
    const found = await api.findBtf(deb('6.1.0-50-amd64'));
    expect(Buffer.from(found!.bytes).equals(Buffer.from(blobs[1]!))).toBe(true);
    expect(() => api.objects).toThrow(/bundle index: meta is not valid JSON \(index offset \d+\)/);
    expect(() => decodeBundle(bad)).toThrow(BundleCorruptError);
  });

  it('gives a typed error when a corrupt group is listed; exact lookups find its intact releases', async () => {
    const bad = withIndex(bytes, (index) => replaced(index, '47-amd64', '47/amd6'));
    const api = createBtfBundle(() => bad);
    // An exact lookup compares its own release with the stored bytes: the corrupt one is not returned.
    expect((await api.findBtf(deb('6.1.0-50-amd64')))?.match.kind).toBe('exact');
    expect(await api.findBtf(deb('6.1.0-47-amd64'))).toBeUndefined();
    // A lookup that lists the group (a release the bundle lacks, nearest allowed) decodes and validates it.
    await expect(api.findBtf(deb('6.1.0-49-amd64'), { nearest: true })).rejects.toThrow(
      /group debian\/12\/x86_64: invalid release names/,
    );
    expect((await api.findBtf(ubuntu('5.15.0-100-generic')))?.match.kind).toBe('exact');
    expect(() => api.kernels).toThrow(BundleCorruptError);
    expect(() => decodeBundle(bad)).toThrow(BundleCorruptError);
  });

  it('matches no id to a stored release with bytes outside ASCII', async () => {
    // "é" stored as UTF-8 (c3 a9), looked up as the two characters those bytes are in Latin-1.
    const bad = withIndex(bytes, (index) => replaced(index, '50-amd64', '50-amd\u00c3\u00a9'));
    const bundle = await createBtfBundle(() => bad).bundle();
    expect(bundle.get('debian/12/x86_64/6.1.0-50-amd\u00c3\u00a9')).toBeUndefined();
    expect(bundle.get('debian/12/x86_64/6.1.0-47-amd64')).toBeDefined();
  });

  it('never reads past a group whose stored releases end early', async () => {
    // The group's text loses its NUL and "\n": the search stops at the group's end and finds nothing.
    const bad = withIndex(bytes, (index) => replaced(index, '\n50-amd64\0', 'x50-amd64x'));
    const api = createBtfBundle(() => bad);
    expect(await api.findBtf(deb('6.1.0-50-amd64'))).toBeUndefined();
    expect((await api.findBtf(ubuntu('5.15.0-100-generic')))?.match.kind).toBe('exact');
    expect(() => api.kernels).toThrow(/bundle group debian\/12\/x86_64: unterminated string at offset \d+/);
  });

  it('range-checks the one blob number a lookup reads', async () => {
    // 3 kernels, 3 blobs: blobOf is one byte per kernel (0, 1, 2); make the second kernel's 7.
    const bad = withIndex(bytes, (index) => {
      const at = index.indexOf(Buffer.from([0, 1, 2]));
      expect(at).toBeGreaterThan(0);
      const out = Buffer.from(index);
      out[at + 1] = 7;
      return out;
    });
    const api = createBtfBundle(() => bad);
    expect((await api.findBtf(deb('6.1.0-47-amd64')))?.match.kind).toBe('exact');
    await expect(api.findBtf(deb('6.1.0-50-amd64'))).rejects.toThrow(/kernel 1: blob index 7 out of range/);
  });
});

/** BTFHub-like series: distro, version, arch, release of the n-th kernel. */
const SERIES: [string, string, string, (n: number) => string][] = [
  ['ubuntu', '20.04', 'x86_64', (n) => `5.4.0-${n}-generic`],
  ['ubuntu', '22.04', 'x86_64', (n) => `5.15.0-${n}-generic`],
  ['centos', '8', 'x86_64', (n) => `4.18.0-${n}.el8.x86_64`],
  ['amzn', '2', 'x86_64', (n) => `5.10.${n}-99.amzn2.x86_64`],
  ['rhel', '9', 'x86_64', (n) => `5.14.0-${n}.el9.x86_64`],
];

describe('lookups on a 1,000-entry bundle', () => {
  // Every third release of each series is missing; runs of 7 consecutive kernels share a blob.
  const kernels: { key: KernelKey; blob: Uint8Array }[] = [];
  for (const [distro, version, arch, release] of SERIES)
    for (let n = 1; kernels.length % 200 !== 0 || n === 1; n++)
      if (n % 3 !== 0)
        kernels.push({
          key: { distro, version, arch, release: release(n) },
          blob: blobs[((n / 7) % 3) | 0]!,
        });
  const bytes = encodeBundle({ kernels, objects: [], meta: {} }).bytes;
  const api = createBtfBundle(() => bytes);

  /** A lookup index built the plain way from the input kernels. */
  const byPrefix = new Map<string, PrefixEntry[]>();
  const bundleIds = decodeBundle(bytes).kernels;
  const blobOf = new Map(kernels.map((k) => [kernelId(k.key), blobs.indexOf(k.blob)]));
  for (const id of bundleIds) {
    const cut = id.lastIndexOf('/');
    const list = byPrefix.get(id.slice(0, cut)) ?? [];
    list.push({ release: id.slice(cut + 1), blob: blobOf.get(id)! });
    byPrefix.set(id.slice(0, cut), list);
  }
  const plain = { has: (id: string) => blobOf.has(id), entries: (p: string) => byPrefix.get(p) ?? [] };

  it('has 1,000 entries in 5 groups', () => {
    expect(bundleIds).toHaveLength(1000);
    expect(new Set(bundleIds)).toEqual(new Set(kernels.map((k) => kernelId(k.key))));
  });

  it('matches every release, present or missing, as the plain index does, with the right BTF', async () => {
    const probes: LookupKernel[] = [];
    for (const [distro, version, arch, release] of SERIES)
      for (let n = 0; n <= 305; n++) probes.push({ distro, version, arch, release: release(n) });
    probes.push({ distro: 'redhat', version: '9.2', arch: 'amd64', release: '5.14.0-7.el9.x86_64' });
    probes.push({
      distro: 'rocky',
      idLike: ['rhel'],
      version: '9',
      arch: 'x86_64',
      release: '5.14.0-8.el9.x86_64',
    });
    const kinds = new Set<string>();
    for (const policy of [false, 'bracketed', true] as NearestPolicy[])
      for (const probe of probes) {
        const want = matchKernel(probe, plain, { nearest: policy });
        const got = await api.findBtf(probe, { nearest: policy });
        expect(got?.match, `${kernelId(probe)} nearest=${policy}`).toEqual(want);
        if (!want) continue;
        kinds.add(want.kind);
        const blob = blobs[blobOf.get(want.id)!]!;
        expect(Buffer.from(got!.bytes).equals(Buffer.from(blob))).toBe(true);
        expect(parseKernelId(want.id)).toEqual(want.key);
      }
    expect([...kinds].sort()).toEqual(['bracketed', 'exact', 'nearest', 'normalized']);
  });

  it('finds exact ids in the stored releases as in the decoded ones, and nothing for near misses', async () => {
    // Releases of a series are prefixes of each other (5.4.0-1, -10, -100) and every third is missing.
    const ids: string[] = [];
    for (const [distro, version, arch, release] of SERIES)
      for (let n = 0; n <= 305; n++) {
        const id = `${distro}/${version}/${arch}/${release(n)}`;
        ids.push(id, `${id}x`, id.slice(0, -1), `${id}\n${id}`, `${id.slice(0, -1)}\u00e9`);
      }
    ids.push('ubuntu/20.04/x86_64/', 'ubuntu/20.04/x86_64', 'nope/1/x86_64/5.4.0-1-generic');
    const stored = await createBtfBundle(() => bytes).bundle(); // groups searched as stored
    const listed = await createBtfBundle(() => bytes).bundle();
    expect(listed.kernels).toHaveLength(1000); // every group decoded first
    let found = 0;
    for (const id of ids) {
      const want = blobOf.get(id);
      for (const bundle of [stored, listed]) {
        const got = bundle.get(id);
        const which = got && blobs.findIndex((b) => Buffer.from(b).equals(Buffer.from(got)));
        expect(which, id).toBe(want);
      }
      if (want !== undefined) found++;
    }
    expect(found).toBe(1000);
  });
});
