// The public API's arguments: what each function accepts, and the typed error naming the argument for the rest
// (never a TypeError from inside, a bundle error blaming good bytes, a silently ignored option or a write outside
// the private directory).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeBundle } from '../../core/src/bundle/encode.js';
import {
  BundleUsageError,
  bundleManifest,
  createBtfBundle,
  decodeBundle,
  detectKernel,
  InvalidKernelKeyError,
  kernelId,
  parseKernelId,
  resolveBtf,
  writeBtfFile,
} from '../src/index.js';
import { loadSet } from './helpers.js';

const kernels = loadSet('ab');
const bytes = encodeBundle({ kernels, failed: [], objects: [], meta: {} }).bytes;
const manifest = bundleManifest(decodeBundle(bytes));
const EXACT = 'debian/12/x86_64/6.1.0-50-amd64';
/** Not in the bundle, between two releases of its series. */
const MISSING = 'debian/12/x86_64/6.1.0-49-amd64';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh empty directory. */
function emptyDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'btf-args-'));
  dirs.push(dir);
  return dir;
}

describe('createBtfBundle: what load returns', () => {
  it('accepts a Uint8Array, a Buffer and an ArrayBuffer, returned or resolved', async () => {
    const accepted = [bytes, Buffer.from(bytes), bytes.slice().buffer];
    for (const value of accepted) {
      const api = createBtfBundle(() => value);
      expect(api.kernels).toEqual(manifest.kernels);
      expect((await api.findBtf(EXACT))?.match.id).toBe(EXACT);
      const lazy = createBtfBundle(async () => value, { manifest });
      expect((await lazy.findBtf(EXACT))?.match.id).toBe(EXACT);
    }
  });

  it('refuses anything else from a synchronous loader, saying what it returned', () => {
    for (const [value, said] of [
      [null, 'null'],
      [undefined, 'undefined'],
      ['bundle', 'a string'],
      [[1, 2], 'an Array'],
      [new DataView(bytes.buffer), 'a DataView'],
    ] as const) {
      expect(() => createBtfBundle(() => value as never)).toThrow(BundleUsageError);
      expect(() => createBtfBundle(() => value as never)).toThrow(
        `createBtfBundle: what load() returned is ${said}, not a Uint8Array or an ArrayBuffer`,
      );
    }
  });

  it('refuses anything else from an asynchronous loader when the lookup loads it', async () => {
    for (const value of [undefined, null, 'bundle', 42]) {
      const api = createBtfBundle(async () => value as never, { manifest });
      await expect(api.findBtf(EXACT)).rejects.toThrow(BundleUsageError);
      await expect(api.bundle()).rejects.toThrow(/createBtfBundle: what load\(\) returned is/);
    }
  });

  it('still needs a manifest for an asynchronous loader, and load must be a function', () => {
    expect(() => createBtfBundle(async () => bytes)).toThrow(/asynchronous loader needs defaults.manifest/);
    expect(() => createBtfBundle(bytes as never)).toThrow(BundleUsageError);
    expect(() => createBtfBundle(bytes as never)).toThrow(
      'createBtfBundle: load is a Uint8Array, not a function',
    );
  });

  it('decodeBundle takes the same bytes and names its argument for the rest', () => {
    expect(decodeBundle(bytes.slice().buffer).kernels).toEqual(manifest.kernels);
    expect(() => decodeBundle('bundle' as never)).toThrow(BundleUsageError);
    expect(() => decodeBundle(undefined as never)).toThrow(
      'decodeBundle: bytes is undefined, not a Uint8Array or an ArrayBuffer',
    );
  });
});

describe('maxPayloadBytes', () => {
  const size = bytes.length * 50;
  const wrong = [Number.NaN, -1, 0, 1.5, 2 ** 30 + 1, Number.POSITIVE_INFINITY, '100000', null];

  it('is a whole number of bytes from 1 to 1 GiB, else a usage error (not a bundle error, not ignored)', () => {
    for (const maxPayloadBytes of wrong) {
      const limits = { maxPayloadBytes } as { maxPayloadBytes: number };
      expect(() => decodeBundle(bytes, limits)).toThrow(BundleUsageError);
      expect(() => decodeBundle(bytes, limits)).toThrow(
        /^maxPayloadBytes is .*, not a whole number of bytes/,
      );
      expect(() => createBtfBundle(() => bytes, limits)).toThrow(BundleUsageError);
      // Checked when the factory is called, not on the first lookup of an asynchronous loader.
      expect(() => createBtfBundle(async () => bytes, { ...limits, manifest })).toThrow(BundleUsageError);
    }
  });

  it('accepts 1 GiB and any limit the payload fits in', () => {
    expect(decodeBundle(bytes, { maxPayloadBytes: 2 ** 30 }).kernels).toEqual(manifest.kernels);
    expect(createBtfBundle(() => bytes, { maxPayloadBytes: size }).kernels).toEqual(manifest.kernels);
  });
});

