import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BtfNotFoundError,
  BtfOverrideError,
  BundleCorruptError,
  BundleUsageError,
  bundleManifest,
  createBtfBundle,
  decodeBundle,
  InvalidKernelKeyError,
} from '@btf-bundle/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSet } from '../../runtime/test/helpers.js';
import { encodeBundle } from '../src/bundle/encode.js';

const kernels = loadSet('ab');
const failedKey = { distro: 'debian', version: '12', arch: 'x86_64', release: '6.1.0-9-amd64' };
const bytes = encodeBundle({
  kernels,
  failed: [{ key: failedKey, reason: 'minimizer: no candidate for task_struct' }],
  objects: [{ name: 'probe.bpf.o', sha256: '0'.repeat(64) }],
  meta: {},
}).bytes;
const root = mkdtempSync(join(tmpdir(), 'host-'));
mkdirSync(join(root, 'etc'));
writeFileSync(join(root, 'etc/os-release'), 'ID=debian\nVERSION_ID="12"\n');
afterAll(() => rmSync(root, { recursive: true }));
const env = {};

describe('createBtfBundle', () => {
  const api = createBtfBundle(() => bytes, { hostRoot: root });

  it('exposes kernels, objects and stats synchronously', () => {
    expect(api.kernels).toContain('debian/12/x86_64/6.1.0-47-amd64');
    expect(api.objects).toEqual([{ name: 'probe.bpf.o', sha256: '0'.repeat(64) }]);
    expect(api.stats).toMatchObject({ kernels: 8, failed: 1, bundleBytes: bytes.length });
  });

  it('resolves from the bundle (exact, then opt-in nearest) when the kernel has no BTF', async () => {
    const exact = await api.resolveBtf({ env, release: '6.1.0-50-amd64', arch: 'x64' });
    expect(exact.source).toBe('bundle');
    expect(exact.match).toMatchObject({ kind: 'exact', id: 'debian/12/x86_64/6.1.0-50-amd64' });
    const want = kernels.find((k) => k.key.release === '6.1.0-50-amd64')!.blob;
    expect(Buffer.from(exact.bytes).equals(Buffer.from(want))).toBe(true);
    await expect(api.resolveBtf({ env, release: '6.1.0-52-amd64', arch: 'x64' })).rejects.toThrow(
      BtfNotFoundError,
    );
    await expect(
      api.resolveBtf({ env, release: '6.1.0-60-amd64', arch: 'x64', nearest: 'bracketed' }),
    ).rejects.toThrow(/no two kernels around its release share one BTF/);
    const near = await api.resolveBtf({ env, release: '6.1.0-52-amd64', arch: 'x64', nearest: true });
    expect(near.match).toMatchObject({ kind: 'bracketed', id: 'debian/12/x86_64/6.1.0-50-amd64' });
  });

  it('looks a kernel up by its id string as by its key; anything else is a typed error, not a crash', async () => {
    const id = 'debian/12/x86_64/6.1.0-50-amd64';
    const byId = await api.findBtf(id);
    const byKey = await api.findBtf({
      distro: 'debian',
      version: '12',
      arch: 'x86_64',
      release: '6.1.0-50-amd64',
    });
    expect(byId?.match).toMatchObject({ kind: 'exact', id });
    expect(Buffer.from(byId!.bytes).equals(Buffer.from(byKey!.bytes))).toBe(true);
    await expect(api.findBtf('debian/12/6.1.0-50-amd64')).rejects.toThrow(InvalidKernelKeyError);
    await expect(api.findBtf({ release: '6.1.0-50-amd64' } as never)).rejects.toThrow(
      /distro is undefined, not a string/,
    );
    await expect(api.findBtf(42 as never)).rejects.toThrow(InvalidKernelKeyError);
  });

  it('explains kernels the build recorded as failed', async () => {
    await expect(api.resolveBtf({ env, release: failedKey.release, arch: 'x64' })).rejects.toThrow(
      /no candidate/,
    );
  });

  it('prefers an override, then the kernel BTF under hostRoot', async () => {
    const file = join(root, 'custom.btf');
    writeFileSync(file, kernels[0]!.blob);
    expect(await api.resolveBtf({ env: { BTF_BUNDLE_BTF_PATH: file } })).toMatchObject({
      source: 'override',
      path: file,
    });
    await expect(api.resolveBtf({ path: join(root, 'missing') })).rejects.toThrow(BtfOverrideError);
    mkdirSync(join(root, 'sys/kernel/btf'), { recursive: true });
    writeFileSync(join(root, 'sys/kernel/btf/vmlinux'), kernels[1]!.blob);
    const k = await api.resolveBtf({ env });
    expect(k.source).toBe('kernel');
    expect(k.path).toBe(join(root, 'sys/kernel/btf/vmlinux'));
    rmSync(join(root, 'sys'), { recursive: true });
  });

  it('needs a manifest for an asynchronous loader, and then loads lazily', async () => {
    expect(() => createBtfBundle(async () => bytes)).toThrow(BundleUsageError);
    let loads = 0;
    const lazy = createBtfBundle(
      async () => {
        loads++;
        return bytes;
      },
      { manifest: bundleManifest(decodeBundle(bytes)), hostRoot: root },
    );
    expect(lazy.kernels).toHaveLength(8);
    expect(loads).toBe(0);
    const found = await lazy.findBtf({
      distro: 'debian',
      version: '12.4',
      arch: 'amd64',
      release: '6.1.0-47-amd64',
    });
    expect(found?.match.kind).toBe('normalized');
    await lazy.findBtf();
    expect(loads).toBe(1);
  });

  it("passes the caller's payload limit to the decoder, for both kinds of loader", async () => {
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const size = view.getUint32(12, true) + view.getUint32(20, true);
    expect(() => createBtfBundle(() => bytes, { maxPayloadBytes: size - 1 })).toThrow(BundleCorruptError);
    const lazy = createBtfBundle(async () => bytes, {
      manifest: bundleManifest(decodeBundle(bytes)),
      maxPayloadBytes: size - 1,
    });
    await expect(lazy.bundle()).rejects.toThrow(/together at most \d+/);
    expect(createBtfBundle(() => bytes, { maxPayloadBytes: size }).kernels).toHaveLength(8);
  });
});
