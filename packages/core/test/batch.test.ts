import { describe, expect, it } from 'vitest';
// Workers load the built package: test the built package.
import { type KernelOutcome, runKernelTasks } from '../dist/internal.js';
import { defaultLanes } from '../src/batch/lanes.js';
import { readBpfObject } from '../src/object.js';
import { relocationSignature } from '../src/object-signature.js';
import { SAMPLE_OBJECTS, sampleKernels } from './build-fixtures.js';

describe('runKernelTasks', () => {
  it.each([
    ['worker threads only', { workers: 2 }, /^worker crashed/],
    // either lane may take the crashing task
    [
      'the main thread as one lane',
      { workers: 2, useMainThread: true },
      /^(worker crashed|failed on the main thread)/,
    ],
    [
      'the main thread alone',
      { workers: 1, useMainThread: true },
      /^failed on the main thread: no objects for arch/,
    ],
  ] as const)(
    'isolates a crashing task and a failing kernel from the others, in task order (%s)',
    async (_, lanes, crash) => {
      const parsed = SAMPLE_OBJECTS.map((p) => readBpfObject(p, p.split('/').at(-1)!));
      const setup = {
        objectSets: {
          x86_64: {
            objects: parsed.map((o) => ({ name: o.file, sections: o.sections })),
            signatures: parsed.map(relocationSignature),
          },
        },
        cacheDir: null,
        mode: 'robust' as const,
      };
      const kernel = sampleKernels().find((p) => p.includes('/x86_64/'))!;
      const tasks = [
        { id: 'a', path: kernel, arch: 'x86_64' },
        { id: 'crash', path: kernel, arch: 'no-such-arch' }, // throws outside the task's error handling
        { id: 'missing', path: '/nonexistent.btf', arch: 'x86_64' },
        { id: 'b', path: kernel, arch: 'x86_64' },
      ];
      const seen: KernelOutcome[] = [];
      const outcomes = await runKernelTasks(tasks, setup, { ...lanes, onOutcome: (o) => seen.push(o) });
      expect(outcomes.map((o) => o.id)).toEqual(['a', 'crash', 'missing', 'b']);
      expect(outcomes.map((o) => o.status)).toEqual(['covered', 'failed', 'failed', 'covered']);
      expect(outcomes[1]).toMatchObject({
        failure: 'error',
        reason: expect.stringMatching(crash),
      });
      expect(outcomes[2]).toMatchObject({ failure: 'unreadable' });
      expect(seen.length).toBe(4);
      const [a, , , b] = outcomes;
      if (a?.status !== 'covered' || b?.status !== 'covered') throw new Error('expected covered');
      expect(Buffer.compare(a.btf, b.btf)).toBe(0);
    },
  );
});

describe('defaultLanes', () => {
  const tasks = (n: number, suffix: string) =>
    Array.from({ length: n }, (_, i) => ({ id: `k${i}`, path: `/k/${i}${suffix}`, arch: 'x86_64' }));

  it('starts a lane only for as much work as pays for it, never more than the cores, at least one', () => {
    expect(defaultLanes([], 8)).toBe(1);
    expect(defaultLanes(tasks(8, '.btf'), 8)).toBe(1);
    expect(defaultLanes(tasks(26, '.btf'), 8)).toBe(1);
    expect(defaultLanes(tasks(64, '.btf'), 8)).toBe(2);
    expect(defaultLanes(tasks(1000, '.btf'), 8)).toBe(8);
    expect(defaultLanes(tasks(1000, '.btf'), 2)).toBe(2);
  });

  it('weighs .btf.tar.xz kernels (decompression) above raw ones', () => {
    expect(defaultLanes(tasks(16, '.btf.tar.xz'), 8)).toBeGreaterThan(defaultLanes(tasks(16, '.btf'), 8));
  });
});
