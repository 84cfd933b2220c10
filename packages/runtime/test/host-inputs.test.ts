/**
 * Hostile runtime inputs: BTF overrides that are not BTF (text, truncated, special files, oversized), host roots
 * from the environment, links under a host root resolved inside it, os-release files that are special, huge or
 * hold overlong values. Each is a typed error or a fall-through, never a hang, a read outside the root or an
 * unbounded read.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeBundle } from '../../core/src/bundle/encode.js';
import {
  BtfOverrideError,
  decodeBundle,
  detectKernel,
  HOST_ROOT_ENV,
  KernelDetectError,
  resolveBtf,
  wrapBtfInElf,
} from '../src/index.js';
import { loadSet } from './helpers.js';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

/** A temp host root holding `files` (text, bytes, or `{ link }` for a symbolic link). */
function host(files: Record<string, string | Uint8Array | { link: string } | 'fifo'>): string {
  const root = mkdtempSync(join(tmpdir(), 'btf-host-'));
  roots.push(root);
  for (const [path, what] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    if (what === 'fifo') execFileSync('mkfifo', [full]);
    else if (typeof what === 'object' && 'link' in what) symlinkSync(what.link, full);
    else writeFileSync(full, what);
  }
  return root;
}

const kernels = loadSet('ab');
const btf = kernels[0]!.blob;
const bundle = decodeBundle(encodeBundle({ kernels, failed: [], objects: [], meta: {} }).bytes);
const DEBIAN = 'ID=debian\nVERSION_ID="12"\n';
const noEnv = {};

describe('BTF override', () => {
  const files = host({
    hostname: 'myhost\n',
    'raw.btf': btf,
    vmlinux: wrapBtfInElf(btf),
    'truncated.btf': btf.subarray(0, btf.length - 100),
    'short.btf': btf.subarray(0, 10),
    'notbtf.elf': wrapBtfInElf(btf).map((b, i) => (i >= 64 && i < 64 + 4 ? 0 : b)),
    'fifo.btf': 'fifo',
    empty: '',
    'dir/x': '',
  });
  const at = (name: string) => join(files, name);
  const resolve = (path: string, maxBtfBytes?: number) =>
    resolveBtf(bundle, { path, env: noEnv, kernelBtf: false, maxBtfBytes });
  const failure = (path: string, maxBtfBytes?: number) => {
    try {
      resolve(path, maxBtfBytes);
    } catch (err) {
      expect(err).toBeInstanceOf(BtfOverrideError);
      return (err as Error).message;
    }
    throw new Error(`${path} was accepted`);
  };

  it('accepts raw BTF and the .BTF of an ELF file, returning the raw BTF', () => {
    expect(Buffer.from(resolve(at('raw.btf')).bytes).equals(Buffer.from(btf))).toBe(true);
    const elf = resolve(at('vmlinux'));
    expect(elf).toMatchObject({ source: 'override', path: at('vmlinux') });
    expect(Buffer.from(elf.bytes).equals(Buffer.from(btf))).toBe(true);
    const fromEnv = resolveBtf(bundle, { env: { BTF_BUNDLE_BTF_PATH: at('vmlinux') }, kernelBtf: false });
    expect(fromEnv.path).toBe(at('vmlinux'));
  });

  it('refuses what is not BTF with a message naming the file and the reason', () => {
    expect(failure(at('hostname'))).toBe(
      `BTF override ${at('hostname')}: not BTF: expected raw BTF (magic 0xeb9f) or an ELF file with a .BTF section`,
    );
    expect(failure('/etc/hostname')).toMatch(/not BTF|cannot read it/);
    expect(failure(at('empty'))).toMatch(/not BTF/);
    expect(failure(at('truncated.btf'))).toMatch(/declares BTF sections beyond its/);
    expect(failure(at('short.btf'))).toMatch(/shorter than a BTF header/);
    expect(failure(at('notbtf.elf'))).toMatch(/ELF \.BTF section does not start with the BTF magic/);
    expect(failure(at('missing'))).toBe(`BTF override ${at('missing')}: cannot read it (ENOENT)`);
  });

  it('refuses special files without blocking, and files over the limit', () => {
    for (const path of [at('fifo.btf'), '/dev/zero', '/dev/null', at('dir')]) {
      expect(failure(path)).toMatch(/not a regular file/);
    }
    expect(failure(at('raw.btf'), 1000)).toMatch(/more than the 1000 accepted/);
    expect(failure(at('vmlinux'), 1000)).toMatch(
      /ELF \.BTF section is \d+ bytes, more than the 1000 accepted/,
    );
  });
});

