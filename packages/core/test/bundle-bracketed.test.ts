/**
 * Nearest with evidence end to end: a bundle built from real kernels, whose consecutive releases reduce to the same
 * BTF, answers a release it lacks between two of them as `bracketed` — the runs the build report shows are the
 * runs the runtime derives from the bundle's index.
 */
import { join } from 'node:path';
import { createBtfBundle, decodeBundle } from '@btf-bundle/runtime';
import { describe, expect, it } from 'vitest';
import { buildBundle } from '../src/build/build.js';
import { reportRuns } from '../src/report/coverage.js';
import { testdata } from './btf-helpers.js';
import { SAMPLE_SNAPSHOT } from './build-fixtures.js';

describe('bracketed matches from a built bundle', async () => {
  const { bundle, report } = await buildBundle({
    snapshot: SAMPLE_SNAPSHOT,
    objects: [join(testdata, 'enums.bpf.o')],
    include: ['debian/12/x86_64/*'],
    cacheDir: false,
    workers: 1,
    useMainThread: true,
  });
  const runs = reportRuns(report);
  const hashOf = new Map(report.kernels.map((k) => [k.id, k.btfSha256]));
  const x86 = 'debian/12/x86_64';
  const api = createBtfBundle(() => bundle);
  const kernel = (release: string) => ({ distro: 'debian', version: '12', arch: 'x86_64', release });

  it('finds the runs of identical reduced BTFs in the report', () => {
    const amd64 = runs.find((r) => r.series === `${x86}/amd64`);
    expect(amd64?.kernels).toEqual([
      `${x86}/6.1.0-47-amd64`,
      `${x86}/6.1.0-50-amd64`,
      `${x86}/6.1.0-54-amd64`,
    ]);
    expect(new Set(amd64!.kernels.map((id) => hashOf.get(id))).size).toBe(1);
  });

  it('matches a missing release inside a run as bracketed, with both neighbours and the run', async () => {
    const found = await api.findBtf(kernel('6.1.0-52-amd64'), { nearest: 'bracketed' });
    expect(found?.match).toMatchObject({
      kind: 'bracketed',
      id: `${x86}/6.1.0-50-amd64`,
      neighbours: [`${x86}/6.1.0-50-amd64`, `${x86}/6.1.0-54-amd64`],
      run: { first: `${x86}/6.1.0-47-amd64`, last: `${x86}/6.1.0-54-amd64`, length: 3 },
    });
    expect(
      Buffer.from(found!.bytes).equals(Buffer.from(decodeBundle(bundle).get(`${x86}/6.1.0-54-amd64`)!)),
    ).toBe(true);
  });

  it('refuses a release past the run unless nearest is true, then says how far it is', async () => {
    expect(await api.findBtf(kernel('6.1.0-60-amd64'), { nearest: 'bracketed' })).toBeUndefined();
    expect(await api.findBtf(kernel('6.1.0-60-amd64'))).toBeUndefined();
    expect((await api.findBtf(kernel('6.1.0-60-amd64'), { nearest: true }))?.match).toMatchObject({
      kind: 'nearest',
      id: `${x86}/6.1.0-54-amd64`,
      distance: { part: 3, by: 6 },
      run: { length: 3 },
    });
  });
});
