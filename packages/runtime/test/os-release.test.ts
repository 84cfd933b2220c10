import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectKernel, InvalidKernelKeyError, KernelDetectError } from '../src/index.js';
import { normalizeArch, parseOsRelease } from '../src/internal.js';

describe('parseOsRelease', () => {
  it('unquotes values, skips comments and blank lines', () => {
    const m = parseOsRelease(
      '# comment\n\nNAME="Red Hat Enterprise Linux"\nID=rhel\nVERSION_ID=\'8.6\'\nID_LIKE="fedora"\r\nX="a \\"q\\" b"\nbad line\n',
    );
    expect(m.get('ID')).toBe('rhel');
    expect(m.get('VERSION_ID')).toBe('8.6');
    expect(m.get('NAME')).toBe('Red Hat Enterprise Linux');
    expect(m.get('ID_LIKE')).toBe('fedora');
    expect(m.get('X')).toBe('a "q" b');
    expect(m.has('bad line')).toBe(false);
  });
});

describe('normalizeArch', () => {
  it.each([
    ['x64', 'x86_64'],
    ['amd64', 'x86_64'],
    ['aarch64', 'arm64'],
    ['arm64', 'arm64'],
    ['s390x', 's390x'],
    ['ppc64', 'ppc64le'],
  ])('%s → %s', (a, b) => expect(normalizeArch(a)).toBe(b));
});

describe('detectKernel', () => {
  const roots: string[] = [];
  afterEach(() => {
    for (const r of roots.splice(0)) rmSync(r, { recursive: true });
  });
  const host = (files: Record<string, string>) => {
    const root = mkdtempSync(join(tmpdir(), 'host-'));
    roots.push(root);
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(root, path, '..'), { recursive: true });
      writeFileSync(join(root, path), text);
    }
    return root;
  };

  it('reads <hostRoot>/etc/os-release, ID_LIKE as a list, release and arch overrides', () => {
    const hostRoot = host({
      'etc/os-release': 'ID="rocky"\nVERSION_ID="8.6"\nID_LIKE="rhel centos fedora"\n',
    });
    expect(detectKernel({ hostRoot, release: '4.18.0-372.9.1.el8.x86_64', arch: 'x64' })).toEqual({
      distro: 'rocky',
      version: '8.6',
      arch: 'x86_64',
      release: '4.18.0-372.9.1.el8.x86_64',
      idLike: ['rhel', 'centos', 'fedora'],
    });
  });

  it('falls back to usr/lib/os-release', () => {
    const hostRoot = host({ 'usr/lib/os-release': 'ID=debian\nVERSION_ID="12"\n' });
    expect(detectKernel({ hostRoot, release: '6.1.0-47-amd64' }).distro).toBe('debian');
  });

  it('fails with a typed error when os-release is missing or has no ID', () => {
    expect(() => detectKernel({ hostRoot: host({}) })).toThrow(KernelDetectError);
    expect(() => detectKernel({ hostRoot: host({ 'etc/os-release': 'NAME=x\n' }) })).toThrow(
      KernelDetectError,
    );
  });

  it('rejects hostile values (path separators, dot-dot, NUL)', () => {
    const hostRoot = host({ 'etc/os-release': 'ID=debian\nVERSION_ID=12\n' });
    for (const release of ['../../etc', 'a/b', '6.1\0x', '..']) {
      expect(() => detectKernel({ hostRoot, release })).toThrow(InvalidKernelKeyError);
    }
    const evil = host({ 'etc/os-release': 'ID="../x"\n' });
    expect(() => detectKernel({ hostRoot: evil, release: '6.1.0' })).toThrow(InvalidKernelKeyError);
  });
});
