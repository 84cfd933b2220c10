/** `resolveBtf({ source: 'bundle' })`: the bundle is used even when an override and the kernel's own BTF exist. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BtfNotFoundError, createBtfBundle, decodeBundle, resolveBtf } from '@btf-bundle/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSet } from '../../runtime/test/helpers.js';
import { encodeBundle } from '../src/bundle/encode.js';

const kernels = loadSet('ab');
const bytes = encodeBundle({
  kernels,
  objects: [{ name: 'probe.bpf.o', sha256: '0'.repeat(64) }],
  meta: {},
}).bytes;
const inBundle = kernels.find((k) => k.key.release === '6.1.0-50-amd64')!;
const kernelOwn = kernels.find((k) => k.key.release === '6.1.0-47-amd64')!.blob;
const overrideOwn = kernels.find((k) => k.key.release === '6.1.0-54-amd64')!.blob;

// A host whose kernel has its own BTF, plus an override file named by the environment.
const root = mkdtempSync(join(tmpdir(), 'btf-bundle-resolve-source-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, 'etc'));
writeFileSync(join(root, 'etc/os-release'), 'ID=debian\nVERSION_ID="12"\n');
mkdirSync(join(root, 'sys/kernel/btf'), { recursive: true });
writeFileSync(join(root, 'sys/kernel/btf/vmlinux'), kernelOwn);
const overridePath = join(root, 'override.btf');
writeFileSync(overridePath, overrideOwn);
const env = { BTF_BUNDLE_BTF_PATH: overridePath };
const host = { hostRoot: root, env, arch: 'x64' };

describe("resolveBtf source: 'bundle'", () => {
  const bundle = decodeBundle(bytes);

  it('without it, the override and then the kernel BTF win over the bundle', () => {
    expect(resolveBtf(bundle, { ...host, release: inBundle.key.release })).toMatchObject({
      source: 'override',
      path: overridePath,
    });
    expect(resolveBtf(bundle, { ...host, env: {}, release: inBundle.key.release })).toMatchObject({
      source: 'kernel',
      path: join(root, 'sys/kernel/btf/vmlinux'),
    });
  });

  it('returns the bundled BTF of the running kernel, ignoring the override and the kernel BTF', () => {
    for (const path of [undefined, overridePath]) {
      const resolved = resolveBtf(bundle, { ...host, path, release: inBundle.key.release, source: 'bundle' });
      expect(resolved.source).toBe('bundle');
      expect(resolved.path).toBeUndefined();
      expect(resolved.match).toMatchObject({ kind: 'exact', id: 'debian/12/x86_64/6.1.0-50-amd64' });
      expect(Buffer.from(resolved.bytes).equals(Buffer.from(inBundle.blob))).toBe(true);
    }
  });

  it('fails with BtfNotFoundError for a kernel missing from the bundle, not falling back to the kernel BTF', () => {
    const options = { ...host, release: '6.1.0-52-amd64', source: 'bundle' } as const;
    expect(() => resolveBtf(bundle, options)).toThrow(BtfNotFoundError);
    expect(resolveBtf(bundle, { ...options, nearest: true }).match).toMatchObject({ kind: 'bracketed' });
  });

  it('is passed through by the virtual module API (createBtfBundle)', async () => {
    const api = createBtfBundle(() => bytes, { hostRoot: root });
    const resolved = await api.resolveBtf({
      env,
      arch: 'x64',
      release: inBundle.key.release,
      source: 'bundle',
    });
    expect(resolved).toMatchObject({ source: 'bundle', match: { kind: 'exact' } });
  });
});
