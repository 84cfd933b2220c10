import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { bundleManifest, createBtfBundle, decodeBundle, kernelId } from '@btf-bundle/runtime';
import { BUNDLE_HEADER_SIZE } from '@btf-bundle/runtime/internal';
import { describe, expect, it } from 'vitest';
import { tarSizes } from '../../../bench/lib/fixtures.js';
import { loadSet, SETS } from '../../runtime/test/helpers.js';
import { type BundleInput, encodeBundle } from '../src/bundle/encode.js';
import { byteSwapBtf } from './btf-helpers.js';
import { withSection } from './bundle-helpers.js';

const objects = [{ name: 'probe.bpf.o', sha256: 'ab'.repeat(32) }];
const meta = { tool: { name: 'btf-bundle', version: '0.1.0' }, snapshot: { source: 'sample-snapshot' } };

function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

describe.each(SETS)('bundle of fixture set %s', (set) => {
  const kernels = loadSet(set);
  const input: BundleInput = {
    kernels,
    failed: [
      {
        key: { distro: 'debian', version: '12', arch: 'x86_64', release: '6.1.0-1-amd64' },
        reason: 'no BTF',
      },
    ],
    objects,
    meta,
  };
  const encoded = encodeBundle(input);
  const bytes = encoded.bytes;

  it('returns the manifest decoding the bytes gives', () => {
    const objectsOutOfOrder = [{ name: 'z.bpf.o', sha256: 'cd'.repeat(32) }, ...objects];
    const both = encodeBundle({ ...input, objects: objectsOutOfOrder });
    expect(both.manifest).toEqual(bundleManifest(decodeBundle(both.bytes)));
    expect(encoded.manifest).toEqual(bundleManifest(decodeBundle(bytes)));
  });

  it('decodes every kernel byte for byte', () => {
    const bundle = decodeBundle(bytes);
    expect(bundle.kernels).toHaveLength(kernels.length);
    for (const k of kernels) expect(Buffer.from(bundle.get(kernelId(k.key))!)).toEqual(Buffer.from(k.blob));
    expect(bundle.failed.get('debian/12/x86_64/6.1.0-1-amd64')).toBe('no BTF');
    expect(bundle.objects).toEqual(objects);
    expect(bundle.meta).toEqual(meta);
    expect(bundle.stats.blobs).toBe(new Set(kernels.map((k) => Buffer.from(k.blob).toString('hex'))).size);
  });

  it('is deterministic whatever the input order', () => {
    for (const seed of [1, 2, 3]) {
      const again = encodeBundle({ ...input, kernels: shuffled(kernels, seed), objects: [...objects] }).bytes;
      expect(Buffer.from(again).equals(Buffer.from(bytes))).toBe(true);
    }
  });

  it('is smaller than tar+xz and tar+gzip of the same files', () => {
    const { xz, gz } = tarSizes(kernels);
    console.log(`set ${set}: bundle ${bytes.length} B, tar cJf ${xz} B, tar czf ${gz} B`);
    expect(bytes.length).toBeLessThan(xz);
  });
});

describe('blobs that are not canonical BTF', () => {
  it('round-trips arbitrary bytes verbatim, mixed with BTF', () => {
    const btf = loadSet('a')[0]!.blob;
    const odd = [
      new Uint8Array(0),
      new Uint8Array([1, 2, 3]),
      btf.subarray(0, 30),
      Uint8Array.from(btf, (b) => b ^ 1),
    ];
    const bigEndianish = Uint8Array.from(btf);
    bigEndianish[2] = 2; // BTF version 2: not canonical, stored verbatim
    const blobs = [...odd, bigEndianish, btf];
    const kernels = blobs.map((blob, i) => ({
      key: { distro: 'x', version: '1', arch: 'x86_64', release: `1.0.${i}` },
      blob,
    }));
    const bundle = decodeBundle(encodeBundle({ kernels, objects: [], meta: {} }).bytes);
    for (const k of kernels) expect(Buffer.from(bundle.get(kernelId(k.key))!)).toEqual(Buffer.from(k.blob));
  });

  it('round-trips a big-endian BTF produced from a real blob', () => {
    const be = byteSwapBtf(loadSet('a')[0]!.blob);
    const kernels = [
      { key: { distro: 'debian', version: '12', arch: 's390x', release: '6.1.0-1-s390x' }, blob: be },
    ];
    const bundle = decodeBundle(encodeBundle({ kernels, objects: [], meta: {} }).bytes);
    expect(Buffer.from(bundle.get('debian/12/s390x/6.1.0-1-s390x')!)).toEqual(Buffer.from(be));
  });

  it('rejects duplicate and unsafe kernel keys', () => {
    const blob = new Uint8Array([1]);
    const key = { distro: 'debian', version: '12', arch: 'x86_64', release: '6.1.0-1-amd64' };
    expect(
      () =>
        encodeBundle({
          kernels: [
            { key, blob },
            { key, blob },
          ],
          objects: [],
          meta: {},
        }).bytes,
    ).toThrow(/more than once/);
    expect(
      () =>
        encodeBundle({ kernels: [{ key: { ...key, release: '../x' }, blob }], objects: [], meta: {} }).bytes,
    ).toThrow(/invalid kernel release/);
  });
});