describe('kernel ids and keys', () => {
  it('parseKernelId takes a string', () => {
    for (const id of [42, null, undefined, { distro: 'debian' }]) {
      expect(() => parseKernelId(id as never)).toThrow(InvalidKernelKeyError);
      expect(() => parseKernelId(id as never)).toThrow(/^parseKernelId: id is .*, not a string$/);
    }
    expect(parseKernelId(EXACT).release).toBe('6.1.0-50-amd64');
  });

  it('kernelId takes a key object whose four parts are strings', () => {
    expect(() => kernelId(null as never)).toThrow(
      'kernelId: key is null, not a key object {distro, version, arch, release}',
    );
    expect(() => kernelId(EXACT as never)).toThrow(/kernelId: key is a string/);
    expect(() => kernelId({ distro: 1, version: 2, arch: 3, release: 4 } as never)).toThrow(
      'kernelId: key: distro is a number, not a string',
    );
    expect(() => kernelId({ ...parseKernelId(EXACT), release: ['6.1'] } as never)).toThrow(
      InvalidKernelKeyError,
    );
    expect(kernelId(parseKernelId(EXACT))).toBe(EXACT);
  });

  it('kernelId reads each part once: a getter cannot give a checked part, then another', () => {
    let reads = 0;
    const key = {
      ...parseKernelId(EXACT),
      get release() {
        return reads++ === 0 ? '6.1.0-50-amd64' : '../../escaped';
      },
    };
    let id: string | undefined;
    try {
      id = kernelId(key);
    } catch (e) {
      expect(e).toBeInstanceOf(InvalidKernelKeyError);
    }
    expect(reads).toBeGreaterThan(0);
    expect(id ?? '').not.toContain('..');
  });
});

describe('nearest', () => {
  const wrong = ['yes', 'true', 1, 0, null, {}];

  it("is false, 'bracketed' or true; anything else is refused, even when the kernel is in the bundle", async () => {
    const api = createBtfBundle(() => bytes);
    const bundle = decodeBundle(bytes);
    for (const nearest of wrong) {
      const options = { nearest } as never;
      expect(() => createBtfBundle(() => bytes, options)).toThrow(BundleUsageError);
      await expect(api.findBtf(MISSING, options)).rejects.toThrow(BundleUsageError);
      await expect(api.findBtf(EXACT, options)).rejects.toThrow(
        /^nearest is .*, not false, 'bracketed' or true$/,
      );
      expect(() => bundle.find(EXACT, options)).toThrow(BundleUsageError);
      expect(() => resolveBtf(bundle, { ...(options as object), path: '/nonexistent' })).toThrow(
        BundleUsageError,
      );
    }
  });

  it('accepts its three values and undefined', async () => {
    const api = createBtfBundle(() => bytes);
    expect(await api.findBtf(MISSING, { nearest: false })).toBeUndefined();
    expect(await api.findBtf(MISSING, { nearest: undefined })).toBeUndefined();
    expect(await api.findBtf(MISSING, { nearest: 'bracketed' })).toBeUndefined();
    expect((await api.findBtf(MISSING, { nearest: true }))?.match).toMatchObject({
      kind: 'nearest',
      id: 'debian/12/x86_64/6.1.0-47-amd64',
    });
    const bracketed = createBtfBundle(() => bytes, { nearest: 'bracketed' });
    expect((await bracketed.findBtf('debian/12/x86_64/6.1.0-52-amd64'))?.match).toMatchObject({
      kind: 'bracketed',
      id: EXACT,
    });
  });
});

describe('writeBtfFile arguments', () => {
  const btf = kernels[0]!.blob;

  it('takes the release as a string, read once: a changing toString cannot write outside its directory', async () => {
    const parent = emptyDir();
    let calls = 0;
    const release = { toString: () => (calls++ === 0 ? 'safe' : '../../../escaped') };
    for (const value of [release, 42, ['6.1.0']]) {
      await expect(
        writeBtfFile(btf, { elf: true, release: value as never, parent, keep: true }),
      ).rejects.toThrow(InvalidKernelKeyError);
    }
    await expect(writeBtfFile(btf, { elf: true, release: 42 as never, parent })).rejects.toThrow(
      'writeBtfFile: options.release is a number, not a string',
    );
    expect(readdirSync(parent)).toEqual([]);
    expect(readdirSync(join(parent, '..')).includes('escaped')).toBe(false);
  });

  it('takes the bytes as a Uint8Array or { bytes: Uint8Array }, nothing written otherwise', async () => {
    const parent = emptyDir();
    for (const value of ['hello', { bytes: 'hello' }, null, {}, btf.slice().buffer, [1, 2, 3]]) {
      await expect(writeBtfFile(value as never, { parent })).rejects.toThrow(BundleUsageError);
    }
    await expect(writeBtfFile({ bytes: 'hello' } as never, { parent })).rejects.toThrow(
      'writeBtfFile: btf is an object whose bytes are a string, not a Uint8Array or { bytes: Uint8Array }',
    );
    await expect(writeBtfFile(null as never, { parent })).rejects.toThrow(/^writeBtfFile: btf is null/);
    await expect(writeBtfFile(btf, { parent: new URL(`file://${parent}`) as never })).rejects.toThrow(
      'writeBtfFile: options.parent is a URL, not a string',
    );
    expect(readdirSync(parent)).toEqual([]);
  });
});

