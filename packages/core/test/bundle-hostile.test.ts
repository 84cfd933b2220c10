import {
  BtfRuntimeError,
  BundleCorruptError,
  BundleForeignError,
  BundleTruncatedError,
  BundleVersionError,
  decodeBundle,
} from '@btf-bundle/runtime';
import { BUNDLE_HEADER_SIZE, crc32 } from '@btf-bundle/runtime/format';
import { describe, expect, it } from 'vitest';
import { loadSet } from '../../runtime/test/helpers.js';
import { encodeBundle } from '../src/bundle/encode.js';

const bytes = encodeBundle({ kernels: loadSet('ab'), objects: [], meta: { tool: 'test' } });

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

/** Recomputes the header CRC so that corruption reaches the section decoders. */
function reseal(b: Uint8Array): Uint8Array {
  new DataView(b.buffer, b.byteOffset).setUint32(8, crc32(b.subarray(12)), true);
  return b;
}

describe('hostile bundles', () => {
  it('rejects foreign bytes, including a raw BTF and an ELF', () => {
    expect(decodeAll(new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]))).toBeInstanceOf(
      BundleForeignError,
    );
    expect(decodeAll(loadSet('a')[0]!.blob)).toBeInstanceOf(BundleForeignError);
    expect(decodeAll(new Uint8Array(0))).toBeInstanceOf(BundleTruncatedError);
  });

  it('rejects an unknown format version, including version 1 (pre-columnar)', () => {
    for (const v of [1, 3]) {
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

  it('refuses implausible declared sizes before allocating', () => {
    const b = Uint8Array.from(bytes);
    new DataView(b.buffer).setUint32(20, 0xffffffff, true);
    expect(decodeAll(reseal(b))).toBeInstanceOf(BundleCorruptError);
  });
});