describe('format v2 specifics', () => {
  const key = { distro: 'debian', version: '12', arch: 'x86_64', release: '6.1.0-1-amd64' };

  it('stores a BTF whose string section is not implied by its names verbatim, byte for byte', () => {
    const btf = loadSet('a')[0]!.blob;
    // Append an unused string: still canonical BTF, but not what bpftool writes.
    const extra = new TextEncoder().encode('unused\0');
    const blob = new Uint8Array(btf.length + extra.length);
    blob.set(btf);
    blob.set(extra, btf.length);
    const v = new DataView(blob.buffer);
    v.setUint32(20, v.getUint32(20, true) + extra.length, true);
    const bundle = decodeBundle(encodeBundle({ kernels: [{ key, blob }], objects: [], meta: {} }).bytes);
    expect(Buffer.from(bundle.get(kernelId(key))!).equals(Buffer.from(blob))).toBe(true);
  });

  it('rejects texts with NUL and malformed object hashes', () => {
    const blob = new Uint8Array([1]);
    expect(
      () =>
        encodeBundle({
          kernels: [{ key, blob }],
          objects: [{ name: 'a\0b', sha256: '0'.repeat(64) }],
          meta: {},
        }).bytes,
    ).toThrow(/NUL/);
    expect(
      () =>
        encodeBundle({
          kernels: [{ key, blob }],
          objects: [{ name: 'a.o', sha256: 'AB'.repeat(32) }],
          meta: {},
        }).bytes,
    ).toThrow(/sha256/);
  });
});

describe('bundle with a data section over 16 MiB', () => {
  // 17 MiB that no BTF parser takes (stored verbatim), cheap to compress.
  const blob = new Uint8Array(17 << 20);
  for (let i = 0; i < blob.length; i += 4096) blob[i] = (i >>> 12) & 0xff;
  const key = { distro: 'debian', version: '12', arch: 'x86_64', release: '6.1.0-99-amd64' };
  const bytes = encodeBundle({ kernels: [{ key, blob }], objects, meta }).bytes;

  /** Reads `bundle` back eagerly and through createBtfBundle, expecting `blob`. */
  async function readsBack(bundle: Uint8Array): Promise<void> {
    const eager = decodeBundle(bundle).get(kernelId(key))!;
    expect(Buffer.from(eager).equals(Buffer.from(blob))).toBe(true);
    const found = await createBtfBundle(() => bundle).findBtf(key);
    expect(found?.match.kind).toBe('exact');
    expect(Buffer.from(found!.bytes).equals(Buffer.from(blob))).toBe(true);
  }

  it('is written with a 64 KiB window and read back, eagerly and through createBtfBundle', async () => {
    expect(bytes.length).toBeLessThan(1 << 20);
    await readsBack(bytes);
  });

  it("is read back when another encoder used brotli's large window (32 MiB) for it", async () => {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const dataAt = BUNDLE_HEADER_SIZE + view.getUint32(16, true);
    const data = brotliDecompressSync(bytes.subarray(dataAt), { maxOutputLength: 32 << 20 });
    const large = brotliCompressSync(data, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 5,
        [constants.BROTLI_PARAM_LGWIN]: 25,
        [constants.BROTLI_PARAM_LARGE_WINDOW]: 1,
      },
    });
    const out = withSection(bytes, 'data', large, data.length);
    // Without the large-window option, brotli refuses this stream: the runtime passes it for such sections.
    expect(() => brotliDecompressSync(large)).toThrow();
    await readsBack(out);
  });
});