describe('options arguments', () => {
  const btf = kernels[0]!.blob;

  it('null means no options, everywhere', async () => {
    const api = createBtfBundle(() => bytes, null as never);
    expect((await api.findBtf(EXACT, null as never))?.match.id).toBe(EXACT);
    expect(api.detectKernel(null as never).release).toBeTypeOf('string');
    expect(detectKernel(null as never).release).toBeTypeOf('string');
    const bundle = decodeBundle(bytes, null as never);
    expect(bundle.find(EXACT, null as never)?.match.id).toBe(EXACT);
    // Whether the host has a BTF of its own decides the outcome, never a TypeError from reading null.
    const outcome = (run: () => unknown) =>
      Promise.resolve()
        .then(run)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
    expect(await outcome(() => resolveBtf(bundle, null as never))).not.toBeInstanceOf(TypeError);
    expect(await outcome(() => api.resolveBtf(null as never))).not.toBeInstanceOf(TypeError);
    expect(existsSync(await writeBtfFile(btf, null as never))).toBe(true);
  });

  it('anything else than an object is a usage error naming the argument, never ignored', async () => {
    const api = createBtfBundle(() => bytes);
    const bundle = decodeBundle(bytes);
    for (const [value, said] of [
      [true, 'a boolean'],
      [5, 'a number'],
      ['nearest', 'a string'],
    ] as const) {
      const wrong = value as never;
      expect(() => createBtfBundle(() => bytes, wrong)).toThrow(
        `createBtfBundle: defaults is ${said}, not an options object`,
      );
      await expect(api.findBtf(EXACT, wrong)).rejects.toThrow(`findBtf: options is ${said}`);
      await expect(api.resolveBtf(wrong)).rejects.toThrow(`resolveBtf: options is ${said}`);
      expect(() => api.detectKernel(wrong)).toThrow(`detectKernel: options is ${said}`);
      expect(() => detectKernel(wrong)).toThrow(BundleUsageError);
      expect(() => resolveBtf(bundle, wrong)).toThrow(`resolveBtf: options is ${said}`);
      await expect(writeBtfFile(btf, wrong)).rejects.toThrow(`writeBtfFile: options is ${said}`);
    }
  });

  it('an option passed as undefined keeps the default createBtfBundle was given', async () => {
    const api = createBtfBundle(() => bytes, { nearest: true });
    for (const options of [undefined, {}, { nearest: undefined }]) {
      expect((await api.findBtf(MISSING, options))?.match).toMatchObject({ kind: 'nearest' });
      const resolved = await api.resolveBtf({ ...options, kernel: parseKernelId(MISSING), kernelBtf: false });
      expect(resolved.match).toMatchObject({ kind: 'nearest' });
    }
    expect(await api.findBtf(MISSING, { nearest: false })).toBeUndefined();
    const root = emptyDir();
    mkdirSync(join(root, 'etc'));
    writeFileSync(join(root, 'etc/os-release'), 'ID=hostos\nVERSION_ID=9\n');
    const rooted = createBtfBundle(() => bytes, { hostRoot: root });
    expect(rooted.detectKernel({ hostRoot: undefined }).distro).toBe('hostos');
  });
});

describe('hostRoot and manifest', () => {
  it('a hostRoot that is not a string is a usage error, not a failed os-release read', () => {
    for (const [value, said] of [
      [5, 'a number'],
      [new URL('file:///'), 'a URL'],
    ] as const) {
      expect(() => createBtfBundle(() => bytes, { hostRoot: value as never })).toThrow(
        `createBtfBundle: defaults.hostRoot is ${said}, not a string`,
      );
      expect(() => detectKernel({ hostRoot: value as never })).toThrow(`hostRoot is ${said}, not a string`);
      expect(() => createBtfBundle(() => bytes).detectKernel({ hostRoot: value as never })).toThrow(
        BundleUsageError,
      );
    }
  });

  it('a manifest must have the shape bundleManifest gives, else a usage error (not empty lists later)', () => {
    for (const value of [5, {}, { kernels: [], objects: [] }, { kernels: 'a', objects: [], stats: {} }]) {
      expect(() => createBtfBundle(async () => bytes, { manifest: value as never })).toThrow(
        /^createBtfBundle: defaults\.manifest is .*, not a manifest \{ kernels, objects, stats \}/,
      );
    }
    expect(createBtfBundle(async () => bytes, { manifest }).kernels).toEqual(manifest.kernels);
  });
});
