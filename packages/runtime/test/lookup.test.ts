import { describe, expect, it } from 'vitest';
import { type LookupKernel, type NearestPolicy, parseKernelId } from '../src/index.js';
import { compareKernelKeys, kernelRuns, splitRelease } from '../src/internal.js';
import { entriesByPrefix, matchKernel } from '../src/kernel/lookup.js';

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

/** A lookup index over `kernels` (id → blob index), in bundle order like a bundle's. */
function indexOf(kernels: Record<string, number>) {
  const ids = Object.keys(kernels).sort((a, b) => compareKernelKeys(parseKernelId(a), parseKernelId(b)));
  const entries = entriesByPrefix(
    ids,
    ids.map((id) => kernels[id]!),
  );
  return { has: (id: string) => id in kernels, entries: (prefix: string) => entries.get(prefix) ?? [] };
}

const distinct = indexOf(Object.fromEntries(ids.map((id, i) => [id, i])));
const find = (k: LookupKernel, nearest: NearestPolicy = false) => matchKernel(k, distinct, { nearest });
const deb = (release: string): LookupKernel => ({ distro: 'debian', version: '12', arch: 'x86_64', release });

describe('matchKernel', () => {
  it('matches exactly', () => {
    expect(find(deb('6.1.0-50-amd64'))).toMatchObject({
      kind: 'exact',
      id: 'debian/12/x86_64/6.1.0-50-amd64',
    });
  });

  it('finds nothing, without throwing, for a kernel whose parts no id can hold', () => {
    expect(find(deb('6.1.0-50-amd64/..'))).toBeUndefined();
    expect(find({ ...deb('6.1.0-50-amd64'), distro: 'debian linux' })).toBeUndefined();
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

  it('does not use inexact matching unless enabled', () => {
    expect(find(deb('6.1.0-52-amd64'))).toBeUndefined();
  });

  it('prefers the closest not-newer release of the same flavour, then the closest newer', () => {
    expect(find(deb('6.1.0-52-amd64'), true)).toMatchObject({
      kind: 'nearest',
      id: 'debian/12/x86_64/6.1.0-50-amd64',
      neighbours: ['debian/12/x86_64/6.1.0-50-amd64'],
      distance: { part: 3, by: 2 },
      run: { first: 'debian/12/x86_64/6.1.0-50-amd64', last: 'debian/12/x86_64/6.1.0-50-amd64', length: 1 },
    });
    expect(find(deb('6.1.0-60-rt-amd64'), true)?.id).toBe('debian/12/x86_64/6.1.0-54-rt-amd64');
    expect(find(deb('6.1.0-10-amd64'), true)).toMatchObject({
      id: 'debian/12/x86_64/6.1.0-47-amd64',
      distance: { part: 3, by: -37 },
    });
    expect(find(deb('6.1.0-10-cloud-amd64'), true)?.id).toBe('debian/12/x86_64/6.1.0-54-cloud-amd64');
    expect(find(deb('6.1.0-10-generic'), true)).toBeUndefined();
    expect(find(deb('generic'), true)).toBeUndefined();
    expect(find({ ...deb('6.1.0-52-amd64'), version: '11' }, true)).toBeUndefined();
  });

  it("with nearest: 'bracketed', refuses a release no run brackets", () => {
    expect(find(deb('6.1.0-52-amd64'), 'bracketed')).toBeUndefined();
  });
});

/**
 * Real release strings of one series per distro, oldest first, with the BTF (blob) each has in a bundle. Each
 * list sorts wrongly as plain strings.
 */
const SERIES: Record<string, [string, number][]> = {
  'ubuntu/20.04/x86_64': [
    ['5.4.0-26-generic', 0],
    ['5.4.0-42-generic', 1],
    ['5.4.0-100-generic', 1],
    ['5.4.0-135-generic', 2],
  ],
  'rhel/8/x86_64': [
    ['4.18.0-80.el8.x86_64', 0],
    ['4.18.0-147.el8.x86_64', 0],
    ['4.18.0-193.el8.x86_64', 1],
    ['4.18.0-193.28.1.el8_2.x86_64', 1],
    ['4.18.0-240.el8.x86_64', 1],
    ['4.18.0-305.el8.x86_64', 2],
    ['4.18.0-305.3.1.el8_4.x86_64', 2],
    ['4.18.0-305.25.1.el8_4.x86_64', 3],
  ],
  'sles/15.3/x86_64': [
    ['5.3.18-57-default', 0],
    ['5.3.18-59.5-default', 1],
    ['5.3.18-59.10-default', 1],
    ['5.3.18-59.43-default', 2],
    ['5.3.18-150300.59.43-default', 3],
    ['5.3.18-150300.59.46-default', 3],
  ],
  'amzn/2/x86_64': [
    ['4.14.94-89.73.amzn2.x86_64', 0],
    ['4.14.101-91.76.amzn2.x86_64', 0],
    ['4.14.232-177.418.amzn2.x86_64', 1],
  ],
  'debian/12/x86_64': [
    ['6.1.0-9-amd64', 0],
    ['6.1.0-10-amd64', 0],
    ['6.1.0-27-amd64', 1],
    ['6.12.9+deb12-amd64', 2],
    ['6.12.117+deb12-amd64', 2],
  ],
};

const bundled = indexOf(
  Object.fromEntries(
    Object.entries(SERIES).flatMap(([prefix, list]) =>
      list.map(([release, blob]) => [`${prefix}/${release}`, blob + 10 * prefix.length]),
    ),
  ),
);
const lookup = (id: string, nearest: NearestPolicy) => matchKernel(parseKernelId(id), bundled, { nearest });

describe('release order of each distro', () => {
  for (const [prefix, list] of Object.entries(SERIES)) {
    it(`sorts ${prefix} by its numbering, not as plain strings`, () => {
      const releases = list.map(([r]) => r);
      const keys = [...releases].reverse().map((r) => parseKernelId(`${prefix}/${r}`));
      const sorted = keys.sort(compareKernelKeys).map((k) => k.release);
      expect(sorted).toEqual(releases);
      expect([...releases].sort()).not.toEqual(sorted);
    });
  }
});

describe('bracketed and nearest matches with evidence', () => {
  it('matches a release between two kernels with the same BTF as bracketed, naming both and the run', () => {
    expect(lookup('ubuntu/20.04/x86_64/5.4.0-77-generic', 'bracketed')).toMatchObject({
      kind: 'bracketed',
      id: 'ubuntu/20.04/x86_64/5.4.0-42-generic',
      neighbours: ['ubuntu/20.04/x86_64/5.4.0-42-generic', 'ubuntu/20.04/x86_64/5.4.0-100-generic'],
      run: { length: 2 },
    });
    expect(lookup('rhel/8/x86_64/4.18.0-211.el8.x86_64', 'bracketed')).toMatchObject({
      kind: 'bracketed',
      neighbours: ['rhel/8/x86_64/4.18.0-193.28.1.el8_2.x86_64', 'rhel/8/x86_64/4.18.0-240.el8.x86_64'],
      run: {
        first: 'rhel/8/x86_64/4.18.0-193.el8.x86_64',
        last: 'rhel/8/x86_64/4.18.0-240.el8.x86_64',
        length: 3,
      },
    });
    // A z-stream update (`el8_4`) of 305 sorts after 305 GA and before 305.25.1, in the same series.
    expect(lookup('rhel/8/x86_64/4.18.0-305.10.2.el8_4.x86_64', true)).toMatchObject({
      kind: 'nearest',
      id: 'rhel/8/x86_64/4.18.0-305.3.1.el8_4.x86_64',
      distance: { part: 4, by: 7 },
      run: { first: 'rhel/8/x86_64/4.18.0-305.el8.x86_64', length: 2 },
    });
    expect(lookup('sles/15.3/x86_64/5.3.18-59.7-default', 'bracketed')).toMatchObject({
      kind: 'bracketed',
      neighbours: ['sles/15.3/x86_64/5.3.18-59.5-default', 'sles/15.3/x86_64/5.3.18-59.10-default'],
    });
    expect(lookup('sles/15.3/x86_64/5.3.18-150300.59.44-default', 'bracketed')?.kind).toBe('bracketed');
    expect(lookup('amzn/2/x86_64/4.14.97-90.1.amzn2.x86_64', 'bracketed')?.kind).toBe('bracketed');
    expect(lookup('debian/12/x86_64/6.1.0-9-amd64', 'bracketed')?.kind).toBe('exact');
    expect(lookup('debian/12/x86_64/6.12.30+deb12-amd64', 'bracketed')).toMatchObject({
      kind: 'bracketed',
      neighbours: ['debian/12/x86_64/6.12.9+deb12-amd64', 'debian/12/x86_64/6.12.117+deb12-amd64'],
    });
  });

  it('matches a release outside any run only with nearest: true, with its distance', () => {
    expect(lookup('sles/15.3/x86_64/5.3.18-59.40-default', 'bracketed')).toBeUndefined();
    expect(lookup('sles/15.3/x86_64/5.3.18-59.40-default', true)).toMatchObject({
      kind: 'nearest',
      id: 'sles/15.3/x86_64/5.3.18-59.10-default',
      distance: { part: 4, by: 30 },
    });
    expect(lookup('amzn/2/x86_64/4.14.200-150.1.amzn2.x86_64', true)).toMatchObject({
      kind: 'nearest',
      id: 'amzn/2/x86_64/4.14.101-91.76.amzn2.x86_64',
      distance: { part: 2, by: 99 },
      run: { first: 'amzn/2/x86_64/4.14.94-89.73.amzn2.x86_64', length: 2 },
    });
    expect(lookup('debian/12/x86_64/6.1.0-20-amd64', true)).toMatchObject({
      kind: 'nearest',
      id: 'debian/12/x86_64/6.1.0-10-amd64',
      distance: { part: 3, by: 10 },
    });
    expect(lookup('ubuntu/20.04/x86_64/5.4.0-200-generic', false)).toBeUndefined();
    expect(lookup('ubuntu/20.04/x86_64/5.4.0-200-generic', 'bracketed')).toBeUndefined();
    expect(lookup('ubuntu/20.04/x86_64/5.4.0-200-generic', true)?.id).toBe(
      'ubuntu/20.04/x86_64/5.4.0-135-generic',
    );
  });
});

describe('splitRelease', () => {
  it('separates the numbers from the flavour in every distro numbering', () => {
    expect(splitRelease('6.1.0-27-cloud-amd64')).toEqual({ numbers: [6, 1, 0, 27], flavour: 'cloud-amd64' });
    expect(splitRelease('6.12.117+deb12-amd64')).toEqual({ numbers: [6, 12, 117], flavour: 'deb12-amd64' });
    expect(splitRelease('5.10.0-0.deb10.16-amd64')).toEqual({
      numbers: [5, 10, 0, 0, 16],
      flavour: 'deb10-amd64',
    });
    expect(splitRelease('4.18.0-305.3.1.el8_4.x86_64')).toEqual({
      numbers: [4, 18, 0, 305, 3, 1],
      flavour: 'el8-x86_64',
    });
    expect(splitRelease('5.3.18-150300.59.43-default').numbers).toEqual([5, 3, 18, 150300, 59, 43]);
    expect(splitRelease('4.14.101-91.76.amzn2.x86_64').flavour).toBe('amzn2-x86_64');
    expect(splitRelease('5.4.0-1020-aws').flavour).toBe('aws');
  });
});

describe('kernelRuns', () => {
  it('cuts each series in release order where the BTF changes, keeping stretches of two or more', () => {
    const kernels = Object.entries(SERIES)
      .flatMap(([prefix, list]) =>
        list.map(([release, blob]) => ({ key: parseKernelId(`${prefix}/${release}`), blob })),
      )
      .reverse();
    const runs = kernelRuns(kernels).map(
      (r) => `${r.series}: ${r.kernels.map((id) => id.split('/')[3]).join(' ')}`,
    );
    expect(runs).toEqual([
      'amzn/2/x86_64/amzn2-x86_64: 4.14.94-89.73.amzn2.x86_64 4.14.101-91.76.amzn2.x86_64',
      'debian/12/x86_64/amd64: 6.1.0-9-amd64 6.1.0-10-amd64',
      'debian/12/x86_64/deb12-amd64: 6.12.9+deb12-amd64 6.12.117+deb12-amd64',
      'rhel/8/x86_64/el8-x86_64: 4.18.0-80.el8.x86_64 4.18.0-147.el8.x86_64',
      'rhel/8/x86_64/el8-x86_64: 4.18.0-193.el8.x86_64 4.18.0-193.28.1.el8_2.x86_64 4.18.0-240.el8.x86_64',
      'rhel/8/x86_64/el8-x86_64: 4.18.0-305.el8.x86_64 4.18.0-305.3.1.el8_4.x86_64',
      'sles/15.3/x86_64/default: 5.3.18-59.5-default 5.3.18-59.10-default',
      'sles/15.3/x86_64/default: 5.3.18-150300.59.43-default 5.3.18-150300.59.46-default',
      'ubuntu/20.04/x86_64/generic: 5.4.0-42-generic 5.4.0-100-generic',
    ]);
  });
});