describe('host root', () => {
  it('comes from BTF_BUNDLE_HOST_ROOT when the option is absent, the option winning', () => {
    const fromEnv = host({ 'etc/os-release': 'ID=rocky\nVERSION_ID=8\n' });
    const fromOption = host({ 'etc/os-release': 'ID=alma\nVERSION_ID=9\n' });
    const env = { [HOST_ROOT_ENV]: fromEnv };
    expect(detectKernel({ env, release: '4.18.0-1', arch: 'x64' }).distro).toBe('rocky');
    expect(detectKernel({ env, hostRoot: fromOption, release: '4.18.0-1', arch: 'x64' }).distro).toBe('alma');
    const withBtf = host({ 'etc/os-release': DEBIAN, 'sys/kernel/btf/vmlinux': btf });
    const kernel = resolveBtf(bundle, { env: { [HOST_ROOT_ENV]: withBtf } });
    expect(kernel).toMatchObject({ source: 'kernel', path: join(withBtf, 'sys/kernel/btf/vmlinux') });
  });

  it('resolves links inside the host root, never in the container', () => {
    const cases: Record<string, string | { link: string }>[] = [
      { 'etc/os-release': { link: '/usr/lib/os-release' } }, // absolute, as on most distros
      { 'etc/os-release': { link: '../../../../../../usr/lib/os-release' } }, // climbing above the root
      { etc: { link: '/usr/lib' } }, // a linked directory
      { 'etc/os-release': { link: '/lib/os-release' }, lib: { link: 'usr/lib' } }, // merged /usr
    ];
    for (const files of cases) {
      const root = host({ ...files, 'usr/lib/os-release': 'ID=hostos\nVERSION_ID=1\n' });
      expect(detectKernel({ hostRoot: root, release: '6.1.0', arch: 'x64' }).distro).toBe('hostos');
    }
    const sysLink = host({
      'etc/os-release': DEBIAN,
      'sys/kernel/btf/vmlinux': { link: '/boot/vmlinux.btf' },
      'boot/vmlinux.btf': btf,
    });
    expect(resolveBtf(bundle, { hostRoot: sysLink, env: noEnv }).path).toBe(
      join(sysLink, 'boot/vmlinux.btf'),
    );
  });

  it('refuses os-release files that are special, looping, huge or hold overlong values', () => {
    const bad: [Record<string, string | Uint8Array | { link: string } | 'fifo'>, RegExp][] = [
      [{ 'etc/os-release': 'fifo' }, /etc\/os-release: not a regular file/],
      [{ 'etc/os-release': { link: '/dev/zero' } }, /etc\/os-release: ENOENT/], // /dev/zero of the host root
      [{ 'etc/os-release': { link: 'os-release' } }, /too many levels of symbolic links/],
      [{ 'etc/os-release': `ID=debian\n#${'x'.repeat(70_000)}\n` }, /more than the 65536 accepted/],
      [{ 'etc/os-release': `ID=${'d'.repeat(1000)}\n` }, /has a ID of 1000 characters/],
      [
        { 'etc/os-release': `ID=debian\nID_LIKE="${'a '.repeat(500)}"\n` },
        /has a ID_LIKE of 1000 characters/,
      ],
    ];
    for (const [files, message] of bad) {
      const root = host(files);
      const err = (() => {
        try {
          detectKernel({ hostRoot: root, release: '6.1.0', arch: 'x64' });
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err, String(message)).toBeInstanceOf(KernelDetectError);
      expect(err?.message).toMatch(message);
      expect(err?.message.length).toBeLessThan(400);
    }
  });

  it('falls back to the bundle when the kernel BTF under the host root is special or not BTF', () => {
    for (const vmlinux of ['fifo', 'not btf', { link: '/dev/zero' }] as const) {
      const root = host({ 'etc/os-release': DEBIAN, 'sys/kernel/btf/vmlinux': vmlinux });
      const got = resolveBtf(bundle, {
        hostRoot: root,
        env: noEnv,
        release: kernels[0]!.key.release,
        arch: kernels[0]!.key.arch,
      });
      expect(got.source).toBe('bundle');
    }
  });
});
