import { describe, expect, it } from 'vitest';
import { compareKernelKeys, type LookupKernel, nearestRelease, parseKernelId } from '../src/index.js';
import { matchKernel } from '../src/kernel/lookup.js';

const ids = [
  'debian/12/x86_64/6.1.0-47-amd64',
  'debian/12/x86_64/6.1.0-50-amd64',
  'debian/12/x86_64/6.1.0-54-amd64',
  'debian/12/x86_64/6.1.0-54-rt-amd64',
  'debian/12/x86_64/6.1.0-54-cloud-amd64',
  'rhel/8/x86_64/4.18.0-305.el8.x86_64',
  'amzn/2/arm64/4.14.268-205.500.amzn2.aarch64',
  'centos/8/x86_64/4.18.0-240.el8.x86_64',
];
const set = new Set(ids);
const releasesOf = (prefix: string) =>
  ids.filter((id) => id.startsWith(`${prefix}/`)).map((id) => id.slice(prefix.length + 1));
const find = (k: LookupKernel, nearest = false) =>
  matchKernel(k, (id) => set.has(id), releasesOf, { nearest });
const deb = (release: string): LookupKernel => ({ distro: 'debian', version: '12', arch: 'x86_64', release });

describe('matchKernel', () => {
  it('matches exactly', () => {
    expect(find(deb('6.1.0-50-amd64'))).toMatchObject({
      kind: 'exact',
      id: 'debian/12/x86_64/6.1.0-50-amd64',
    });
  });

  it('normalizes major version, distro aliases, arch and ID_LIKE', () => {
    const rhel = { distro: 'redhat', version: '8.4', arch: 'amd64', release: '4.18.0-305.el8.x86_64' };
    expect(find(rhel)).toMatchObject({ kind: 'normalized', id: 'rhel/8/x86_64/4.18.0-305.el8.x86_64' });
    const amzn = {
      distro: 'amazon',
      version: '2',
      arch: 'aarch64',
      release: '4.14.268-205.500.amzn2.aarch64',
    };
    expect(find(amzn)).toMatchObject({ kind: 'normalized', key: { distro: 'amzn', arch: 'arm64' } });
    const rocky = {
      distro: 'rocky',
      version: '8.6',
      arch: 'x86_64',
      release: '4.18.0-240.el8.x86_64',
      idLike: ['rhel', 'centos'],
    };
    expect(find(rocky)).toMatchObject({ kind: 'normalized', id: 'centos/8/x86_64/4.18.0-240.el8.x86_64' });
  });

  it('does not use nearest matching unless enabled', () => {
    expect(find(deb('6.1.0-52-amd64'))).toBeUndefined();
  });

  it('prefers the closest not-newer release of the same flavour, then the closest newer', () => {
    expect(find(deb('6.1.0-52-amd64'), true)).toMatchObject({
      kind: 'nearest',
      id: 'debian/12/x86_64/6.1.0-50-amd64',
    });
    expect(find(deb('6.1.0-60-rt-amd64'), true)?.id).toBe('debian/12/x86_64/6.1.0-54-rt-amd64');
    expect(find(deb('6.1.0-10-amd64'), true)?.id).toBe('debian/12/x86_64/6.1.0-47-amd64');
    expect(find(deb('6.1.0-10-cloud-amd64'), true)?.id).toBe('debian/12/x86_64/6.1.0-54-cloud-amd64');
    expect(find(deb('6.1.0-10-generic'), true)).toBeUndefined();
    expect(find({ ...deb('6.1.0-52-amd64'), version: '11' }, true)).toBeUndefined();
  });

  it('nearestRelease compares numerically, not lexically', () => {
    expect(nearestRelease('5.10.0-9-amd64', ['5.10.0-10-amd64', '5.10.0-8-amd64', '5.9.0-99-amd64'])).toBe(
      '5.10.0-8-amd64',
    );
    expect(nearestRelease('generic', ['5.10.0-8-amd64'])).toBeUndefined();
  });
});

describe('compareKernelKeys', () => {
  it('orders by distro, version, arch, flavour, then release naturally', () => {
    const sorted = [...ids]
      .map(parseKernelId)
      .sort(compareKernelKeys)
      .map((k) => k.release);
    expect(sorted.slice(2, 7)).toEqual([
      '6.1.0-47-amd64',
      '6.1.0-50-amd64',
      '6.1.0-54-amd64',
      '6.1.0-54-cloud-amd64',
      '6.1.0-54-rt-amd64',
    ]);
  });
});
