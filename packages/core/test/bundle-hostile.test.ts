import {
  BtfRuntimeError,
  BundleCorruptError,
  BundleForeignError,
  BundleTruncatedError,
  BundleVersionError,
  decodeBundle,
} from '@btf-bundle/runtime';
import { BUNDLE_FORMAT_VERSION, BUNDLE_HEADER_SIZE } from '@btf-bundle/runtime/internal';
import { describe, expect, it } from 'vitest';
import { loadSet } from '../../runtime/test/helpers.js';
import { encodeBundle } from '../src/bundle/encode.js';
import { container, reseal } from './bundle-helpers.js';

const bytes = encodeBundle({ kernels: loadSet('ab'), objects: [], meta: { tool: 'test' } }).bytes;

/** Decodes fully (index and data); returns the error thrown, if any. */
function decodeAll(b: Uint8Array): unknown {
  try {
    const bundle = decodeBundle(b);
    for (const id of bundle.kernels) bundle.get(id);
    return undefined;
  } catch (e) {
    return e;
  }
}

describe('hostile bundles', () => {
  it('rejects foreign bytes, including a raw BTF and an ELF', () => {
    expect(decodeAll(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]))).toBeInstanceOf(
      BundleForeignError,
    );
    expect(decodeAll(loadSet('a')[0]!.blob)).toBeInstanceOf(BundleForeignError);
    expect(decodeAll(new Uint8Array(0))).toBeInstanceOf(BundleTruncatedError);
  });

  it('rejects an unknown format version, including versions 1, 2 (deflate) and 3 (one stream, blob-order columns)', () => {
    for (const v of [1, 2, 3, BUNDLE_FORMAT_VERSION + 1]) {
      const b = Uint8Array.from(bytes);
      b[4] = v;
      const e = decodeAll(b);
      expect(e).toBeInstanceOf(BundleVersionError);
      expect((e as BundleVersionError).version).toBe(v);
    }
  });

  it('rejects the bundle truncated at every byte position with a typed error', () => {
    for (let n = 0; n < bytes.length; n++) {
      const e = decodeAll(bytes.subarray(0, n));
      expect(e, `truncated at ${n}`).toBeInstanceOf(BundleTruncatedError);
    }
  });

  it('rejects a flipped byte at every position (checksum)', () => {
    for (let i = 0; i < bytes.length; i++) {
      const b = Uint8Array.from(bytes);
      b[i]! ^= 0x5a;
      expect(decodeAll(b), `flipped at ${i}`).toBeInstanceOf(BtfRuntimeError);
    }
  });

  it('rejects garbled sections even with a valid checksum: typed errors only, no hang', () => {
    for (let i = BUNDLE_HEADER_SIZE - 16; i < bytes.length; i++) {
      for (const x of [0x01, 0x80, 0xff]) {
        const b = Uint8Array.from(bytes);
        b[i]! ^= x;
        const e = decodeAll(reseal(b));
        if (e !== undefined) expect(e, `garbled at ${i}`).toBeInstanceOf(BtfRuntimeError);
      }
    }
  });

  it('refuses a declared section size of 0 or sizes above the format limit before allocating', () => {
    for (const [at, size] of [
      [12, 0],
      [20, 0],
      [12, 0xffffffff],
      [20, (1 << 30) + 1],
    ] as const) {
      const b = Uint8Array.from(bytes);
      new DataView(b.buffer).setUint32(at, size, true);
      const e = decodeAll(reseal(b));
      expect(e).toBeInstanceOf(BundleCorruptError);
      expect((e as Error).message).toMatch(
        /offset 12\) declares an index of \d+ bytes and \(offset 20\) a data section of \d+ bytes/,
      );
    }
  });

  it("refuses a payload above the caller's limit before inflating it", () => {
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const size = view.getUint32(12, true) + view.getUint32(20, true);
    expect(() => decodeBundle(bytes, { maxPayloadBytes: size - 1 })).toThrow(BundleCorruptError);
    expect(decodeBundle(bytes, { maxPayloadBytes: size }).kernels.length).toBeGreaterThan(0);
    // 64 MiB of zeros is a few bytes of brotli: the declared size is checked against the limit first.
    const bomb = container(new Uint8Array(64 << 20), new Uint8Array(1));
    expect(() => decodeBundle(bomb, { maxPayloadBytes: 1 << 20 })).toThrow(/together at most 1048576/);
  });

  it('stops a stream that inflates past its declared size', () => {
    const b = container(new Uint8Array(1 << 20), new Uint8Array(1), (1 << 20) - 1);
    expect(() => decodeBundle(b)).toThrow(
      /index \(offset 28\) inflates to more than its declared 1048575 bytes/,
    );
  });

  it('returns a blob in a buffer of its own size: the inflated data section is not kept alive by it', () => {
    // The data section is inflated into one buffer of its declared size; a verbatim blob comes back as a copy of
    // exactly its bytes.
    const blob = new Uint8Array(4 << 20).fill(0x55);
    const key = { distro: 'x', version: '1', arch: 'x86_64', release: 'big' };
    const b = encodeBundle({ kernels: [{ key, blob }], objects: [], meta: {} }).bytes;
    const got = decodeBundle(b).get('x/1/x86_64/big')!;
    expect(Buffer.from(got).equals(Buffer.from(blob))).toBe(true);
    expect(got.buffer.byteLength).toBe(blob.length);
  });
});

describe('error messages from hostile bundle text', () => {
  it('are one line: control characters taken from the bundle are escaped', () => {
    const enc = new TextEncoder();
    const prefix = 'deb\x1b[2J\nian/12/x86_64';
    // kernelCount 1, blobCount 1, groupCount 1; the group: its prefix, then 0 kernels (refused: "group … is
    // empty"), 0 release bytes; blobOf 0; blob size 1; no failed kernels, no objects; meta {}.
    const index = Uint8Array.from([
      ...[1, 1, 1, ...enc.encode(prefix), 0, 0, 0],
      ...[0, 1, 0, 0, ...enc.encode('{}'), 0],
    ]);
    const e = decodeAll(container(index, new Uint8Array(1)));
    expect(e).toBeInstanceOf(BundleCorruptError);
    const { message } = e as BundleCorruptError;
    expect(message).toContain('deb\\x1b[2J\\nian/12/x86_64');
    expect(message).not.toMatch(/[\u0000-\u001f]/);
  });
});
